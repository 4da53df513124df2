import { hash, randomBytes } from "node:crypto";
import type { AppEvents, Authorization, MlflowRequest } from "@mlflow-ts/plugin-api";
import { basicCredentials, type AuthorizationFunction } from "./authenticate.js";

/** Options of {@link tellingSignIns}. */
export interface TellingSignInsOptions {
  readonly events: AppEvents;
  /** The function's `module:function` name, in a refusal's reason. */
  readonly name: string;
  /** How long an admitted caller's credentials count as signed in (`auth_cache_ttl_seconds`); 0: every request is a sign-in. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * A custom `authorization_function` with its sign-ins told on `app.context.events`, as the default
 * authentication tells its own (an audit app writes them). The function itself says nothing: it
 * only admits or refuses each request. So:
 * - admitted: a successful sign-in the first time these credentials (the `Authorization` and
 *   `Cookie` headers, hashed under a per-process secret) admit this user within `ttlMs`, like a
 *   password check on a credential-cache miss — not every request;
 * - refused (a 401 or 403 answer) to a request that carried an `Authorization` header: a failed
 *   sign-in, with the username a Basic header claimed if it has one. A request with no credentials
 *   is anonymous, not a sign-in attempt: it is not told.
 * A function that answers synchronously still does.
 *
 * @example
 * const authenticate = tellingSignIns(loaded.fn, { events: app.context.events, name: loaded.name, ttlMs: 60_000 });
 */
export function tellingSignIns(fn: AuthorizationFunction, options: TellingSignInsOptions): AuthorizationFunction {
  const { events, name, ttlMs } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const secret = randomBytes(32).toString("base64");
  // Credentials (hashed) and user → when their sign-in stops counting.
  const signedIn = new Map<string, number>();

  const admitted = (req: MlflowRequest, username: string) => {
    const key = hash("sha256", `${secret}\n${username}\n${req.get("authorization") ?? ""}\n${req.get("cookie") ?? ""}`, "base64");
    const at = now();
    const until = signedIn.get(key);
    if (until !== undefined && until > at) return;
    if (ttlMs > 0) {
      signedIn.delete(key);
      if (signedIn.size >= maxEntries) signedIn.delete(signedIn.keys().next().value!);
      signedIn.set(key, at + ttlMs);
    }
    events.emit({ type: "sign-in", outcome: "success", username, method: "custom", req });
  };

  const told = (req: MlflowRequest, result: Authorization | Response): Authorization | Response => {
    if (result instanceof Response) {
      const header = req.get("authorization");
      if ((result.status === 401 || result.status === 403) && header !== undefined) {
        const claimed = basicCredentials(header)?.username;
        events.emit({ type: "sign-in", outcome: "failure", ...(claimed !== undefined ? { username: claimed } : {}), method: "custom", reason: `refused by ${name} (${result.status})`, req });
      }
    } else if (result && typeof result.username === "string") {
      admitted(req, result.username);
    }
    return result;
  };

  return (req) => {
    const result = fn(req);
    return typeof (result as unknown as PromiseLike<unknown> | undefined)?.then === "function"
      ? Promise.resolve(result).then((r) => told(req, r))
      : told(req, result as Authorization | Response);
  };
}
