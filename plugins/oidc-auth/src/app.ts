import fs from "node:fs";
import path from "node:path";
import { hash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { NextFunction, Request, Response as ExpressResponse } from "express";
import * as oidc from "openid-client";
import { defineApp, MlflowError, type MlflowApp, type MlflowRequest } from "@mlflow-ts/plugin-api";
import { Access, authenticated, installAuthorization, openAuthStore, openRoutes, registerGroupPermissionRoutes, type UserRecord } from "@mlflow-ts/authz";
import { readOidcConfig, type OidcConfig } from "./config.js";
import { BearerVerifier } from "./bearer.js";
import { CookieCodec, cookieValue, type Session } from "./session.js";
import { SESSION_COOKIE, SignIn } from "./sign-in.js";
import { identityOf, type Identity } from "./identity-of.js";

const BEARER = /^Bearer\s+(\S+)$/i;

/** A verified access token's caller, until the token expires. */
interface CachedCaller {
  readonly who: UserRecord;
  readonly expires: number;
}

// The last Bearer header a connection presented that was found verified, on the socket itself.
const LAST_BEARER = Symbol("oidc-auth.lastBearer");
type LastBearerHolder = { [LAST_BEARER]?: { readonly header: string; readonly verified: CachedCaller } };

// The browser module of oidc-auth's pages, next to this file once built.
const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), "ui", "pages.js");

/** MLflow's JSON 401, with a Bearer challenge: what an API client gets without valid credentials. */
function unauthenticatedJson(message: string): Response {
  return new Response(JSON.stringify({ error_code: "UNAUTHENTICATED", message }), {
    status: 401,
    headers: { "Content-Type": "application/json", "WWW-Authenticate": 'Bearer realm="mlflow"' },
  });
}

/**
 * A browser opening a page without a session: sent to sign in, keeping the whole address — the
 * hash included, which only the browser knows (MLflow's UI routes live there).
 */
function signInPage(prefix: string): Response {
  const login = `${prefix}/oidc/login`;
  const html = `<!doctype html><meta charset="utf-8"><title>Signing in…</title>
<p><a id="go" href="${login}">Sign in</a></p>
<script>location.replace(${JSON.stringify(`${login}?next=`)} + encodeURIComponent(location.pathname + location.search + location.hash));</script>`;
  return new Response(html, { status: 401, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "WWW-Authenticate": 'Bearer realm="mlflow"' } });
}

/** Where oidc-auth reads its environment from. */
export interface OidcAuthOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Single sign-on through OpenID Connect: browsers sign in at the identity provider (code flow,
 * PKCE), clients send the provider's access tokens as `Authorization: Bearer`; users are created
 * on first sign-in; groups from the token make admins (`admin_group`) and carry group grants;
 * everything else — rules, grants, creators' MANAGE, filtered searches, MLflow's permission
 * endpoints — is `@mlflow-ts/authz`, as in basic-auth.
 *
 * @example
 * // MLFLOW_OIDC_ISSUER=… MLFLOW_OIDC_CLIENT_ID=… mlflow server --app-name oidc-auth
 */
