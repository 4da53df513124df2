import querystring from "node:querystring";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Infer, Schema } from "@mlflow-ts/protocol";
import type { AfterRequestHook, AppContext, AppStores, ArtifactStore, BeforeRequestHook, BeforeRequestOptions, EndpointHandler, EndpointMethod, HealthCheck, LifecycleHook, Logger, ResponseListener, MlflowApp, MlflowRequest, RouteFilter, RouteInfo, ServerConfig, StoreScope, UiExtension } from "@mlflow-ts/plugin-api";
import { createHookRegistry, runBeforeHooks } from "./hooks.js";
import { jsonBody } from "./json-body.js";
import { baseRoutes, type ServerStores } from "./base-routes.js";
import { listExpressRoutes } from "./list-routes.js";
import { finalHandler } from "./final-handler.js";
import type { RequestLogFields } from "./logger.js";
import { EndpointTable } from "./endpoint-table.js";
import { attachReadings, dispatchEndpoints, matchedEndpoint } from "./request-reading.js";
import { mountWebUi, uiManifestRoute, type WebUiOptions } from "./web-ui.js";
import { createMetrics } from "./metrics.js";
import { registerRootArtifacts } from "./artifact-access.js";
import { attachLifecycle, createLifecycle, runHealthChecks } from "./app-lifecycle.js";

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** The logger; access lines go to its `request` method when it has one. */
  readonly logger: Logger & { request?(fields: RequestLogFields): void };
  /** The built web UI to serve at `<static prefix>/`; none when absent. */
  readonly webUi?: WebUiOptions;
  /**
   * Resolves when the database answers, rejects when it does not: `/health` answers 503
   * "database unavailable" then, so a load balancer tells a replica that is up from one that can
   * serve. Without it `/health` is always "OK".
   */
  readonly databaseHealth?: () => Promise<void>;
  /**
   * The store at `config.defaultArtifactRoot` when that names storage (`s3://…`, with
   * `--no-serve-artifacts`): the UI's downloads, model-version files and trace data of experiments
   * below it are read from there. Without it such locations answer 501 naming their scheme.
   */
  readonly rootArtifacts?: ArtifactStore;
}

const TABLE = Symbol("mlflow.endpointTable");

/** The status response listeners get for a request whose client left before the response was sent. */
const CLIENT_CLOSED_REQUEST = 499;

// Bodies that are raw bytes (artifact uploads) are never buffered as JSON: the endpoint says so,
// and an app's own PUT route gets its stream untouched.
function isRawBody(req: Request): boolean {
  const match = matchedEndpoint(req);
  return match ? match.endpoint.rawBody === true : req.method === "PUT";
}

/**
 * Builds the base server as an {@link MlflowApp}: the Express app with the tracking routes, the
 * before/after-request hooks and the app context. It never listens: see `startServer`.
 *
 * Order of the middleware, which is the lifecycle: request state → access log → endpoint match
 * and parameter reading (lazy) → JSON body → before-request hooks → the matched endpoint (base
 * routes and `app.endpoint`s) → Express routes apps add → `finalHandler` (given to the app as its
 * `next` by {@link createRequestListener}, so it stays last whatever apps register).
 *
 * @example
 * const app = createServer(config, { tracking }, { logger });
 * app.beforeRequest((req) => …);
 * await startServer(app, { host: "127.0.0.1", port: 0 });
 */
