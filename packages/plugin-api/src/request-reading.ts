import type { MlflowRequest, RouteInfo } from "./app.js";
import type { AppStores } from "./stores.js";

/**
 * Where the server keeps a request's one reading. A registry symbol, so that a plugin bringing
 * its own copy of this package still finds what the server attached.
 */
export const REQUEST_READING: unique symbol = Symbol.for("mlflow-ts.request-reading") as never;

/** A request's parameters as its handler will use them: parsed, canonical, deeply frozen. */
export type RequestParams = Readonly<Record<string, unknown>>;

/**
 * What the server attaches to every request before any hook runs: the endpoint that will handle
 * it, and its parameters, read once.
 *
 * @example
 * const reading = (req as { [REQUEST_READING]?: RequestReading })[REQUEST_READING];
 */
export interface RequestReading {
  /** The endpoint that will handle the request (its mounted path pattern), when the server knows it. */
  readonly endpoint: RouteInfo | undefined;
  /** The parameters; throws the endpoint's 400 when they do not parse. Computed on first call. */
  params(): RequestParams;
  /** Replaces some parameters before the handler reads them (see {@link narrowRequestParams}). */
  narrow(patch: Readonly<Record<string, unknown>>): void;
  /** The stores this request reaches data through (see {@link requestStores}). Computed on first call. */
  stores(): AppStores;
}

function readingOf(req: MlflowRequest): RequestReading {
  const reading = (req as unknown as { [REQUEST_READING]?: RequestReading })[REQUEST_READING];
  if (!reading) throw new Error("This request did not come through an mlflow-ts server: it has no parameter reading");
  return reading;
}

/**
 * The request's parameters exactly as its handler will use them. The server reads them once, by
 * MLflow's rule — a GET from the query string (or a JSON body when there is no query string at
 * all), every other method from the JSON body only — merges the URL's path parameters, resolves
 * aliases (`run_uuid` → `run_id`), canonicalises IDs, and freezes the result; hooks and handler get
 * the same object. An authorization rule that reads its IDs here checks exactly what the handler
 * acts on. For a route the server has no schema for (a plain Express route of an app), it is the
 * raw query (GET) or JSON body (other methods), frozen.
 *
 * Throws the endpoint's `MlflowError` (400) when the parameters do not parse, as the handler would.
 *
 * @example
 * app.beforeRequest(async (req) => {
 *   const { experiment_id } = requestParams<{ experiment_id?: string }>(req);
 *   if (experiment_id && !(await mayRead(req, experiment_id))) return new Response("Permission denied", { status: 403 });
 * });
 */
export function requestParams<T extends object = RequestParams>(req: MlflowRequest): Readonly<T> {
  return readingOf(req).params() as Readonly<T>;
}

/**
 * Restricts parameters before the handler runs: a search hook drops the experiments the caller
 * may not read from `experiment_ids`, as MLflow's own auth does. The patch replaces whole fields and
 * is frozen like the rest; it is refused once the handler has started.
 *
 * @example
 * const { experiment_ids = [] } = requestParams<{ experiment_ids?: string[] }>(req);
 * narrowRequestParams(req, { experiment_ids: experiment_ids.filter(readable) });
 */
export function narrowRequestParams(req: MlflowRequest, patch: Readonly<Record<string, unknown>>): void {
  readingOf(req).narrow(patch);
}

/**
 * The endpoint that will handle this request, as the server matched it (method and mounted path
 * pattern, e.g. `GET /api/2.0/mlflow/logged-models/:model_id`), or `undefined` for routes the
 * server does not know (plain Express routes of apps, unknown paths). Key authorization rules on
 * this rather than on `req.path`: it is the route that runs, whatever the spelling of the URL.
 *
 * @example
 * const endpoint = requestEndpoint(req);
 * const rule = endpoint && rules.get(`${endpoint.method} ${endpoint.path}`);
 */
export function requestEndpoint(req: MlflowRequest): RouteInfo | undefined {
  return readingOf(req).endpoint;
}

/**
 * The stores a request's handler reads and writes through: the server's own, or — when an app
 * scopes them (`app.scopeStores`, as every auth app does) — stores that decide, on every call and
 * on the entity the call resolves (the experiment of the run row, the model as stored, the
 * experiment owning an artifact path), whether this request's caller may do it. Every base handler,
 * GraphQL resolver and artifact route uses these; an app's own endpoint should too, so the one
 * decision applies to it as well.
 *
 * @example
 * app.endpoint("GET", "/api/2.0/acme/run-name", { run_id: f.string(true) }, async ({ run_id }, req) => ({
 *   name: (await requestStores(req).tracking.getRun(run_id)).info.run_name,
 * }));
 */
export function requestStores(req: MlflowRequest): AppStores {
  return readingOf(req).stores();
}
