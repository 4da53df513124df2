import type { Express, Request } from "express";
import type { Infer, Schema } from "@mlflow-ts/protocol";
import type { Logger, ServerConfig } from "./config.js";
import type { AppStores } from "./stores.js";
import type { UiExtension } from "./ui-extension.js";
import type { InferSettings, SettingsSchema } from "./app-settings.js";
import type { AppEvents } from "./app-events.js";

/**
 * Who the caller is, as an authentication function or hook decided it.
 *
 * @example
 * const auth: Authorization = { username: "alice", type: "basic" };
 */
export interface Authorization {
  readonly username: string;
  /** The scheme that authenticated the caller: `basic`, `bearer`, `jwt`, … */
  readonly type?: string;
}

/**
 * Per-request state that hooks fill and later hooks and handlers read. Apps extend it by
 * declaration merging:
 *
 * @example
 * declare module "@mlflow-ts/plugin-api" {
 *   interface RequestState { tenant?: string }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RequestState {
  /** Set by an authentication hook once the caller is known. */
  authorization?: Authorization;
}

/** An Express request carrying the typed {@link RequestState}. */
export type MlflowRequest = Request & { state: RequestState };

// Every request the server handles carries the state (the server sets it first thing), so it is
// typed in plain Express handlers too — `app.get(path, (req, res) => req.state.authorization)` —
// not only in hooks.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      state: RequestState;
    }
  }
}

/** A JSON object payload, as a route returns it before serialisation. */
export type JsonObject = { [key: string]: unknown };

/**
 * Runs before every route — base routes and routes added later, whatever the order. Return a
 * WHATWG `Response` (or throw an `MlflowError`) to end the request; return nothing to go on.
 *
 * @example
 * app.beforeRequest((req) => req.get("authorization") ? undefined : new Response("no", { status: 401 }));
 */
export type BeforeRequestHook = (req: MlflowRequest) => Response | void | Promise<Response | void>;

/**
 * Runs after a successful route on its JSON payload, while it is still an object; may return a
 * replacement payload.
 *
 * @example
 * app.afterRequest((payload) => ({ ...payload, served_by: "me" }), { method: "GET", path: "/api/2.0/mlflow/runs/get" });
 */
export type AfterRequestHook = (payload: JsonObject, req: MlflowRequest) => JsonObject | void | Promise<JsonObject | void>;

/** Limits an after-request hook to one route: a method and a path (`req.path` or the route pattern). */
export interface RouteFilter {
  readonly method?: string;
  readonly path?: string;
}

/** A route registered on the app. */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
}

/**
 * What the server gives an app: its configuration, its logger, its stores, and the events apps
 * tell each other about (sign-ins, permission changes).
 */
export interface AppContext {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly stores: AppStores;
  readonly events: AppEvents;
}

/**
 * What an app reports about itself on `/health?detail` (admins only): whether it can serve, and a
 * short detail that never carries secrets.
 *
 * @example
 * const report: HealthReport = { ok: true, detail: { queued: 0 } };
 */
export interface HealthReport {
  readonly ok: boolean;
  readonly detail?: string | Readonly<Record<string, unknown>>;
}

/**
 * A health contribution: called on each `/health?detail`, bounded by the server (a check that
 * takes over 2 s reports not ok).
 *
 * @example
 * app.health("audit-log", () => ({ ok: writer.healthy, detail: { file: writer.path } }));
 */
export type HealthCheck = () => HealthReport | Promise<HealthReport>;

/**
 * What {@link MlflowApp.onResponse} listeners learn about a finished response.
 *
 * @example
 * const listener: ResponseListener = (req, { status, ms }) => console.log(req.method, req.path, status, ms);
 */
export type ResponseListener = (req: MlflowRequest, response: { readonly status: number; readonly ms: number }) => void;

/**
 * A lifecycle hook: `onReady` ones run once the server listens, `onClose` ones when it stops (after
 * in-flight requests finished, before the database closes; in reverse order of the apps; each
 * bounded so a stuck hook cannot hold the shutdown).
 *
 * @example
 * app.onClose(() => writer.flush());
 */
export type LifecycleHook = () => void | Promise<void>;

/** The HTTP methods an {@link MlflowApp.endpoint} may answer. */
export type EndpointMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * What an endpoint handler returns: a JSON payload (after-request hooks see it, then it is
 * serialised with status 200) or a WHATWG `Response` written as it is.
 */
