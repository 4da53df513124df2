import type { NextFunction, Request, Response as ExpressResponse } from "express";
import type { AfterRequestHook, BeforeRequestHook, JsonObject, MlflowRequest, RouteFilter } from "@mlflow-ts/plugin-api";
import { sendContinue } from "./expect-continue.js";
import { sendWebResponse } from "./send-web-response.js";
import { markHeadersPhase } from "./request-reading.js";

/** The hooks registered on one app, in registration order. */
export interface HookRegistry {
  /** Hooks on the headers alone, before a JSON body is read (authentication). */
  readonly beforeBody: BeforeRequestHook[];
  readonly before: BeforeRequestHook[];
  /** In the order they run: the last app's first (`app` is its index, 0 for the server's own). */
  readonly after: { readonly hook: AfterRequestHook; readonly filter: RouteFilter | undefined; readonly app: number }[];
}

/** An empty hook registry. */
export function createHookRegistry(): HookRegistry {
  return { beforeBody: [], before: [], after: [] };
}

/**
 * The middleware that runs every before-request hook of a phase: `"headers"` (registered with
 * `{ beforeBody: true }`, installed before the body is read) or `"body"` (the rest, after it). It
 * is installed before any route, and reads the registry at request time, so hooks registered later
 * still run before routes registered earlier — and routes registered later are covered too.
 *
 * @example
 * app.use(runBeforeHooks(registry, "headers"));
 * app.use(jsonBody(limit, isRaw));
 * app.use(runBeforeHooks(registry, "body"));
 */
export function runBeforeHooks(registry: HookRegistry, phase: "headers" | "body" = "body") {
  const headersOnly = phase === "headers";
  const isThenable = (x: unknown): x is PromiseLike<unknown> => typeof (x as PromiseLike<unknown> | undefined)?.then === "function";
  const ended = (res: ExpressResponse, next: NextFunction, result: unknown): boolean => {
    if (!(result instanceof Response) && !isWebResponse(result)) return false;
    sendWebResponse(res, result as Response).catch(next);
    return true;
  };
  // From hook `index` on; goes asynchronous from the first hook that returns a promise.
  const from = (req: Request, res: ExpressResponse, next: NextFunction, index: number): void => {
    const hooks = headersOnly ? registry.beforeBody : registry.before;
    try {
      for (let i = index; i < hooks.length; i += 1) {
        const result = hooks[i]!(req as MlflowRequest);
        if (isThenable(result)) {
          result.then((value) => (ended(res, next, value) ? undefined : from(req, res, next, i + 1)), next);
          return;
        }
        if (ended(res, next, result)) return;
      }
    } catch (error) {
      next(error);
      return;
    }
    // Every hook let the request through: now a held-back body may come (the JSON body reader
    // asks for it itself when it starts).
    if (!headersOnly) sendContinue(res);
    next();
  };
  // Hooks that answer synchronously (a cache hit) cost no promise, tick or closure. The headers
  // phase lasts until the body phase begins (the body has been read by then): parameters cannot
  // be read in between, whether a hook asks at once or after an await.
  return (req: Request, res: ExpressResponse, next: NextFunction): void => {
    markHeadersPhase(req, headersOnly);
    from(req, res, next, 0);
  };
}

// A plugin may use another realm's Response class; recognise it by shape.
function isWebResponse(x: unknown): boolean {
  return typeof x === "object" && x !== null && typeof (x as Response).status === "number" && typeof (x as Response).arrayBuffer === "function" && typeof (x as Response).headers === "object";
}

/**
 * Whether any after-request hook applies to this request; when none does, the reply skips the
 * hook machinery entirely (the hot logging routes pay nothing for an auth app's search filters).
 */
export function hasAfterHooksFor(registry: HookRegistry, req: Request): boolean {
  const after = registry.after;
  for (let i = 0; i < after.length; i += 1) if (matches(after[i]!.filter, req)) return true;
  return false;
}

function matches(filter: RouteFilter | undefined, req: Request): boolean {
  if (!filter) return true;
  if (filter.method && filter.method !== req.method) return false;
  if (filter.path && filter.path !== req.path && filter.path !== (req.route as { path?: string } | undefined)?.path) return false;
  return true;
}

/**
 * Runs the after-request hooks that match this request over a payload, each on the previous one's
 * result; a hook returning nothing keeps the payload.
 *
 * @example
 * const payload = await runAfterHooks(registry, { runs }, req);
 */
export async function runAfterHooks(registry: HookRegistry, payload: JsonObject, req: Request): Promise<JsonObject> {
  let current = payload;
  for (const { hook, filter } of registry.after) {
    if (!matches(filter, req)) continue;
    const next = await hook(current, req as MlflowRequest);
    if (next !== undefined && next !== null) current = next;
  }
  return current;
}
