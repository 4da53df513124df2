import { MlflowError } from "@mlflow-ts/protocol";
import { requestEndpoint, requestParams, type AppStores, type MlflowApp, type MlflowRequest, type RequestParams, type RouteInfo } from "@mlflow-ts/plugin-api";
import type { Access } from "./access.js";
import type { AuthStore, UserRecord } from "./auth-store.js";
import { RULES, evaluate, type Rule, type RuleContext } from "./rules.js";
import { registerPermissionRoutes } from "./permission-routes.js";
import { NO_CALLER_STORES, callerStores } from "./caller-stores.js";
import { openRoutes } from "./open-routes.js";

/**
 * A route's path relative to `/api/<v>.0` or `<prefix>/ajax-api/<v>.0`, or to the static prefix.
 *
 * @example
 * canonicalPath("/ajax-api/2.0/mlflow/runs/get", ""); // { api: true, path: "/mlflow/runs/get" }
 */
export function canonicalPath(path: string, prefix: string): { api: boolean; path: string } {
  const api = /^\/api\/\d\.0(\/.*)$/.exec(path) ?? (path.startsWith(`${prefix}/ajax-api/`) ? /^\/ajax-api\/\d\.0(\/.*)$/.exec(path.slice(prefix.length)) : null);
  if (api) return { api: true, path: api[1]! };
  return { api: false, path: prefix && path.startsWith(prefix) ? path.slice(prefix.length) || "/" : path };
}

/**
 * The rule for an endpoint — its method and mounted path pattern, as `requestEndpoint` names it —
 * or undefined when there is none (denied for non-admins).
 *
 * @example
 * ruleFor("GET", "/api/2.0/mlflow/logged-models/:model_id", "");
 */
export function ruleFor(method: string, path: string, prefix: string): Rule | undefined {
  return RULES.get(`${method === "HEAD" ? "GET" : method} ${canonicalPath(path, prefix).path}`);
}