export type EndpointResult = JsonObject | Response;

/**
 * An endpoint handler: gets the parameters its schema parsed (the same frozen object hooks saw
 * through `requestParams`) and the request; returns the answer or throws an `MlflowError`.
 *
 * @example
 * const handler: EndpointHandler<{ name: string }> = async ({ name }) => ({ greeting: `hi ${name}` });
 */
export type EndpointHandler<P> = (params: Readonly<P>, req: MlflowRequest) => EndpointResult | Promise<EndpointResult>;

/**
 * The base Express application plus Flask's two hooks and the server's context.
 *
 * Lifecycle of a request: routing → before-request hooks (in registration order) → handler →
 * after-request hooks (JSON payload still an object) → serialisation → response sent.
 */
export interface MlflowApp extends Express {
  /**
   * Adds a before-request hook. With `{ beforeBody: true }` it runs on the headers alone, before
   * the server reads a JSON body — where authentication belongs, so a caller who is refused never
   * has a body buffered (and a client sending `Expect: 100-continue` never sends it); such a hook
   * must not call `requestParams`. Others run once the body is read, in registration order.
   *
   * @example
   * app.beforeRequest((req) => (req.get("authorization") ? undefined : new Response("Unauthorized", { status: 401 })), { beforeBody: true });
   */
  beforeRequest(hook: BeforeRequestHook, options?: BeforeRequestOptions): this;
  afterRequest(hook: AfterRequestHook, filter?: RouteFilter): this;
  /**
   * Makes every handler of this server — REST, GraphQL resolvers, the artifact proxy, the UI's
   * endpoints — reach data through the stores `scope` returns for its request (see
   * {@link StoreScope} and `requestStores`). This is where an auth app decides on the data a
   * handler really touches; request-level hooks may still refuse early.
   *
   * @example
   * app.scopeStores((req, stores) => forCaller(stores, callerOf(req)));
   */
  scopeStores(scope: StoreScope): this;
  readonly context: AppContext;
  /**
   * Adds an endpoint the way the server declares its own: a method, one or more paths (Express
   * patterns: `/api/2.0/x/:id`), a parameter schema and a handler that returns its answer. The
   * server reads the parameters once by that schema before any hook runs, so `requestParams(req)`
   * in a hook and `params` in the handler are the same frozen object, and `requestEndpoint(req)`
   * names this endpoint. Prefer this to `app.get(...)` for anything an authorization rule must see.
   *
   * @example
   * app.endpoint("GET", "/api/2.0/acme/greet", { name: f.string(true) }, ({ name }) => ({ greeting: `hi ${name}` }));
   */
  endpoint<S extends Schema>(method: EndpointMethod, paths: string | readonly string[], schema: S, handler: EndpointHandler<Infer<S>>): this;
  /** Every route registered so far (method and path pattern), base and app routes alike. */
  listRoutes(): RouteInfo[];
  /**
   * Runs `hook` once the server listens and before it is reported ready (awaited: a hook that
   * throws stops the start-up with its error).
   *
   * @example
   * app.onReady(() => app.context.logger.info("audit log open"));
   */
  onReady(hook: LifecycleHook): this;
  /**
   * Runs `hook` on shutdown, after in-flight requests finished and before the stores close; the
   * shutdown waits for it (10 s at most; errors are logged).
   *
   * @example
   * app.onClose(() => writer.close());
   */
  onClose(hook: LifecycleHook): this;
  /**
   * Adds a section to `/health?detail` (admins only): `name` → what `check` reports.
   *
   * @example
   * app.health("oidc-auth", async () => ({ ok: await issuerReachable() }));
   */
  health(name: string, check: HealthCheck): this;
  /**
   * Observes every response once it is sent, whatever answered it — a handler, a hook that refused
   * the request, an error, an unknown route: an audit trail sees refused attempts too. Called after
   * the response, so it cannot change it; it must not throw (errors are logged) and should queue
   * slow work. A request whose client closed the connection before its response was sent is told
   * too, once, with status 499 (its handler may still be running).
   *
   * @example
   * app.onResponse((req, { status }) => { if (req.method !== "GET") queue.push({ path: req.path, status }); });
   */
  onResponse(listener: ResponseListener): this;
  /** The UI contributions registered so far: each `app.ui` name with its page ids. */
  listUi(): { readonly name: string; readonly pages: readonly string[] }[];
  /**
   * Contributes to the web UI: pages it lists and opens, and who is signed in. `name` identifies
   * the app in the UI's routes (`#/apps/<name>/<page>`); an app calls this once.
   *
   * @example
   * app.ui("acme-auth", { pages: [{ id: "tokens", title: "Tokens", module: "/acme/ui.js", navigation: "account" }] });
   */
  ui(name: string, extension: UiExtension): this;
}

