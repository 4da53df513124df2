import { requestParams, type MlflowRequest, type RequestParams } from "@mlflow-ts/plugin-api";
import { outcomeOf, type AuditEntry } from "./audit-entry.js";
import { resourceIds } from "./resource-ids.js";
import { isStateChanging } from "./is-state-changing.js";
import { endpointOf, pathOf } from "./request-context.js";
import { isoTime } from "./iso-time.js";

/**
 * The parameters as the handler used them, or undefined when they cannot be read: a request
 * refused before its body was read, or whose parameters did not parse.
 */
function paramsOf(req: MlflowRequest): RequestParams | undefined {
  try {
    return requestParams(req);
  } catch {
    return undefined;
  }
}

/**
 * The audit entry of a finished response, or undefined when the request only read
 * ({@link isStateChanging}). Who is `req.state.authorization?.username` (null: anonymous, or no
 * app identifies callers); the resource is the ids of the parameters the handler used.
 *
 * @example
 * app.onResponse((req, response) => {
 *   const entry = requestEntry(req, response);
 *   if (entry) sink.write(entry);
 * });
 */
export function requestEntry(req: MlflowRequest, response: { readonly status: number; readonly ms: number }): AuditEntry | undefined {
  const method = req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return undefined;
  const endpoint = endpointOf(req);
  let params: RequestParams | undefined;
  let read = false;
  const lazyParams = () => {
    if (!read) [params, read] = [paramsOf(req), true];
    return params;
  };
  if (!isStateChanging(method, endpoint, lazyParams)) return undefined;
  // One shape for every entry (an absent resource is undefined, which JSON leaves out): building
  // and serialising it stays on V8's fast paths.
  return {
    time: isoTime(),
    kind: "request",
    user: req.state?.authorization?.username ?? null,
    method,
    endpoint: endpoint ?? null,
    path: pathOf(req),
    status: response.status,
    outcome: outcomeOf(response.status),
    resource: resourceIds(lazyParams()),
    ms: Math.round(response.ms * 100) / 100,
  };
}
