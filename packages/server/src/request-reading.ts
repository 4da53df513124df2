import type { NextFunction, Request, Response } from "express";
import { invalidParameter, isMlflowError, parseObject } from "@mlflow-ts/protocol";
import { queryCancellationActive, withQueryCancellation } from "@mlflow-ts/store";
import { REQUEST_READING, type AppStores, type Logger, type MlflowRequest, type RequestParams, type RequestReading, type RouteInfo } from "@mlflow-ts/plugin-api";
import type { EndpointMatch, EndpointTable } from "./endpoint-table.js";
import type { HookRegistry } from "./hooks.js";
import { bodyErrorOf, bodyTextOf } from "./json-body.js";
import { runHandler } from "./route.js";

type WithReading = Request & { [REQUEST_READING]?: ServerReading };

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

// A copy, so that freezing it leaves Express's own objects (req.body, req.query) writable.
function frozenCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(out);
}

const hasQueryString = (req: Request) => req.url.includes("?") && Object.keys(req.query as object).length > 0;

/**
 * Where a request's parameters come from, by MLflow's rule: a GET reads the query string, or its
 * JSON body when it has no query string at all; every other method reads the JSON body only (a
 * query string on a POST is ignored, never a fallback). A deferred body error (bad JSON, wrong
 * Content-Type) is thrown here, when the parameters are first needed.
 */
function sourceOf(req: Request, rawBody: boolean): { source: Readonly<Record<string, unknown>>; fromQuery: boolean } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (req.method === "GET" || req.method === "HEAD") {
    if (hasQueryString(req) || Object.keys(body).length === 0) return { source: req.query as Record<string, unknown>, fromQuery: true };
  }
  // The body is the payload (an upload): the parameters are in the URL.
  if (rawBody) return { source: req.query as Record<string, unknown>, fromQuery: true };
  const error = bodyErrorOf(req);
  if (error) throw error;
  return { source: body, fromQuery: false };
}

function decodePathParams(raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      throw invalidParameter(`Malformed URL: the '${name}' part of the path is not valid percent-encoding`);
    }
  }
  return out;
}

const INVALID = /^Invalid value (.*) for parameter '([^']+)' supplied: {2}Hint: Value was of type 'int'\./s;

/**
 * MLflow shows a wrong value as Python read it: `9.0` stays a float. JSON.parse made it 9, so the
 * literal the client wrote is looked up in the body to say it the same way.
 */
function asWritten(error: unknown, text: string | undefined): unknown {
  if (!text || !isMlflowError(error)) return error;
  const match = INVALID.exec(error.message);
  if (!match) return error;
  const name = match[2]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const literal = new RegExp(`"${name}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)\\s*[,}\\]]`).exec(text!)?.[1];
  if (!literal || !/[.eE]/.test(literal)) return error;
  const n = Number(literal);
  const shown = Number.isInteger(n) && Math.abs(n) < 1e16 ? `${n}.0` : String(n);
  return invalidParameter(error.message.replace(`Invalid value ${match[1]} `, `Invalid value ${shown} `).replace("of type 'int'", "of type 'float'"));
}

/**
 * A request's one reading (see `requestParams` in plugin-api): computed on first use, by the
 * matched endpoint's schema, then frozen; the same object for every hook and the handler.
 */
class ServerReading implements RequestReading {
  readonly endpoint: RouteInfo | undefined;
  private value: RequestParams | undefined;
  private error: unknown;
  private started = false;
  private scoped: AppStores | undefined;
  /** In the headers phase (before-body hooks; the body not yet read): there are no parameters yet. */
  headersPhase = false;

  constructor(
    private readonly req: Request,
    readonly match: EndpointMatch | undefined,
    private readonly storesFor: (req: MlflowRequest) => AppStores,
  ) {
    this.endpoint = match?.route;
  }

  stores(): AppStores {
    return (this.scoped ??= this.storesFor(this.req as MlflowRequest));
  }

  params(): RequestParams {
    if (this.headersPhase) {
      throw new Error("requestParams() was called from a beforeRequest hook registered with { beforeBody: true }: such hooks run on the headers alone, before the body is read");
    }
    if (this.value) return this.value;
    if (this.error !== undefined) throw this.error;
    try {
      this.value = this.read();
    } catch (error) {
      this.error = error;
      throw error;
    }
    return this.value;
  }

  narrow(patch: Readonly<Record<string, unknown>>): void {
    if (this.started) throw new Error("narrowRequestParams: the handler has already read the parameters");
    this.value = deepFreeze({ ...this.params(), ...(frozenCopy(patch) as object) });
  }

  /** The handler's turn: the parameters cannot change any more. */
  begin(): RequestParams {
    this.started = true;
    return this.params();
  }

  private read(): RequestParams {
    const match = this.match;
    const { source, fromQuery } = sourceOf(this.req, match?.endpoint.rawBody ?? this.req.method === "PUT");
    if (!match) return frozenCopy(source) as RequestParams;
    // Path parameters are part of the URL the handler acts on: they win over same-named fields.
    const merged = match.rawPathParams ? { ...source, ...decodePathParams(match.rawPathParams) } : source;
    try {
      return deepFreeze(parseObject(match.endpoint.schema, merged, fromQuery)) as RequestParams;
    } catch (error) {
      throw fromQuery ? error : asWritten(error, bodyTextOf(this.req));
    }
  }
}

/**
 * Matches every request against the endpoint table once and attaches its reading, before the
 * body is read and any hook runs. `storesFor` gives the request's stores (scoped by apps) on its
 * first data access.
 *
 * @example
 * app.use(attachReadings(table, () => stores));
 */
export function attachReadings(table: EndpointTable, storesFor: (req: MlflowRequest) => AppStores) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    (req as WithReading)[REQUEST_READING] = new ServerReading(req, table.match(req.method, req.path), storesFor);
    next();
  };
}

/**
 * Marks whether the request is in its headers phase (see `runBeforeHooks`): before-body hooks run, the body not yet read.
 *
 * @example
 * markHeadersPhase(req, true); // until the body phase begins
 */
export function markHeadersPhase(req: Request, on: boolean): void {
  const reading = (req as WithReading)[REQUEST_READING];
  if (reading) reading.headersPhase = on;
}

/**
 * The endpoint a request matched, if any (read after {@link attachReadings}).
 *
 * @example
 * if (matchedEndpoint(req)?.endpoint.rawBody) return next();
 */
export function matchedEndpoint(req: Request): EndpointMatch | undefined {
  return (req as WithReading)[REQUEST_READING]?.match;
}

/**
 * Runs the matched endpoint's handler on the reading the hooks saw; requests that matched no
 * endpoint go on to whatever Express routes apps registered.
 *
 * @example
 * app.use(dispatchEndpoints(registry, logger));
 */
export function dispatchEndpoints(registry: HookRegistry, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const reading = (req as WithReading)[REQUEST_READING];
    if (!reading?.match) return next();
    let params: RequestParams;
    try {
      params = reading.begin();
    } catch (error) {
      next(error);
      return;
    }
    const run = () => runHandler(reading.match!.endpoint.handler, params, req, res, registry, logger);
    if (!queryCancellationActive()) return void run();
    // Queries of an abandoned request are cancelled rather than left to hold a connection.
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    void withQueryCancellation(controller.signal, run);
  };
}
