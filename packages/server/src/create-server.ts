import express, { type NextFunction, type Request, type Response } from "express";
import type { AfterRequestHook, AppContext, BeforeRequestHook, Logger, MlflowApp, RouteFilter, RouteInfo, ServerConfig } from "@mlflow-ts/plugin-api";
import { createHookRegistry, runBeforeHooks } from "./hooks.js";
import { jsonBody } from "./json-body.js";
import { mountRoute } from "./route.js";
import { baseRoutes, type ServerStores } from "./base-routes.js";
import { listExpressRoutes } from "./list-routes.js";
import { finalHandler } from "./final-handler.js";
import type { RequestLogFields } from "./logger.js";

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** The logger; access lines go to its `request` method when it has one. */
  readonly logger: Logger & { request?(fields: RequestLogFields): void };
}

const KNOWN_PATHS = Symbol("mlflow.knownPaths");

// Paths whose bodies are raw bytes (artifact uploads), never buffered as JSON.
function isRawBodyPath(req: Request): boolean {
  return req.method === "PUT" || req.path.endsWith("/mlflow/upload-artifact");
}

/**
 * Builds the base server as an {@link MlflowApp}: the Express app with the tracking routes, the
 * before/after-request hooks and the app context. It never listens: see `startServer`.
 *
 * Order of the middleware, which is the lifecycle: request state → access log → JSON body →
 * before-request hooks → routes (base, then whatever apps add) → `finalHandler` (given to the app
 * as its `next` by {@link createRequestListener}, so it stays last whatever apps register).
 *
 * @example
 * const app = createServer(config, { tracking }, { logger });
 * app.beforeRequest((req) => …);
 * await startServer(app, { host: "127.0.0.1", port: 0 });
 */
export function createServer(config: ServerConfig, stores: ServerStores, options: CreateServerOptions): MlflowApp {
  const logger = options.logger;
  const registry = createHookRegistry();
  const app = express() as unknown as MlflowApp & { [KNOWN_PATHS]: Map<string, string[]> };
  app.disable("x-powered-by");
  app.set("etag", false);

  const context: AppContext = Object.freeze({ config, logger, stores });
  Object.defineProperty(app, "context", { value: context, enumerable: true });
  app.beforeRequest = function (hook: BeforeRequestHook) {
    registry.before.push(hook);
    return this;
  };
  app.afterRequest = function (hook: AfterRequestHook, filter?: RouteFilter) {
    // Upper-cased once here, not on every reply.
    registry.after.push({ hook, filter: filter?.method ? { ...filter, method: filter.method.toUpperCase() } : filter });
    return this;
  };
  app.listRoutes = (): RouteInfo[] => listExpressRoutes(app);

  app.use((req: Request, res: Response, next: NextFunction) => {
    (req as Request & { state: object }).state = {};
    if (options.logger.request) {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        options.logger.request!({
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      });
    }
    next();
  });
  app.use(jsonBody(config.maxBodyBytes, isRawBodyPath));
  app.use(runBeforeHooks(registry));

  const known = new Map<string, string[]>();
  for (const r of baseRoutes(config, stores)) {
    for (const path of r.paths) {
      mountRoute(app, r.method, path, r.handler, registry, logger);
      known.set(path, [...(known.get(path) ?? []), r.method]);
    }
  }
  app[KNOWN_PATHS] = known;
  return app;
}

/**
 * The Node request listener of an app: Express routing with {@link finalHandler} as the last step,
 * so unknown routes and errors get MLflow's JSON whatever an app registered.
 *
 * @example
 * http.createServer(createRequestListener(app)).listen(5000);
 */
export function createRequestListener(app: MlflowApp): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void {
  const known = (app as unknown as { [KNOWN_PATHS]?: Map<string, string[]> })[KNOWN_PATHS] ?? new Map<string, string[]>();
  const handle = app as unknown as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
  return (req, res) => {
    handle(req, res, (err?: unknown) => finalHandler(req as Request, res as Response, err, known, app.context.logger));
  };
}
