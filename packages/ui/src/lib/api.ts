// The UI's only way to the server: MLflow's public REST API under the static prefix (ajax-api, as
// MLflow's own UI calls it), so it works the same behind any auth app.

/** An error answer of the API: MLflow's `error_code` and `message`, and the HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

/**
 * A URL on the server: `/api/…` (the REST API, never below the static prefix) from the server's
 * root; any other path below the page's own directory (`<static prefix>/`), whatever the prefix.
 */
export function serverUrl(path: string, query?: Query): string {
  const base = new URL(".", window.location.href.split("#")[0]);
  const url = /^\/api\//.test(path) ? new URL(path, base.origin) : new URL(path.replace(/^\//, ""), base);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/**
 * Calls the server with JSON in and out.
 *
 * @example
 * const { experiment } = await request("GET", "ajax-api/2.0/mlflow/experiments/get", { query: { experiment_id: "1" } });
 */
export async function request<T = Record<string, unknown>>(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(serverUrl(path, options.query), {
    method,
    headers: options.body === undefined ? {} : { "Content-Type": "application/json" },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    credentials: "same-origin",
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    if (!response.ok) throw new ApiError(text.slice(0, 300) || response.statusText, response.status, undefined);
  }
  if (!response.ok) throw new ApiError(String(json.message ?? response.statusText), response.status, json.error_code as string | undefined);
  return json as T;
}

const API = "ajax-api/2.0/mlflow";

/** GET below `ajax-api/2.0/mlflow`. */
export const get = <T = Record<string, unknown>>(path: string, query?: Query, signal?: AbortSignal) => request<T>("GET", `${API}/${path}`, { query, signal });
/** POST below `ajax-api/2.0/mlflow`. */
export const post = <T = Record<string, unknown>>(path: string, body: unknown, signal?: AbortSignal) => request<T>("POST", `${API}/${path}`, { body, signal });
/** PATCH below `ajax-api/2.0/mlflow`. */
export const patch = <T = Record<string, unknown>>(path: string, body: unknown) => request<T>("PATCH", `${API}/${path}`, { body });
/** DELETE below `ajax-api/2.0/mlflow`. */
export const del = <T = Record<string, unknown>>(path: string, body: unknown) => request<T>("DELETE", `${API}/${path}`, { body });

/** The URL that downloads one artifact of a run (MLflow's `get-artifact`). */
export function artifactUrl(runId: string, path: string): string {
  return serverUrl("get-artifact", { path, run_uuid: runId });
}

/** The URL of a model version's artifact. */
export function modelVersionArtifactUrl(name: string, version: string, path: string): string {
  return serverUrl("model-versions/get-artifact", { path, name, version });
}