/**
 * Options of `app.beforeRequest`.
 *
 * @example
 * app.beforeRequest(identify, { beforeBody: true });
 */
export interface BeforeRequestOptions {
  /** Run on the headers alone, before a JSON body is read (authentication). */
  readonly beforeBody?: boolean;
}

/**
 * Scopes the stores of a request to its caller: gets the request (its before-request hooks have
 * run, so the caller is known) and the stores so far, returns the stores the handler must use.
 * Called at most once per request, on the first data access. Scopes of several apps compose in
 * registration order.
 *
 * @example
 * app.scopeStores((req, stores) => (isAdmin(req) ? stores : guardedStores(stores, callerOf(req))));
 */
export type StoreScope = (req: MlflowRequest, stores: AppStores) => AppStores;

/**
 * An app factory, what `mlflow.app` points at: it decorates the base app (hooks, routes) and may
 * return it or a replacement; it may be async. The host passes the app's settings second (an empty
 * object for an app that declares none).
 */
export type AppFactory = (app: MlflowApp, settings?: never) => MlflowApp | void | Promise<MlflowApp | void>;

/**
 * What an app declares about itself, read by the host before any app is applied.
 *
 * @example
 * const options: AppOptions = { identifiesCallers: true, description: "Sign-in with OpenID Connect" };
 */
export interface AppOptions<S extends SettingsSchema = SettingsSchema> {
  /**
   * The app decides who callers are (sets `req.state.authorization`). At most one app of a server
   * may: composing two is a start-up error naming both.
   */
  readonly identifiesCallers?: boolean;
  /** Its configuration: read from `MLFLOW_<APP>_*` and the config file's `appSettings.<app>`, checked at start. */
  readonly settings?: S;
  /** One line for `mlflow apps list`. */
  readonly description?: string;
}

// A global symbol: an app built against another copy of plugin-api is still read.
const APP_OPTIONS = Symbol.for("mlflow-ts.app-options");

/**
 * Declares an app factory with its types checked. With options first, the app declares its
 * settings (the factory receives them, typed and checked) and whether it identifies callers.
 *
 * @example
 * export const createApp = defineApp((app) => {
 *   app.beforeRequest((req) => (req.path.startsWith("/public") ? undefined : check(req)));
 * });
 * export const createAudit = defineApp({ settings: { file: setting.string({ required: true }) } }, (app, { file }) => {
 *   app.onClose(() => flush(file));
 * });
 */
export function defineApp(factory: AppFactory): AppFactory;
export function defineApp<const S extends SettingsSchema>(
  options: AppOptions<S>,
  factory: (app: MlflowApp, settings: InferSettings<S>) => MlflowApp | void | Promise<MlflowApp | void>,
): AppFactory;
export function defineApp(first: AppFactory | AppOptions, second?: (app: MlflowApp, settings: never) => MlflowApp | void | Promise<MlflowApp | void>): AppFactory {
  if (typeof first === "function") return first;
  const factory = ((app: MlflowApp, settings?: never) => second!(app, (settings ?? {}) as never)) as AppFactory;
  Object.defineProperty(factory, APP_OPTIONS, { value: Object.freeze({ ...first }) });
  return factory;
}

/**
 * The options an app factory was declared with ({@link defineApp}); `{}` for a plain factory.
 *
 * @example
 * appOptionsOf(createApp).identifiesCallers; // true for an auth app
 */
export function appOptionsOf(factory: unknown): AppOptions {
  if (typeof factory !== "function") return {};
  return ((factory as unknown as Record<symbol, AppOptions | undefined>)[APP_OPTIONS]) ?? {};
}

/** A client class an app declares in `mlflow.app.client`; constructed with the tracking URI. */
export type AppClientClass<T = unknown> = new (trackingUri: string, ...args: never[]) => T;

/**
 * Declares an app client class with its constructor shape checked; returns it unchanged.
 *
 * @example
 * export const MyAuthClient = defineAppClient(class extends RestClient { login() {} });
 */
export function defineAppClient<C extends AppClientClass>(cls: C): C {
  return cls;
}
