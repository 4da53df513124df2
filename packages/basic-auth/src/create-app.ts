import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { MlflowError } from "@mlflow-ts/protocol";
import { defineApp, requestEndpoint, requestParams, type Authorization, type JsonObject, type MlflowApp, type MlflowRequest } from "@mlflow-ts/plugin-api";
import { createDatabase } from "@mlflow-ts/store";
import { Access } from "./access.js";
import { readAuthConfig, type AuthConfig } from "./auth-config.js";
import { registerAuthRoutes } from "./auth-routes.js";
import { AuthStore, type UserRecord } from "./auth-store.js";
import { basicAuthFunction, loadAuthorizationFunction, permissionDenied, type AuthorizationFunction } from "./authenticate.js";
import { CredentialCache } from "./credential-cache.js";
import { LoginLimiter } from "./login-limiter.js";
import { HashGate } from "./hash-gate.js";
import { clientAddress } from "./client-address.js";
import { RULES, evaluate, type Rule, type RuleContext } from "./rules.js";
import { filterExperiments, filterModelVersions, filterRegisteredModels } from "./search-filters.js";
import { filterGraphqlModelVersions } from "./graphql-rule.js";
import { registerSignup } from "./signup.js";
import { registerUiPages } from "./ui-pages.js";
import { hashPassword } from "./werkzeug-hash.js";

const CHANNEL = "mlflow_basic_auth_users";

/** A route's path relative to `/api/<v>.0` or `<prefix>/ajax-api/<v>.0`, or to the static prefix. */
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

/** The paths MLflow leaves open (`/health`, `/favicon.ico`, `/static…`), with and without the prefix. */
function unprotectedPaths(prefix: string): (path: string) => boolean {
  const roots = prefix ? ["", prefix] : [""];
  const exact = new Set(roots.flatMap((p) => [`${p}/health`, `${p}/favicon.ico`]));
  const statics = roots.map((p) => `${p}/static`);
  return (path) => exact.has(path) || statics.some((s) => path.startsWith(s));
}

async function bootstrapAdmin(store: AuthStore, config: AuthConfig, log: (message: string) => void): Promise<void> {
  if (await store.findUser(config.adminUsername)) return;
  const generated = config.adminPassword ? undefined : randomBytes(18).toString("base64url");
  try {
    await store.createUser(config.adminUsername, await hashPassword(config.adminPassword ?? generated!), true);
  } catch (error) {
    // Several workers may race to create it; one wins, and only the winner's password is valid.
    if ((error as MlflowError).code !== "RESOURCE_ALREADY_EXISTS") throw error;
    return;
  }
  if (generated) {
    // Printed once, by the process whose admin row was stored; only its hash is kept.
    log(`basic-auth: created admin '${config.adminUsername}' with generated password: ${generated}  (change it with update-password; set MLFLOW_AUTH_ADMIN_PASSWORD to choose one)`);
  }
}

/** Where basic-auth reads its environment from (the process's by default). */
export interface BasicAuthOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the generated admin password is printed. */
  readonly print?: (line: string) => void;
}

/**
 * Applies MLflow's basic-auth to the server: HTTP Basic (or the configured
 * `authorization_function`) on every route but `/health`, admins through, everyone else checked
 * against the permission table — and denied where a route has no rule. Users and grants live in
 * MLflow's own tables (`database_uri`), so an MLflow `basic_auth.db` opens as it is.
 *
 * @example
 * // mlflow server --app-name basic-auth
 */