/** MLflow's 403 body. */
export function permissionDenied(): Response {
  return new Response("Permission denied", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * @deprecated The old name of {@link openRoutes}, which decides by the request's matched endpoint
 * (it used to take a path and open every one starting with `/static`).
 *
 * @example
 * const isOpen = unprotectedPaths(prefix); // isOpen(req)
 */
export const unprotectedPaths = openRoutes;

/** How an auth app plugs into {@link installAuthorization}. */
export interface AuthorizationOptions {
  readonly store: AuthStore;
  readonly access: Access;
  /** The server's static prefix (`app.context.config.staticPrefix`). */
  readonly prefix: string;
  /**
   * Who the caller is: their user record (with the groups the identity provider gave, if any), or
   * a `Response` that ends the request (401, a redirect to sign in). Called once per request on
   * every protected path; may answer synchronously (a cache hit costs no promise).
   */
  readonly identify: (req: MlflowRequest) => UserRecord | Response | Promise<UserRecord | Response>;
  /** Requests nobody needs to sign in for; {@link openRoutes} (MLflow's `/health`, static files) by default. */
  readonly isUnprotected?: (req: MlflowRequest) => boolean;
  /** Skip MLflow's experiment and registered-model permission endpoints (an app serving its own). */
  readonly withoutPermissionRoutes?: boolean;
  /**
   * Rules for the app's own routes, by `METHOD /path` below the API or static prefix (as
   * {@link canonicalPath} gives it), e.g. `["GET /acme/ui/pages.js", authenticated]`. A route
   * without a rule is denied to non-admins.
   */
  readonly extraRules?: ReadonlyMap<string, Rule>;
}

/** What {@link installAuthorization} gives back to the app. */
export interface InstalledAuthorization {
  /** The caller of a request, once identified (undefined on unprotected paths). */
  callerOf(req: MlflowRequest): UserRecord | undefined;
}

// What a rule's checks see. A class, not an object literal with a getter: a literal with an
// accessor is built by the runtime on every request, a class instance by inline code.
class CheckContext implements RuleContext {
  constructor(
    readonly req: MlflowRequest,
    readonly user: UserRecord,
    readonly access: Access,
  ) {}

  // The request's one reading, parsed only if some check needs it.
  get params(): RequestParams {
    return requestParams(this.req);
  }
}

const isThenable = <T>(x: T | PromiseLike<T>): x is PromiseLike<T> => typeof (x as PromiseLike<T> | undefined)?.then === "function";

/**
 * MLflow-compatible authorization for any auth app: a before-body hook that identifies the caller
 * from the headers (the app's part), then a before-request hook that admits admins, and everyone
 * else by the endpoint's rule (deny where a route has none) — an early 403; the caller's stores
 * (`app.scopeStores`), through which every handler reaches data, then decide each read and write on
 * the entity it resolves, filter searches in their query, give creators MANAGE, and carry
 * registered-model grants through renames and deletes; and MLflow's permission endpoints.
 * basic-auth and oidc-auth are both this plus their way of telling who the caller is.
 *
 * @example
 * const authz = installAuthorization(app, { store, access, prefix, identify: (req) => userFromToken(req) });
 */
export function installAuthorization(app: MlflowApp, options: AuthorizationOptions): InstalledAuthorization {
  const { access, store, prefix } = options;
  // The caller's record, on the request itself: a WeakMap entry per request costs the garbage
  // collector (ephemerons) more than the rest of the authorization.
  const CALLER = Symbol("authz.caller");
  type WithCaller = { [CALLER]?: UserRecord };
  const callerOf = (req: object) => (req as WithCaller)[CALLER];
  const isUnprotected = options.isUnprotected ?? openRoutes(prefix);
  // Rules by endpoint (a fixed set of route objects: a hit builds no string), and by the literal
  // path of a plain Express route (bounded: such paths may carry ids).
  const endpointRules = new Map<RouteInfo, Rule | null>();
  const pathRules = new Map<string, Rule | null>();
  const lookUpRule = (method: string, path: string): Rule | null =>
    options.extraRules?.get(`${method === "HEAD" ? "GET" : method} ${canonicalPath(path, prefix).path}`) ?? ruleFor(method, path, prefix) ?? null;
  const ruleOfEndpoint = (endpoint: RouteInfo): Rule | null => {
    let rule = endpointRules.get(endpoint);
    if (rule === undefined) endpointRules.set(endpoint, (rule = lookUpRule(endpoint.method, endpoint.path)));
    return rule;
  };
  const ruleOfPath = (method: string, path: string): Rule | null => {
    const key = `${method} ${path}`;
    let rule = pathRules.get(key);
    if (rule === undefined) {
      if (pathRules.size >= 10_000) pathRules.clear();
      pathRules.set(key, (rule = lookUpRule(method, path)));
    }
    return rule;
  };

  // Admits the caller once known: admins pass; others need a rule that allows the route. Stays
  // synchronous when the rule can answer from cache.
  const authorize = (req: MlflowRequest, user: UserRecord): Response | void | Promise<Response | void> => {
    if (user.isAdmin) return;
    // The endpoint the server will run decides the rule; a plain Express route of an app has
    // none, and is looked up by its path.
    const endpoint = requestEndpoint(req);
    const rule = endpoint ? ruleOfEndpoint(endpoint) : ruleOfPath(req.method, req.path);
    if (!rule) return permissionDenied();
    const allowed = evaluate(rule, new CheckContext(req, user, access));
    if (isThenable(allowed)) return Promise.resolve(allowed).then((ok) => (ok ? undefined : permissionDenied()));
    return allowed ? undefined : permissionDenied();
  };
  const admit = (req: MlflowRequest, who: UserRecord | Response): Response | void => {
    if (who instanceof Response) return who;
    if (!who || typeof who.username !== "string") throw new MlflowError("INTERNAL_ERROR", "The auth app's identify() returned neither a user nor a Response");
    (req as WithCaller)[CALLER] = who;
    req.state.authorization ??= { username: who.username };
  };

  // Who the caller is, from the headers alone: a request refused here never has its body read
  // (nor, with `Expect: 100-continue`, sent). Called once per request; what it decides is kept
  // for every later check.
  app.beforeRequest(
    (req) => {
      if (isUnprotected(req)) return;
      const who = options.identify(req);
      return isThenable(who) ? Promise.resolve(who).then((w) => admit(req, w)) : admit(req, who);
    },
    { beforeBody: true },
  );
  // What they may do: the endpoint's rule, once the parameters can be read.
  app.beforeRequest((req) => {
    const user = callerOf(req);
    return user ? authorize(req, user) : undefined;
  });

  // The one decision: every handler (REST, GraphQL resolvers, the artifact proxy, the UI's
  // endpoints) reaches data through the caller's stores, which decide on the entity each call
  // resolves and carry the caller's readable set into searches. The rules above only refuse early.
  // One scoped set per caller record (auth apps keep a record per cached caller).
  const scoped = new WeakMap<AppStores, WeakMap<UserRecord, AppStores>>();
  app.scopeStores((req, stores) => {
    const user = callerOf(req);
    if (!user) return NO_CALLER_STORES;
    let mine = scoped.get(stores);
    if (!mine) scoped.set(stores, (mine = new WeakMap()));
    let forUser = mine.get(user);
    if (!forUser) mine.set(user, (forUser = callerStores(stores, user, access)));
    return forUser;
  });
  if (!options.withoutPermissionRoutes) registerPermissionRoutes(app, store);
  return { callerOf };
}
