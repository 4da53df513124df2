import type { OidcConfig } from "./config.js";

/**
 * What a sign-in or an access token says about the caller.
 *
 * @example
 * const identity: Identity = { username: "client:ci-pipeline", groups: ["team-a"] };
 */
export interface Identity {
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * The prefix of a machine's name: a token for a client itself (client credentials, no end user)
 * is the user `client:<client_id>`.
 *
 * @example
 * `${MACHINE_PREFIX}ci-pipeline`; // "client:ci-pipeline"
 */
export const MACHINE_PREFIX = "client:";

/**
 * The prefix of a person named by their subject (`sub`), when the token carries no usable name:
 * `sub:<sub>`.
 *
 * @example
 * `${SUBJECT_PREFIX}248289761001`; // "sub:248289761001"
 */
export const SUBJECT_PREFIX = "sub:";

const text = (x: unknown): string | undefined => (typeof x === "string" && x !== "" ? x : undefined);

/**
 * The caller's name and groups from ID-token, userinfo or access-token claims, or undefined when
 * they name nobody. The name, first that applies:
 *
 * 1. A token whose subject is its client (`sub` absent or equal to `client_id`, else `azp`: the
 *    client-credentials grant, RFC 9068) is the machine `client:<client_id>`, whatever else it says.
 * 2. The configured `username_claim`, then `preferred_username`, then `email`: a name the provider
 *    lets people choose. `email` counts only with `email_verified: true` (otherwise anyone who types
 *    a colleague's address would be them), and no such name may contain `:` — the separator of
 *    the names below, so a person can never be a machine or someone else's subject.
 * 3. `sub:<sub>`: the subject, unique at the provider, kept apart from chosen names.
 *
 * @example
 * identityOf({ sub: "u-1", preferred_username: "alice", groups: ["team-a"] }, config); // { username: "alice", groups: ["team-a"] }
 * identityOf({ sub: "u-2", email: "bob@example.com" }, config); // { username: "sub:u-2", groups: [] } (email not verified)
 * identityOf({ sub: "ci", client_id: "ci" }, config); // { username: "client:ci", groups: [] }
 */
export function identityOf(claims: Record<string, unknown>, config: OidcConfig): Identity | undefined {
  const sub = text(claims.sub);
  const client = text(claims.client_id) ?? text(claims.azp);
  let username: string | undefined;
  if (client !== undefined && (sub === undefined || sub === client)) username = `${MACHINE_PREFIX}${client}`;
  else {
    const chosen = (claim: string): string | undefined => {
      const value = text(claims[claim]);
      if (value === undefined || value.includes(":")) return undefined;
      return claim === "email" && claims.email_verified !== true ? undefined : value;
    };
    username = chosen(config.usernameClaim) ?? chosen("preferred_username") ?? chosen("email") ?? (sub === undefined ? undefined : `${SUBJECT_PREFIX}${sub}`);
  }
  if (username === undefined) return undefined;
  const raw = claims[config.groupsClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : typeof raw === "string" ? raw.split(/[ ,]+/).filter(Boolean) : [];
  return { username, groups };
}
