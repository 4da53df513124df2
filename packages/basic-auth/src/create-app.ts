import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { MlflowError } from "@mlflow-ts/protocol";
import { defineApp, type Authorization, type MlflowApp, type MlflowRequest } from "@mlflow-ts/plugin-api";
import { createDatabase } from "@mlflow-ts/store";
import { Access, AuthStore, installAuthorization, type UserRecord } from "@mlflow-ts/authz";
import { readAuthConfig, type AuthConfig } from "./auth-config.js";
import { registerAuthRoutes } from "./auth-routes.js";
import { basicAuthFunction, loadAuthorizationFunction, type AuthorizationFunction } from "./authenticate.js";
import { tellingSignIns } from "./telling-sign-ins.js";
import { CredentialCache } from "./credential-cache.js";
import { LoginLimiter } from "./login-limiter.js";
import { HashGate } from "./hash-gate.js";
import { clientAddress } from "./client-address.js";
import { registerSignup } from "./signup.js";
import { registerUiPages } from "./ui-pages.js";
import { hashPassword } from "./werkzeug-hash.js";

const CHANNEL = "mlflow_basic_auth_users";

/**
 * The notification channel of one auth database. PostgreSQL channels are per database server, not
 * per schema: deployments (or test suites) keeping their auth tables in different schemas of one
 * database would otherwise drop each other's cached credentials whenever a same-named user changed.
 * Replicas of one deployment see the same database and schema, so they still share the channel.
 */
async function channelOf(database: Awaited<ReturnType<typeof createDatabase>>): Promise<string> {
  const { rows } = await sql<{ db: string; schema: string | null }>`select current_database() as db, current_schema() as schema`.execute(database.db);
  const where = `${rows[0]!.db}\u0000${rows[0]!.schema ?? ""}`;
  return `${CHANNEL}_${createHash("sha256").update(where).digest("hex").slice(0, 16)}`;
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
  // After the channel was down (a database restart), changes may have been missed: forget all.
  const forgetAll = () => {
    access.clearGrants();
    credentials.invalidate();
    knownLogins.invalidate();
    users.clear();
  };
  const channel = database.listen ? await channelOf(database) : CHANNEL;
  const unlisten = database.listen ? await database.listen(channel, forget, forgetAll) : undefined;
  // The auth database is this app's own: closed when the server stops, reported on /health?detail.
  app.onClose(async () => {
    await unlisten?.();
    await database.close();
  });
  app.health("basic-auth", async () => {
    try {
      await database.ping();
      return { ok: true, detail: { database: "reachable" } };
    } catch {
      return { ok: false, detail: { database: "unreachable" } };
    }
  });
  const publish = async (message: string) => {
    forget(message);
    if (database.dialect === "postgres") await sql`select pg_notify(${channel}, ${message})`.execute(database.db);
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

  const isThenable = <T>(x: T | PromiseLike<T>): x is PromiseLike<T> => typeof (x as PromiseLike<T> | undefined)?.then === "function";
  let authenticate: AuthorizationFunction;
  let functionName = "authenticate_request_basic_auth";
  if (config.authorizationFunction) {
    const loaded = await loadAuthorizationFunction(config.authorizationFunction, server.cwd);
    authenticate = tellingSignIns(loaded.fn, { events: app.context.events, name: loaded.name, ttlMs });
    functionName = loaded.name;
  } else {
    authenticate = basicAuthFunction(store, {
      cache: credentials,
      known: knownLogins,
      limiter: new LoginLimiter({ perUser: config.maxFailedLogins, perAddress: config.maxFailedLoginsPerAddress, windowMs: config.loginWindowSeconds * 1000 }),
      gate: new HashGate(config.maxConcurrentLogins, config.loginQueue),
      addressOf: clientAddress(config.trustedProxies),
      events: app.context.events,
    });
  }

  // Who the caller is: the authentication function's answer, then their user record (cached).
  const identify = (req: MlflowRequest): UserRecord | Response | Promise<UserRecord | Response> => {
    const result = authenticate(req);
    return isThenable(result) ? Promise.resolve(result).then((r) => recordOf(req, r)) : recordOf(req, result);
  };
  const recordOf = (req: MlflowRequest, result: Authorization | Response): UserRecord | Response | Promise<UserRecord | Response> => {
    if (result instanceof Response) return result;
    if (!result || typeof (result as Authorization).username !== "string") {
      throw new MlflowError("INTERNAL_ERROR", `Unsupported result type from ${functionName}: '${result === null ? "null" : typeof result}'`);
    }
    req.state.authorization = result;
    const found = (user: UserRecord | undefined) => {
      if (!user) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `User with username=${result.username} not found`);
      return user;
    };
    const hit = users.get(result.username);
    if (hit && hit.expires > Date.now()) return found(hit.user);
    return userOf(result.username).then(found);
  };
  const prefix = server.staticPrefix;
  const authz = installAuthorization(app, { store, access, prefix, identify });

  registerAuthRoutes(app, {
    store,
    callerOf: (req) => authz.callerOf(req)!,
    invalidate,
    staticPrefix: prefix,
    allowInsecurePasswords: config.allowInsecurePasswords,
  });
  registerUiPages(app, prefix, (req) => authz.callerOf(req));
  registerSignup(app, store, env.MLFLOW_FLASK_SERVER_SECRET_KEY ? Buffer.from(env.MLFLOW_FLASK_SERVER_SECRET_KEY) : randomBytes(32));
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
export const createApp = defineApp({ identifiesCallers: true, description: "Users, admins and per-experiment and per-model permissions over HTTP basic authentication" }, (app) => createBasicAuth()(app));
