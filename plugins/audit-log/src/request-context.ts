import { requestEndpoint, type MlflowRequest } from "@mlflow-ts/plugin-api";

const MAX_PATH = 1024;

/**
 * The route pattern of a request: the server's endpoint, else the Express route of an app
 * (`app.post(…)`); undefined for a path no route matched.
 *
 * @example
 * endpointOf(req); // "/api/2.0/mlflow/logged-models/:model_id"
 */
export function endpointOf(req: MlflowRequest): string | undefined {
  try {
    const endpoint = requestEndpoint(req);
    if (endpoint) return endpoint.path;
  } catch {
    // A request that failed before the server read it (a malformed URL) has no reading.
  }
  const route = (req as { route?: { path?: unknown } }).route;
  return typeof route?.path === "string" ? route.path : undefined;
}

/**
 * The path the client asked for, without its query string (which may carry anything), clipped to
 * 1,024 characters.
 *
 * @example
 * pathOf(req); // "/api/2.0/mlflow/runs/log-metric"
 */
export function pathOf(req: MlflowRequest): string {
  const url = req.originalUrl ?? req.url ?? "";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

/**
 * Where an event happened: the method, endpoint pattern and path of its request.
 *
 * @example
 * const { method, endpoint, path } = requestEntryContext(event.req);
 */
export function requestEntryContext(req: MlflowRequest): { method: string; endpoint: string | null; path: string } {
  return { method: req.method, endpoint: endpointOf(req) ?? null, path: pathOf(req) };
}
