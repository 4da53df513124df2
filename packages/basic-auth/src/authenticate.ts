import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AppEvents, Authorization, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { AuthStore, UserRecord } from "@mlflow-ts/authz";
import type { CredentialCache } from "./credential-cache.js";
import type { LoginLimiter } from "./login-limiter.js";
import type { HashGate } from "./hash-gate.js";
import { resolveImport } from "./resolve-import.js";
import { verifyPassword } from "./werkzeug-hash.js";

/** MLflow's exact 401 body. */
export const UNAUTHENTICATED_BODY =
  "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.";

/** MLflow's 401: `WWW-Authenticate: Basic realm="mlflow"` makes browsers show their login prompt. */
export function unauthenticated(): Response {
  return new Response(UNAUTHENTICATED_BODY, { status: 401, headers: { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Basic realm="mlflow"' } });
}


/** An authentication function: the request in, an {@link Authorization} or a `Response` out. */
export type AuthorizationFunction = (req: MlflowRequest) => Authorization | Response | Promise<Authorization | Response>;

/**
 * Parses `Authorization: Basic base64(user:pass)` (UTF-8, split at the first `:`).
 *
 * @example
 * basicCredentials("Basic YWxpY2U6cHc="); // { username: "alice", password: "pw" }
 */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function tooMany(seconds: number, why: string): Response {
  return new Response(why, { status: 429, headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(seconds) } });
}

/** What the default authentication guards password checks with. */
export interface LoginGuard {
  /** Verified callers, remembered for `auth_cache_ttl_seconds`: admitted without a password check. */
  readonly cache: CredentialCache;
  /**
   * Credentials that succeeded before (longer-lived, checked again every time): they skip the
   * failed-login limit and jump the check queue, so nobody can lock the real user out.
   */
  readonly known: CredentialCache;
  readonly limiter: LoginLimiter;
  readonly gate: HashGate;
  readonly addressOf: (req: MlflowRequest) => string;
  /** Where sign-ins are told (an audit app listens): each password checked, and each refusal. */
  readonly events?: AppEvents;
}

/**
 * The default authentication: HTTP Basic against the users table, with one 401 for unknown users
 * and wrong passwords alike. A header verified within the cache TTL is admitted at once. Other
 * logins are limited per (client address, username) and per address (429 + `Retry-After`) unless
 * the credential succeeded before, and wait for a bounded number of concurrent password checks
 * (429 when too many are queued).
 */
export function basicAuthFunction(store: AuthStore, guard: LoginGuard): AuthorizationFunction {
  // A password checked (a credential-cache miss) is a sign-in; a cache hit is not told again.
  const told = (req: MlflowRequest, username: string, reason?: string) =>
    guard.events?.emit({ type: "sign-in", outcome: reason ? "failure" : "success", username, method: "basic", ...(reason ? { reason } : {}), req });

  // A cache hit answers synchronously; only a real password check goes asynchronous.
  return (req) => {
    const header = req.get("authorization");
    // A header verified within the TTL is admitted without parsing it again.
    const hit = header === undefined ? undefined : guard.cache.get(header);
    if (hit) return { username: hit.username, type: "basic" };
    const credentials = basicCredentials(header);
    if (!credentials) return unauthenticated();
    return verify(credentials.username, credentials.password, header!, req);
  };

  async function verify(username: string, password: string, header: string, req: MlflowRequest): Promise<Authorization | Response> {
    const address = guard.addressOf(req);
    const known = guard.known.get(header)?.username === username;
    if (!known) {
      const wait = guard.limiter.blockedFor(address, username);
      if (wait > 0) {
        told(req, username, "too many failed attempts");
        return tooMany(wait, "Too many failed login attempts; try again later.");
      }
    }
    const checked = guard.gate.run(async () => {
      const user = await store.findUser(username);
      // Verify against a dummy hash for unknown users too, so timing does not reveal which exist.
      return { user, ok: await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH) };
    }, known);
    if (!checked) {
      told(req, username, "too many sign-ins in progress");
      return tooMany(1, "Too many logins in progress; try again in a second.");
    }
    const { user, ok } = await checked;
    if (!user || !ok) {
      guard.limiter.fail(address, username);
      // The log may tell these apart; the client never does.
      told(req, username, user ? "wrong password" : "unknown user");
      return unauthenticated();
    }
    told(req, username);
    // A proven credential leaves the count alone: an attacker sharing the address would otherwise
    // get fresh tries every time the real user signs in.
    if (!known) guard.limiter.succeed(address, username);
    guard.cache.set(header, username, user);
    guard.known.set(header, username, user);
    return { username, type: "basic" };
  }
}

// scrypt of a random string: a valid hash no password matches.
const DUMMY_HASH = "scrypt:32768:8:1$AAAAAAAAAAAAAAAA$" + "00".repeat(64);

/**
 * Loads a custom `module:function` (`authorization_function`): a path (relative to `cwd`) or a
 * package specifier resolved from `cwd`.
 *
 * @example
 * const fn = await loadAuthorizationFunction("./my-jwt.js:authenticate", process.cwd());
 */
export async function loadAuthorizationFunction(spec: string, cwd: string): Promise<{ fn: AuthorizationFunction; name: string }> {
  const at = spec.lastIndexOf(":");
  const module = spec.slice(0, at);
  const name = spec.slice(at + 1);
  const isPath = module.startsWith(".") || path.isAbsolute(module);
  let file: string;
  let mod: Record<string, unknown>;
  try {
    file = isPath ? path.resolve(cwd, module) : resolveImport(module, cwd);
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`basic-auth: authorization_function '${spec}': ${(error as Error).message}`, { cause: error });
  }
  const fn = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name];
  if (typeof fn !== "function") throw new Error(`basic-auth: authorization_function '${spec}': ${file} exports no function named '${name}'`);
  return { fn: fn as AuthorizationFunction, name: spec };
}

/** The user record behind an authorization, cached by the caller. */
export type UserLookup = (username: string) => Promise<UserRecord | undefined>;