export function createOidcAuth(options: OidcAuthOptions = {}) {
  const env = options.env ?? process.env;
  return defineApp(async (app: MlflowApp) => {
    const { config: server, logger, stores } = app.context;
    const config: OidcConfig = readOidcConfig(env);
    const prefix = server.staticPrefix;
    const provider = await oidc.discovery(new URL(config.issuer), config.clientId, config.clientSecret, undefined, config.allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : undefined).catch((error: Error) => {
      throw new Error(`oidc-auth: discovery at ${config.issuer} failed: ${error.message}`, { cause: error });
    });
    const metadata = provider.serverMetadata();
    if (!metadata.jwks_uri) throw new Error(`oidc-auth: ${config.issuer} publishes no jwks_uri`);
    const store = await openAuthStore(config.databaseUri, server.cwd);
    app.onClose(() => store.database.close());
    app.health("oidc-auth", async () => {
      try {
        await store.database.ping();
        return { ok: true, detail: { issuer: metadata.issuer, database: "reachable" } };
      } catch {
        return { ok: false, detail: { issuer: metadata.issuer, database: "unreachable" } };
      }
    });
    const ttlMs = config.cacheTtlSeconds * 1000;
    const access = new Access(store, stores, config.defaultPermission, ttlMs);
    store.onGrantsChanged(() => access.clearGrants());
    const bearer = new BearerVerifier({ issuer: metadata.issuer, jwksUri: metadata.jwks_uri, audience: config.audience });
    if (!config.sessionSecret) logger.warn("oidc-auth: no session_secret set; sessions end when this process does and are not shared by replicas");
    const cookies = new CookieCodec(config.sessionSecret);

    // Users are rows of MLflow's auth tables (grants point at them), created on first sign-in;
    // admin status and groups come from the token, request by request.
    const users = new Map<string, UserRecord>();
    const userRow = async (username: string): Promise<UserRecord> => {
      const known = users.get(username) ?? (await store.findUser(username));
      if (known) return users.set(username, known).get(username)!;
      try {
        // No password: these users sign in at the provider only.
        return users.set(username, await store.createUser(username, "", false)).get(username)!;
      } catch (error) {
        if ((error as MlflowError).code !== "RESOURCE_ALREADY_EXISTS") throw error;
        return users.set(username, (await store.findUser(username))!).get(username)!;
      }
    };
    const principal = (row: UserRecord, identity: Identity): UserRecord => ({ ...row, isAdmin: identity.groups.includes(config.adminGroup), groups: identity.groups });

    const signIn = new SignIn(provider, config, cookies, prefix, logger, async (identity) => void (await userRow(identity.username)), app.context.events);
    // A token verified (a cache miss) is a sign-in; a cached one is not told again.
    const bearerSignIn = (req: MlflowRequest, reason?: string, username?: string) =>
      app.context.events.emit({ type: "sign-in", outcome: reason ? "failure" : "success", method: "bearer", ...(username ? { username } : {}), ...(reason ? { reason } : {}), req });
    // Verified Bearer tokens → their principal, until the token expires (the one cache of
    // verified tokens, keyed by a SHA-256 of the token): the hot path of every client call stays
    // synchronous.
    const byToken = new Map<string, CachedCaller>();
    const fromBearer = async (req: MlflowRequest, token: string, key: string): Promise<UserRecord | Response> => {
      const claims = await bearer.verify(token);
      if (!claims) {
        bearerSignIn(req, "invalid token");
        return unauthenticatedJson("The access token is not valid here (issuer, audience, signature or expiry).");
      }
      // A machine (client credentials) is `client:<client_id>`: a name no person can have.
      const identity = identityOf(claims, config);
      if (!identity) {
        bearerSignIn(req, "the token names no user");
        return unauthenticatedJson("The access token names no user.");
      }
      const who = principal(await userRow(identity.username), identity);
      bearerSignIn(req, undefined, identity.username);
      if (byToken.size >= 10_000) byToken.delete(byToken.keys().next().value!);
      byToken.set(key, { who, expires: Number(claims.exp) * 1000 });
      return who;
    };
    const fromSession = async (req: MlflowRequest, sealed: string): Promise<UserRecord | Response | undefined> => {
      const session = await cookies.open<Session>(sealed);
      if (!session) return undefined;
      let identity: Identity | undefined = { username: session.username, groups: session.groups };
      if (session.expires <= Date.now() / 1000) identity = await signIn.refresh(session, req.res);
      return identity ? principal(await userRow(identity.username), identity) : undefined;
    };
    const identify = (req: MlflowRequest): UserRecord | Response | Promise<UserRecord | Response> => {
      const header = req.headers.authorization;
      if (header !== undefined) {
        // A keep-alive client sends the same header on every call: the connection remembers the
        // last one it verified, so a repeat is one string comparison (no hash, no map lookup).
        const socket = req.socket as LastBearerHolder;
        const last = socket[LAST_BEARER];
        if (last !== undefined && last.header === header && last.verified.expires > Date.now()) return last.verified.who;
        const token = BEARER.exec(header)?.[1];
        if (token === undefined) {
          bearerSignIn(req, "not a bearer token");
          return unauthenticatedJson("Use 'Authorization: Bearer <access token>' from the identity provider.");
        }
        // One-shot hash: no Hash object per request, and no token kept as a key.
        const key = hash("sha256", token, "base64");
        const hit = byToken.get(key);
        if (hit && hit.expires > Date.now()) {
          socket[LAST_BEARER] = { header, verified: hit };
          return hit.who;
        }
        return fromBearer(req, token, key);
      }
      const sealed = cookieValue(req.get("cookie"), SESSION_COOKIE);
      const anonymous = () => ((req.method === "GET" && (req.get("accept") ?? "").includes("text/html")) ? signInPage(prefix) : unauthenticatedJson("Sign in through the identity provider, or send an access token."));
      if (!sealed) return anonymous();
      return fromSession(req, sealed).then((who) => who ?? anonymous());
    };

    const isMlflowOpen = openRoutes(prefix);
    const oidcPaths = new Set([`${prefix}/oidc/login`, `${prefix}/oidc/callback`, `${prefix}/oidc/logout`]);
    const authz = installAuthorization(app, {
      store,
      access,
      prefix,
      identify,
      isUnprotected: (req) => isMlflowOpen(req) || oidcPaths.has(req.path),
      extraRules: new Map([
        ["GET /oidc-auth/ui/pages.js", authenticated],
        ["GET /mlflow-ts/oidc/me", authenticated],
      ]),
    });
    registerGroupPermissionRoutes(app, store);

    const handle = (fn: (req: Request, res: ExpressResponse) => Promise<void>) => (req: Request, res: ExpressResponse, next: NextFunction) => {
      fn(req, res).catch(next);
    };
    app.get(`${prefix}/oidc/login`, handle((req, res) => signIn.login(req, res)));
    app.get(`${prefix}/oidc/callback`, handle((req, res) => signIn.callback(req, res)));
    app.get(`${prefix}/oidc/logout`, handle((req, res) => signIn.logout(req, res)));
    app.endpoint("GET", `${prefix}/ajax-api/2.0/mlflow-ts/oidc/me`, {}, (_p, req) => {
      const who = authz.callerOf(req);
      return { user: { username: who?.username, is_admin: who?.isAdmin ?? false, groups: who?.groups ?? [] } };
    });

    const pages = fs.readFileSync(PAGES);
    app.get(`${prefix}/oidc-auth/ui/pages.js`, (_req, res) => {
      res.set({ "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" }).end(pages);
    });
    const module = "/oidc-auth/ui/pages.js";
    app.ui("oidc-auth", {
      pages: [
        { id: "me", title: "Signed in", module, exportName: "mountMe", navigation: "account" },
        { id: "groups", title: "Group permissions", module, exportName: "mountGroups", navigation: "admin" },
        { id: "users", title: "User permissions", module, exportName: "mountUsers", navigation: "admin" },
      ],
      whoAmI: (req) => {
        const who = authz.callerOf(req);
        return who ? { username: who.username, isAdmin: who.isAdmin } : undefined;
      },
    });
    logger.info("oidc-auth enabled", { issuer: metadata.issuer, client_id: config.clientId, admin_group: config.adminGroup, default_permission: config.defaultPermission });
    return app;
  });
}

/**
 * The factory `mlflow.app` points at: {@link createOidcAuth} with the process environment.
 *
 * @example
 * // package.json: "mlflow.app": { "oidc-auth": "./dist/app.js:createApp" }
 */
export const createApp = defineApp({ identifiesCallers: true, description: "Sign-in with OpenID Connect: browser sessions and bearer tokens, permissions as basic-auth" }, (app) => createOidcAuth()(app));
export { readOidcConfig, OidcConfigError } from "./config.js";
export type { OidcConfig } from "./config.js";
