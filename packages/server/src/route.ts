import type { Express, NextFunction, Request, Response } from "express";
import type { JsonObject, Logger, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { RawReply } from "./raw-reply.js";
import type { HookRegistry } from "./hooks.js";
import { sendError, sendReply } from "./reply.js";

/** HTTP methods the API uses. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A route handler: returns the payload (or a {@link RawReply}) or throws an `MlflowError`. */
export type RouteHandler = (req: MlflowRequest) => Promise<JsonObject | RawReply> | JsonObject | RawReply;

/** A route of the API, by its path below `/api/2.0` (or an absolute path with `absolute`). */
export interface RouteDefinition {
  readonly method: Method;
  readonly path: string;
  readonly handler: RouteHandler;
}

/**
 * Declares a route.
 *
 * @example
 * route("GET", "/mlflow/runs/get", async (req) => ({ run: await store.getRun(runIdOf(req)) }));
 */
export function route(method: Method, path: string, handler: RouteHandler): RouteDefinition {
  return { method, path, handler };
}

/**
 * Registers a handler on Express so that its result goes through {@link sendReply} and its errors
 * through {@link sendError}: handlers never touch `res`.
 *
 * @example
 * mountRoute(app, "GET", "/health", () => text("OK"), registry, logger);
 */
export function mountRoute(app: Express, method: Method, path: string, handler: RouteHandler, registry: HookRegistry, logger: Logger): void {
  const wrapped = (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    let result: ReturnType<RouteHandler>;
    try {
      result = handler(req as MlflowRequest);
    } catch (error) {
      sendError(res, error, logger, req);
      return Promise.resolve();
    }
    return Promise.resolve(result).then(
      (value) => sendReply(req, res, value, registry),
      (error: unknown) => sendError(res, error, logger, req),
    ).catch((error: unknown) => sendError(res, error, logger, req));
  };
  const lower = method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
  app[lower](path, wrapped);
}
