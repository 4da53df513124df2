import { MlflowError } from "@mlflow-ts/protocol";
import { responseError } from "./response-error.js";

/** Options of {@link RestClient}. */
export interface RestClientOptions {
  /** Extra headers on every request, for example `Authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Basic credentials, sent as `Authorization: Basic …` (MLFLOW_TRACKING_USERNAME/PASSWORD). */
  readonly username?: string;
  readonly password?: string;
  /** A bearer token (MLFLOW_TRACKING_TOKEN), used when no basic credentials are given. */
  readonly token?: string;
  /** The fetch to use (tests, proxies). */
  readonly fetch?: typeof fetch;
}

type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/**
 * The REST transport every client builds on: JSON in and out, MLflow's error JSON turned into
 * `MlflowError` (status-derived codes when the body is not JSON, as the Python client does).
 * App clients extend it.
 *
 * @example
 * class MyClient extends RestClient { ping() { return this.request("GET", "/api/2.0/my/ping"); } }
 */
export class RestClient {
  readonly trackingUri: string;
  protected readonly headers: Record<string, string>;
  protected readonly fetchFn: typeof fetch;
  /** Whether the caller gave its own `fetch`: streamed file transfers then go through it too. */
  protected readonly customFetch: boolean;

  constructor(trackingUri: string, options: RestClientOptions = {}) {
    this.trackingUri = trackingUri.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch;
    this.customFetch = options.fetch !== undefined;
    this.headers = { ...options.headers };
    if (options.username !== undefined && options.password !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
    } else if (options.token) this.headers.Authorization = `Bearer ${options.token}`;
  }

  /**
   * Sends one request. GET and DELETE-with-query parameters go in the query string (lists as
   * repeated keys); others as a JSON body. Resolves to the parsed JSON object (`{}` when empty).
   *
   * @example
   * await client.request("GET", "/api/2.0/mlflow/runs/get", { run_id: id });
   */
  async request<T = Record<string, unknown>>(method: string, path: string, params?: Readonly<Record<string, unknown>>): Promise<T> {
    let url = `${this.trackingUri}${path}`;
    const init: RequestInit = { method, headers: { ...this.headers } };
    if (method === "GET" || (method === "DELETE" && params === undefined)) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(params ?? {}) as [string, QueryValue][]) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const v of value) query.append(key, String(v));
        else query.append(key, String(value));
      }
      const qs = query.toString();
      if (qs) url += `?${qs}`;
    } else if (params !== undefined) {
      init.body = JSON.stringify(params);
      (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    }
    const response = await this.fetchFn(url, init);
    const body = await response.text();
    let parsed: unknown;
    try {
      parsed = body === "" ? {} : JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw responseError(response.status, body, path);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new MlflowError("INTERNAL_ERROR", `API request to ${path} returned a non-JSON-object body: '${body.slice(0, 200)}'`);
    }
    return parsed as T;
  }
}