export function createBasicAuth(options: BasicAuthOptions = {}) {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  return defineApp(async (app: MlflowApp) => {
  const { config: server, logger, stores } = app.context;
  const config = readAuthConfig(env);
  const database = await createDatabase(config.databaseUri, { cwd: server.cwd });
  const store = new AuthStore(database);
  await store.migrate();
  await bootstrapAdmin(store, config, print);

  const ttlMs = config.cacheTtlSeconds * 1000;
  const credentials = new CredentialCache(ttlMs);
  // Remembered a day, only to exempt proven credentials from the failed-login limit.
  const knownLogins = new CredentialCache(24 * 3600 * 1000, 100_000);
  const users = new Map<string, { user: UserRecord; expires: number }>();
  const access = new Access(store, stores, config.defaultPermission, ttlMs);
  // One channel: "user:<name>" drops that user's cached credentials and record, "grants" drops
  // every cached grant. (PostgreSQL payloads cannot hold NUL bytes, hence the prefixes.)
  const GRANTS = "grants";
  const forget = (message: string) => {
    if (message === GRANTS) return access.clearGrants();
    if (!message.startsWith("user:")) return;
    credentials.invalidate(message.slice(5));
    knownLogins.invalidate(message.slice(5));
    users.delete(message.slice(5));
  };
  if (database.listen) await database.listen(CHANNEL, forget);
  const publish = async (message: string) => {
    forget(message);
    if (database.dialect === "postgres") await sql`select pg_notify(${CHANNEL}, ${message})`.execute(database.db);
  };
  const invalidate = (username: string) => publish(`user:${username}`);
  store.onGrantsChanged(() => {
    publish(GRANTS).catch((error: unknown) => logger.error("basic-auth: could not publish a grant change", { error: String(error) }));
  });
  const userOf = async (username: string): Promise<UserRecord | undefined> => {
    const hit = users.get(username);
    if (hit && hit.expires > Date.now()) return hit.user;
    const user = await store.findUser(username);
    if (user && ttlMs > 0) users.set(username, { user, expires: Date.now() + ttlMs });
    return user;
  };

  let authenticate: AuthorizationFunction;
  let functionName = "authenticate_request_basic_auth";
  if (config.authorizationFunction) {
    const loaded = await loadAuthorizationFunction(config.authorizationFunction, server.cwd);
    authenticate = loaded.fn;
    functionName = loaded.name;
  } else {
    authenticate = basicAuthFunction(store, {
      cache: credentials,
      known: knownLogins,
      limiter: new LoginLimiter({ perUser: config.maxFailedLogins, perAddress: config.maxFailedLoginsPerAddress, windowMs: config.loginWindowSeconds * 1000 }),
      gate: new HashGate(config.maxConcurrentLogins, config.loginQueue),
      addressOf: clientAddress(config.trustedProxies),
    });
  }

  // The caller's record, on the request itself: a WeakMap entry per request costs the garbage
  // collector (ephemerons) more than the rest of the authorization.
  const CALLER = Symbol("basic-auth.caller");
  type WithCaller = { [CALLER]?: UserRecord };
  const callers = {
    set: (req: object, user: UserRecord) => void ((req as WithCaller)[CALLER] = user),
    get: (req: object) => (req as WithCaller)[CALLER],
  };
  const prefix = server.staticPrefix;
  const isUnprotected = unprotectedPaths(prefix);
  // Rules by endpoint pattern (a fixed set), or by the literal path of a plain Express route
  // (bounded: such paths may carry ids).
  const rules = new Map<string, Rule | null>();
  const cachedRuleFor = (method: string, path: string): Rule | undefined => {
    const key = `${method} ${path}`;
    let rule = rules.get(key);
    if (rule === undefined) {
      rule = ruleFor(method, path, prefix) ?? null;
      if (rules.size >= 10_000) rules.clear();
      rules.set(key, rule);
    }
    return rule ?? undefined;
  };

  const isThenable = <T>(x: T | PromiseLike<T>): x is PromiseLike<T> => typeof (x as PromiseLike<T> | undefined)?.then === "function";

  // Admits the caller once known: admins pass; others need a rule that allows the route. Stays
  // synchronous when the rule can answer from cache.
  const authorize = (req: MlflowRequest, authorization: Authorization, user: UserRecord | undefined): Response | void | Promise<Response | void> => {
    if (!user) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `User with username=${authorization.username} not found`);
    req.state.authorization = authorization;
    callers.set(req, user);
    if (user.isAdmin) return;
    // The endpoint the server will run decides the rule; a plain Express route of an app has
    // none, and is looked up by its path.
    const endpoint = requestEndpoint(req);
    const rule = endpoint ? cachedRuleFor(endpoint.method, endpoint.path) : cachedRuleFor(req.method, req.path);
    if (!rule) return permissionDenied();
    // The request's one reading, parsed only if some check needs it.
    const ctx: RuleContext = {
      req,
      user,
      access,
      get params() {
        return requestParams(req);
      },
    };
    const allowed = evaluate(rule, ctx);
    if (isThenable(allowed)) return Promise.resolve(allowed).then((ok) => (ok ? undefined : permissionDenied()));
    return allowed ? undefined : permissionDenied();
  };

  const admit = (req: MlflowRequest, result: Authorization | Response): Response | void | Promise<Response | void> => {
    if (result instanceof Response) return result;
    if (!result || typeof (result as Authorization).username !== "string") {
      throw new MlflowError("INTERNAL_ERROR", `Unsupported result type from ${functionName}: '${result === null ? "null" : typeof result}'`);
    }
    const hit = users.get(result.username);
    if (hit && hit.expires > Date.now()) return authorize(req, result, hit.user);
    return userOf(result.username).then((user) => authorize(req, result, user));
  };

  app.beforeRequest((req) => {
    if (isUnprotected(req.path)) return;
    // Called once per request; what it decides is kept for every later check.
    const result = authenticate(req);
    return isThenable(result) ? Promise.resolve(result).then((r) => admit(req, r)) : admit(req, result);
  });

  registerAuthRoutes(app, {
    store,
    callerOf: (req) => callers.get(req)!,
    invalidate,
    staticPrefix: prefix,
    allowInsecurePasswords: config.allowInsecurePasswords,
  });
  registerUiPages(app, prefix, (req) => callers.get(req));
  registerSignup(app, store, env.MLFLOW_FLASK_SERVER_SECRET_KEY ? Buffer.from(env.MLFLOW_FLASK_SERVER_SECRET_KEY) : randomBytes(32));

  // After-request work, each limited to its route (and the route's /ajax-api twin), so every
  // other route replies without running any of it.
  const after = (method: string, path: string, hook: (payload: JsonObject, req: MlflowRequest, user: UserRecord) => Promise<JsonObject | void>) => {
    for (const full of [`/api/2.0${path}`, `${prefix}/ajax-api/2.0${path}`]) {
      app.afterRequest(async (payload, req) => {
        const user = callers.get(req);
        return user ? hook(payload, req, user) : undefined;
      }, { method, path: full });
    }
  };
  after("POST", "/mlflow/experiments/create", async (payload, _req, user) => {
    await store.grantCreator("experiment", String(payload.experiment_id), user.id);
  });
  after("POST", "/mlflow/registered-models/create", async (payload, _req, user) => {
    await store.grantCreator("registered_model", String((payload.registered_model as { name: string }).name), user.id);
  });
  after("DELETE", "/mlflow/registered-models/delete", async (_payload, req) => {
    await store.deleteAllGrants("registered_model", requestParams<{ name: string }>(req).name);
  });
  after("POST", "/mlflow/registered-models/rename", async (_payload, req) => {
    const p = requestParams<{ name: string; new_name: string }>(req);
    await store.renameGrants("registered_model", p.name, p.new_name);
  });
  const forNonAdmins = (filter: typeof filterExperiments) => async (payload: JsonObject, req: MlflowRequest, user: UserRecord) =>
    user.isAdmin ? undefined : filter(payload, req, user, access);
  after("POST", "/mlflow/experiments/search", forNonAdmins(filterExperiments));
  after("GET", "/mlflow/experiments/search", forNonAdmins(filterExperiments));
  after("GET", "/mlflow/registered-models/search", forNonAdmins(filterRegisteredModels));
  after("GET", "/mlflow/model-versions/search", forNonAdmins(filterModelVersions));
  for (const method of ["GET", "POST"]) {
    app.afterRequest(async (payload, req) => {
      const user = callers.get(req);
      return user && !user.isAdmin ? filterGraphqlModelVersions(payload, user, access) : undefined;
    }, { method, path: `${prefix}/graphql` });
  }
  for (const warning of config.warnings) logger.warn(`basic-auth: ${warning}`);
  logger.info("basic-auth enabled", { database: database.displayUri, default_permission: config.defaultPermission, authorization_function: functionName });
  return app;
  });
}

/**
 * The factory `mlflow.app` points at: {@link createBasicAuth} with the process environment.
 *
 * @example
 * // package.json: "mlflow.app": { "basic-auth": "./dist/create-app.js:createApp" }
 */
export const createApp = defineApp((app) => createBasicAuth()(app));
