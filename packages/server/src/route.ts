import type { Request, Response as ExpressResponse } from "express";
import type { Infer, Schema } from "@mlflow-ts/protocol";
import type { JsonObject, Logger, MlflowRequest } from "@mlflow-ts/plugin-api";
import { RawReply } from "./raw-reply.js";
import type { HookRegistry } from "./hooks.js";
import { sendError, sendReply } from "./reply.js";
import { sendWebResponse } from "./send-web-response.js";

/** HTTP methods the API uses. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a handler returns: a JSON payload, a {@link RawReply} (files, text) or a WHATWG `Response`. */
export type RouteResult = JsonObject | RawReply | Response;

/**
 * A route handler: gets the parameters its schema read (the frozen object hooks saw) and the
 * request; returns the answer or throws an `MlflowError`.
 */
// The params type is erased in the table; route() checks it against the schema at the call site.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RouteHandler = (params: any, req: MlflowRequest) => Promise<RouteResult> | RouteResult;

/** A route of the API, by its path below `/api/2.0` (or an absolute path where the route says so). */
export interface RouteDefinition {
  readonly method: Method;
  readonly path: string;
  readonly schema: Schema;
  readonly handler: RouteHandler;
  /** The handler streams the body itself (artifact uploads). */
  readonly rawBody?: boolean;
}

/**
 * Declares a route with the schema of its parameters; the handler gets them parsed.
 *
 * @example
 * route("GET", "/mlflow/runs/get", { run_id: f.or(f.string(true), "run_uuid") }, async (p) => ({ run: await store.getRun(p.run_id) }));
 */
export function route<S extends Schema>(
  method: Method,
  path: string,
  schema: S,
  handler: (params: Readonly<Infer<S>>, req: MlflowRequest) => Promise<RouteResult> | RouteResult,
  options: { rawBody?: boolean } = {},
): RouteDefinition {
  return { method, path, schema, handler, ...(options.rawBody ? { rawBody: true } : {}) };
}

/**
 * Runs a handler on its parameters and writes what it returns through {@link sendReply} (or its
 * error through {@link sendError}): handlers never touch `res`.
 *
 * @example
 * runHandler(endpoint.handler, params, req, res, registry, logger);
 */
export function runHandler(handler: RouteHandler, params: unknown, req: Request, res: ExpressResponse, registry: HookRegistry, logger: Logger): Promise<void> {
  let result: ReturnType<RouteHandler>;
  try {
    result = handler(params, req as MlflowRequest);
  } catch (error) {
    sendError(res, error, logger, req);
    return Promise.resolve();
  }
  return Promise.resolve(result)
    .then(
      (value) => (value instanceof Response ? sendWebResponse(res, value) : sendReply(req, res, value as JsonObject | RawReply, registry)),
      (error: unknown) => sendError(res, error, logger, req),
    )
    .catch((error: unknown) => sendError(res, error, logger, req));
}
