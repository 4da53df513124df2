import { invalidParameter, missingParameterMessage } from "@mlflow-ts/protocol";
import type { MlflowRequest } from "@mlflow-ts/plugin-api";

/**
 * A request's parameters where MLflow's auth reads them: the query for GET, the JSON body for
 * POST/PATCH, and for DELETE the body when there is one, else the query.
 *
 * @example
 * paramsOf(req).experiment_id;
 */
export function paramsOf(req: MlflowRequest): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const query = req.query as Record<string, unknown>;
  if (req.method === "GET" || req.method === "HEAD") return Object.keys(query).length > 0 ? query : body;
  if (req.method === "DELETE" && Object.keys(body).length === 0) return query;
  return body;
}

/**
 * A required string parameter (first value of a repeated query key); 400 with MLflow's message when
 * missing. `run_id` falls back to `run_uuid`, as MLflow does.
 *
 * @example
 * requiredParam(req, "experiment_id");
 */
export function requiredParam(req: MlflowRequest, name: string): string {
  const params = paramsOf(req);
  let value = params[name];
  if ((value === undefined || value === "") && name === "run_id") value = params.run_uuid;
  if (Array.isArray(value)) value = value[0];
  if (value === undefined || value === null || value === "") throw invalidParameter(missingParameterMessage(name));
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied.`);
  return value;
}
