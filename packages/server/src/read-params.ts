import type { Request } from "express";
import { bodyErrorOf } from "./json-body.js";
import { parseObject, type Infer, type Schema } from "./params.js";

function hasQuery(req: Request): boolean {
  return req.url.includes("?") && Object.keys(req.query as object).length > 0;
}

/**
 * Reads a route's parameters where MLflow reads them: the query string for GET (or the JSON body
 * when a GET has no query string), the JSON body for every other method (or the query string when
 * there is no body, as MLflow's auth routes accept for DELETE).
 *
 * @example
 * const { experiment_id } = readParams({ experiment_id: f.string(true) }, req);
 */
export function readParams<S extends Schema>(schema: S, req: Request): Infer<S> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const bodyEmpty = Object.keys(body).length === 0;
  if (req.method === "GET" || req.method === "HEAD") {
    if (hasQuery(req) || bodyEmpty) return parseObject(schema, req.query as Record<string, unknown>, true);
  }
  const error = bodyErrorOf(req);
  if (error) throw error;
  if (bodyEmpty && hasQuery(req)) return parseObject(schema, req.query as Record<string, unknown>, true);
  return parseObject(schema, body, false);
}
