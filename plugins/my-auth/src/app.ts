import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { defineApp, type MlflowApp } from "@mlflow-ts/plugin-api";
import { issueToken, verifyToken } from "./token.js";

/** Where my-auth's settings come from (its own environment variables). */
export interface MyAuthSettings {
  /** `user:password` pairs. */
  readonly users: ReadonlyMap<string, string>;
  /** The HMAC key tokens are signed with; share it across replicas. */
  readonly secret: Buffer;
  readonly ttlSeconds: number;
}

/**
 * Reads `MY_AUTH_USERS` (`alice:secret,bob:pw`), `MY_AUTH_SECRET` (random per process when
 * unset: tokens then die with the process) and `MY_AUTH_TOKEN_TTL_SECONDS` (default 3600).
 *
 * @example
 * readSettings({ MY_AUTH_USERS: "alice:secret" });
 */
export function readSettings(env: Readonly<Record<string, string | undefined>>): MyAuthSettings {
  const users = new Map<string, string>();
  for (const pair of (env.MY_AUTH_USERS ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf(":");
    if (at <= 0) throw new Error(`my-auth: MY_AUTH_USERS entry '${pair}' is not user:password`);
    users.set(pair.slice(0, at), pair.slice(at + 1));
  }
  if (users.size === 0) throw new Error("my-auth: set MY_AUTH_USERS to user:password pairs, e.g. MY_AUTH_USERS=alice:secret");
  const ttlSeconds = Number(env.MY_AUTH_TOKEN_TTL_SECONDS ?? 3600);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error("my-auth: MY_AUTH_TOKEN_TTL_SECONDS must be a positive integer");
  return { users, secret: env.MY_AUTH_SECRET ? Buffer.from(env.MY_AUTH_SECRET) : randomBytes(32), ttlSeconds };
}

// Compares passwords through HMACs of equal length, so timing says nothing about either.
function samePassword(key: Buffer, a: string, b: string): boolean {
  const ha = createHmac("sha256", key).update(a).digest();
  const hb = createHmac("sha256", key).update(b).digest();
  return timingSafeEqual(ha, hb);
}

function unauthorized(message: string): Response {
  return new Response(JSON.stringify({ error_code: "UNAUTHENTICATED", message }), {
    status: 401,
    headers: { "Content-Type": "application/json", "WWW-Authenticate": 'Bearer realm="mlflow"' },
  });
}

const LOGIN_PATH = "/api/custom-auth/login";

/**
 * Applies token authentication to a server: `POST /api/custom-auth/login` exchanges credentials
 * for a signed, expiring token; every other route needs `Authorization: Bearer <token>`, except
 * paths under `/public` and `/health`.
 *
 * @example
 * // package.json: "mlflow.app": { "my-auth": "./dist/app.js:createApp" }
 * // MY_AUTH_USERS=alice:secret mlflow server --app-name my-auth
 */
export function createAuth(settings: MyAuthSettings) {
  return defineApp((app: MlflowApp) => {
    const compareKey = randomBytes(32);
    app.beforeRequest((req) => {
      if (req.path === LOGIN_PATH || req.path === "/health" || req.path === "/public" || req.path.startsWith("/public/")) return;
      const header = req.get("authorization") ?? "";
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) return unauthorized("Authentication required: send Authorization: Bearer <token> (get one from POST /api/custom-auth/login)");
      const claims = verifyToken(settings.secret, match[1]!);
      if (!claims || !settings.users.has(claims.sub)) return unauthorized("The token is invalid or expired; log in again");
      req.state.authorization = { username: claims.sub, type: "bearer" };
      // On the headers alone: a refused caller never has a request body read.
    }, { beforeBody: true });
    // The host has already parsed the JSON body into req.body.
    app.post(LOGIN_PATH, (req, res) => {
      const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
      const stored = typeof username === "string" ? settings.users.get(username) : undefined;
      // Compare even for unknown users, so the answer time does not reveal which names exist.
      const ok = samePassword(compareKey, typeof password === "string" ? password : "", stored ?? "\u0000unknown") && stored !== undefined;
      if (!ok || typeof username !== "string") {
        res.status(401).json({ error_code: "UNAUTHENTICATED", message: "Invalid username or password" });
        return;
      }
      res.json({ token: issueToken(settings.secret, username, settings.ttlSeconds), token_type: "Bearer", expires_in: settings.ttlSeconds });
    });
    app.get("/public/status", (_req, res) => {
      res.json({ status: "ok" });
    });
    return app;
  });
}

/**
 * The app factory `mlflow.app` points at: {@link createAuth} with settings from the environment.
 *
 * @example
 * await createApp(baseApp);
 */
export const createApp = defineApp({ identifiesCallers: true, description: "An example auth app: API keys from an environment variable" }, (app) => createAuth(readSettings(process.env))(app));
