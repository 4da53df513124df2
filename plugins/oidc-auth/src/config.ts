import fs from "node:fs";
import ini from "ini";
import { parsePermission, type Permission } from "@mlflow-ts/authz";

/** oidc-auth's validated settings. */
export interface OidcConfig {
  /** The identity provider's issuer URL (discovery reads `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** This server's callback as registered at the provider: `https://mlflow.example.com/oidc/callback`. */
  readonly redirectUrl: string;
  /** Where the provider sends the browser after logging out (default: the server's root). */
  readonly postLogoutRedirectUrl: string;
  readonly scopes: string;
  /** The claim holding the caller's groups (`groups`; Keycloak, Okta and Entra ID can all send it). */
  readonly groupsClaim: string;
  /** The claim naming a person; then `preferred_username`, a verified `email`, `sub:<sub>` (see `identityOf`). */
  readonly usernameClaim: string;
  /** Members of this group are admins. */
  readonly adminGroup: string;
  /** What a caller may do where no grant (theirs or a group's) says otherwise. */
  readonly defaultPermission: Permission;
  /** How long a browser session lasts before it is refreshed (or the user signs in again). */
  readonly sessionLifetimeSeconds: number;
  /** The `aud` an access token must carry to be accepted as a Bearer token (default: the client id). */
  readonly audience: string;
  /** Users and grants: MLflow's auth tables, any database URI the server accepts. */
  readonly databaseUri: string;
  /** Signs and encrypts session cookies; share it across replicas. Generated when absent. */
  readonly sessionSecret: string | undefined;
  /** Plain-http issuers are refused unless this is set (tests, a provider on localhost). */
  readonly allowInsecureHttp: boolean;
  readonly cacheTtlSeconds: number;
}

/** A start-up error of oidc-auth, naming the setting at fault. */
export class OidcConfigError extends Error {
  override readonly name = "OidcConfigError";
}

// Setting → INI key (section [oidc]) and environment variable.
const KEYS = {
  issuer: "issuer",
  clientId: "client_id",
  clientSecret: "client_secret",
  redirectUrl: "redirect_url",
  postLogoutRedirectUrl: "post_logout_redirect_url",
  scopes: "scopes",
  groupsClaim: "groups_claim",
  usernameClaim: "username_claim",
  adminGroup: "admin_group",
  defaultPermission: "default_permission",
  sessionLifetimeSeconds: "session_lifetime_seconds",
  audience: "audience",
  databaseUri: "database_uri",
  sessionSecret: "session_secret",
  allowInsecureHttp: "allow_insecure_http",
  cacheTtlSeconds: "cache_ttl_seconds",
} as const;

/**
 * Reads the settings: the INI file at `MLFLOW_OIDC_CONFIG_PATH` (section `[oidc]`), then
 * `MLFLOW_OIDC_<KEY>` environment variables over it. Every problem is reported at once.
 *
 * @example
 * const config = readOidcConfig({ MLFLOW_OIDC_ISSUER: "https://idp.example.com/realms/ml", MLFLOW_OIDC_CLIENT_ID: "mlflow", … });
 */
export function readOidcConfig(env: Readonly<Record<string, string | undefined>>): OidcConfig {
  let file: Record<string, string> = {};
  const path = env.MLFLOW_OIDC_CONFIG_PATH;
  if (path) {
    try {
      file = (ini.parse(fs.readFileSync(path, "utf8")).oidc ?? {}) as Record<string, string>;
    } catch (error) {
      throw new OidcConfigError(`oidc-auth: cannot read MLFLOW_OIDC_CONFIG_PATH ${path}: ${(error as Error).message}`);
    }
  }
  const problems: string[] = [];
  const raw = (key: keyof typeof KEYS): string | undefined => {
    const name = KEYS[key];
    const value = env[`MLFLOW_OIDC_${name.toUpperCase()}`] ?? file[name];
    return value === undefined || String(value).trim() === "" ? undefined : String(value).trim();
  };
  const required = (key: keyof typeof KEYS): string => {
    const value = raw(key);
    if (value === undefined) problems.push(`${KEYS[key]} (MLFLOW_OIDC_${KEYS[key].toUpperCase()}) is required`);
    return value ?? "";
  };
  const url = (key: keyof typeof KEYS, value: string): string => {
    try {
      const u = new URL(value);
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("not http(s)");
    } catch {
      if (value) problems.push(`${KEYS[key]}: '${value}' is not an http(s) URL`);
    }
    return value;
  };
  const int = (key: keyof typeof KEYS, fallback: number): number => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) <= 0) {
      problems.push(`${KEYS[key]}: '${value}' is not a positive whole number`);
      return fallback;
    }
    return Number(value);
  };
  const allowInsecureHttp = raw("allowInsecureHttp") === "true";
  const issuer = url("issuer", required("issuer"));
  const clientId = required("clientId");
  const redirectUrl = url("redirectUrl", required("redirectUrl"));
  let defaultPermission: Permission = "READ";
  try {
    defaultPermission = parsePermission(raw("defaultPermission") ?? "READ");
  } catch (error) {
    problems.push(`default_permission: ${(error as Error).message}`);
  }
  if (!allowInsecureHttp) {
    for (const [key, value] of [["issuer", issuer], ["redirect_url", redirectUrl]] as const) {
      if (value.startsWith("http:")) problems.push(`${key}: '${value}' is plain http; use https (or allow_insecure_http = true for a provider on localhost)`);
    }
  }
  const postLogout = raw("postLogoutRedirectUrl") ?? (redirectUrl ? new URL("/", redirectUrl).toString() : "");
  const config: OidcConfig = {
    issuer,
    clientId,
    clientSecret: raw("clientSecret"),
    redirectUrl,
    postLogoutRedirectUrl: url("postLogoutRedirectUrl", postLogout),
    scopes: raw("scopes") ?? "openid profile email groups",
    groupsClaim: raw("groupsClaim") ?? "groups",
    usernameClaim: raw("usernameClaim") ?? "preferred_username",
    adminGroup: raw("adminGroup") ?? "mlflow-admins",
    defaultPermission,
    sessionLifetimeSeconds: int("sessionLifetimeSeconds", 8 * 3600),
    audience: raw("audience") ?? clientId,
    databaseUri: raw("databaseUri") ?? "sqlite:///oidc_auth.db",
    sessionSecret: raw("sessionSecret"),
    allowInsecureHttp,
    cacheTtlSeconds: int("cacheTtlSeconds", 60),
  };
  if (config.sessionSecret !== undefined && config.sessionSecret.length < 32) problems.push("session_secret: use at least 32 characters");
  if (problems.length) throw new OidcConfigError(`oidc-auth: invalid configuration:\n  ${problems.join("\n  ")}`);
  return config;
}