export function createServer(config: ServerConfig, storesIn: ServerStores, options: CreateServerOptions): MlflowApp {
  const logger = options.logger;
  if (options.rootArtifacts) registerRootArtifacts(config, options.rootArtifacts);
  // --expose-prometheus: requests and store calls are measured; apps see the measured stores too.
  const metrics = config.exposePrometheus !== undefined ? createMetrics() : undefined;
  const stores = metrics ? metrics.instrument(storesIn) : storesIn;
  const registry = createHookRegistry();
  const table = new EndpointTable();
  const app = express() as unknown as MlflowApp & { [TABLE]: EndpointTable };
  app.disable("x-powered-by");
  app.set("etag", false);
  // Express routes of apps match as the endpoint table does: exact case, no trailing slash.
  app.set("case sensitive routing", true);
  app.set("strict routing", true);
  // Every key of the query string (Node's default stops at 1,000): bulk endpoints take up to 100
  // repeated IDs plus their other keys, and URLs are capped at 16 KiB anyway.
  app.set("query parser", (text: string) => querystring.parse(text, undefined, undefined, { maxKeys: 0 }));

  const lifecycle = createLifecycle(logger);
  attachLifecycle(app, lifecycle);
  const context: AppContext = Object.freeze({ config, logger, stores, events: lifecycle.events });
  Object.defineProperty(app, "context", { value: context, enumerable: true });
  app.beforeRequest = function (hook: BeforeRequestHook, options?: BeforeRequestOptions) {
    (options?.beforeBody ? registry.beforeBody : registry.before).push(hook);
    return this;
  };
  app.afterRequest = function (hook: AfterRequestHook, filter?: RouteFilter) {
    // Upper-cased once here, not on every reply. A later app's hooks run before an earlier one's
    // (Flask's order: the last app applied wraps the others); one app's run in its own order.
    const entry = { hook, filter: filter?.method ? { ...filter, method: filter.method.toUpperCase() } : filter, app: lifecycle.current };
    const at = registry.after.findIndex((e) => e.app < entry.app);
    if (at < 0) registry.after.push(entry);
    else registry.after.splice(at, 0, entry);
    return this;
  };
  app.onReady = function (hook: LifecycleHook) {
    lifecycle.ready.push({ app: lifecycle.current, hook });
    return this;
  };
  app.onClose = function (hook: LifecycleHook) {
    lifecycle.close.push({ app: lifecycle.current, hook });
    return this;
  };
  app.health = function (name: string, check: HealthCheck) {
    if (typeof name !== "string" || name === "" || lifecycle.health.some((h) => h.name === name)) throw new Error(`app.health: '${name}' is empty or already reports on /health`);
    lifecycle.health.push({ app: lifecycle.current, name, check });
    return this;
  };
  // Apps' store scopes (auth apps): each request's handler reaches data through their composition.
  const scopes: StoreScope[] = [];
  app.scopeStores = function (scope: StoreScope) {
    scopes.push(scope);
    return this;
  };
  const storesFor = (req: MlflowRequest): AppStores => {
    let scoped: AppStores = stores;
    for (const scope of scopes) scoped = scope(req, scoped);
    return scoped;
  };
  app.endpoint = function <S extends Schema>(method: EndpointMethod, paths: string | readonly string[], schema: S, handler: EndpointHandler<Infer<S>>) {
    for (const path of typeof paths === "string" ? [paths] : paths) table.add({ method, path, schema, handler });
    return this;
  };
  app.listRoutes = (): RouteInfo[] => [...table.list(), ...listExpressRoutes(app)];
  const extensions = new Map<string, UiExtension>();
  const uiOwners = new Map<string, number>();
  app.ui = function (name: string, extension: UiExtension) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`app.ui: '${name}' is not a valid name (lower-case letters, digits and '-')`);
    if (extensions.has(name)) {
      const owner = uiOwners.get(name) ?? 0;
      throw new Error(`app.ui: '${name}' already contributes to the UI (registered by ${owner === 0 ? "the server" : `the app '${lifecycle.apps[owner - 1]?.name}'`})`);
    }
    for (const page of extension.pages ?? []) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(page.id)) throw new Error(`app.ui(${name}): page id '${page.id}' is not valid (lower-case letters, digits and '-')`);
      if (!page.module.startsWith("/") || page.module.startsWith("//")) throw new Error(`app.ui(${name}): page '${page.id}' module must be a path on this server ('/…'), not '${page.module}'`);
    }
    extensions.set(name, extension);
    uiOwners.set(name, lifecycle.current);
    return this;
  };
  const responseListeners: ResponseListener[] = [];
  app.onResponse = function (listener: ResponseListener) {
    responseListeners.push(listener);
    return this;
  };
  app.listUi = () => [...extensions].map(([name, extension]) => ({ name, pages: (extension.pages ?? []).map((p) => p.id) }));

  app.use((req: Request, res: Response, next: NextFunction) => {
    (req as Request & { state: object }).state = {};
    if (responseListeners.length > 0) {
      const started = process.hrtime.bigint();
      // A client that hangs up before its response is sent gets no 'finish', only 'close': told
      // once, with status 499 (nginx's "client closed request"), so an audit trail sees it too.
      let told = false;
      const tell = () => {
        if (told) return;
        told = true;
        const info = { status: res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST, ms: Number(process.hrtime.bigint() - started) / 1e6 };
        for (const listener of responseListeners) {
          try {
            listener(req as MlflowRequest, info);
          } catch (error) {
            logger.error("an app's response listener failed", { path: req.path, error: String((error as Error)?.message ?? error) });
          }
        }
      };
      res.once("finish", tell);
      res.once("close", tell);
    }
    if (metrics) {
      const started = process.hrtime.bigint();
      res.on("finish", () => metrics.observeRequest(req, res, Number(process.hrtime.bigint() - started) / 1e9));
    }
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
  app.use(attachReadings(table, storesFor));
  // Authentication runs on the headers: a request refused there never has its body read.
  app.use(runBeforeHooks(registry, "headers"));
  app.use(jsonBody(config.maxBodyBytes, isRawBody));
  app.use(runBeforeHooks(registry, "body"));
  app.use(dispatchEndpoints(registry, logger));

  const healthDetail = async () => ({
    apps: lifecycle.apps.map((a) => ({ name: a.name, ...(a.packageName ? { package: a.packageName } : {}), ...(a.packageVersion ? { version: a.packageVersion } : {}) })),
    checks: await runHealthChecks(lifecycle),
  });
  for (const r of baseRoutes(config, stores, options.databaseHealth, healthDetail)) {
    for (const path of r.paths) table.add({ method: r.method, path, schema: r.schema, handler: r.handler, rawBody: r.rawBody });
  }
  if (metrics) {
    table.add({
      method: "GET",
      path: "/metrics",
      schema: {},
      handler: async () => new Response(await metrics.registry.metrics(), { headers: { "Content-Type": metrics.registry.contentType } }),
    });
  }
  const manifest = uiManifestRoute(extensions);
  table.add({ method: manifest.method, path: `${config.staticPrefix}/ajax-api/2.0${manifest.path}`, schema: manifest.schema, handler: manifest.handler });
  if (options.webUi) mountWebUi(app, config.staticPrefix, options.webUi);
  app[TABLE] = table;
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
  const table = (app as unknown as { [TABLE]?: EndpointTable })[TABLE] ?? new EndpointTable();
  const handle = app as unknown as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
  return (req, res) => {
    handle(req, res, (err?: unknown) => finalHandler(req as Request, res as Response, err, (path) => table.methodsAt(path), app.context.logger));
  };
}
