import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ini from "ini";
import { parsePermission, type Permission } from "@mlflow-ts/authz";

/** basic-auth's validated settings. */
export interface AuthConfig {
  readonly defaultPermission: Permission;
  readonly databaseUri: string;
  readonly adminUsername: string;
  readonly adminPassword: string | undefined;
  readonly authorizationFunction: string | undefined;
  readonly cacheTtlSeconds: number;
  /** Failed logins allowed per (client address, username) in `loginWindowSeconds`. */
  readonly maxFailedLogins: number;
  /** Failed logins allowed per client address, any usernames, in `loginWindowSeconds`. */
  readonly maxFailedLoginsPerAddress: number;
  readonly loginWindowSeconds: number;
  /** Proxies whose `X-Forwarded-For` is believed: addresses, CIDR ranges, `loopback`, … */
  readonly trustedProxies: readonly string[];
  /** Password checks that may run at once; `loginQueue` more may wait, the rest get 429. */
  readonly maxConcurrentLogins: number;
  readonly loginQueue: number;
  /** Test switch (`MLFLOW_AUTH_ALLOW_INSECURE_PASSWORDS=true`): short and default passwords accepted. */
  readonly allowInsecurePasswords: boolean;
  /** What the file asked for that is not done, to log at start-up. */
  readonly warnings: readonly string[];
  /** The file read. */
  readonly file: string;
}

/** The packaged `basic_auth.ini`. */
export const PACKAGED_INI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "basic_auth.ini");

/** Passwords MLflow used to ship as defaults; refused everywhere. */
export const FORBIDDEN_PASSWORDS = new Set(["password", "password1234"]);

/** A start-up error of basic-auth, naming the key at fault. */
export class AuthConfigError extends Error {
  override readonly name = "AuthConfigError";
}

/**
 * Checks an admin or user password against the policy: at least 12 characters, not one of the
 * old default passwords. Returns the problem, or undefined.
 *
 * @example
 * passwordProblem("short"); // "Password must be a string longer than 12 characters."
 */
export function passwordProblem(password: unknown, allowInsecure = false): string | undefined {
  if (typeof password !== "string" || password === "") return "Password must be a string longer than 12 characters.";
  if (allowInsecure) return undefined;
  if (password.length < 12) return "Password must be a string longer than 12 characters.";
  if (FORBIDDEN_PASSWORDS.has(password)) return "This password was MLflow's default and is refused; choose another.";
  return undefined;
}

/**
 * The `authorization_function` of MLflow's stock `basic_auth.ini`: its own Basic authentication,
 * which is this app's built-in one.
 */
export const STOCK_AUTHORIZATION_FUNCTION = "mlflow.server.auth:authenticate_request_basic_auth";

/**
 * Reads the INI file (`MLFLOW_AUTH_CONFIG_PATH`, else the packaged `basic_auth.ini`), section
 * `[mlflow]`, and applies `MLFLOW_AUTH_ADMIN_USERNAME` / `MLFLOW_AUTH_ADMIN_PASSWORD`. Every bad
 * value is a start-up error naming its key.
 *
 * @example
 * const config = readAuthConfig(process.env);
 */
export function readAuthConfig(env: Readonly<Record<string, string | undefined>>): AuthConfig {
  const file = env.MLFLOW_AUTH_CONFIG_PATH ? path.resolve(env.MLFLOW_AUTH_CONFIG_PATH) : PACKAGED_INI;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AuthConfigError(`basic-auth: cannot read ${file} (MLFLOW_AUTH_CONFIG_PATH): ${(error as Error).message}`);
  }
  const parsed = ini.parse(text) as Record<string, Record<string, unknown>>;
  const section = parsed.mlflow;
  if (!section || typeof section !== "object") throw new AuthConfigError(`basic-auth: ${file} has no [mlflow] section`);
  // configparser's BasicInterpolation writes a literal % as %%.
  const get = (key: string): string | undefined => {
    const value = section[key];
    return typeof value === "string" ? value.replace(/%%/g, "%").trim() : value === undefined ? undefined : String(value);
  };
  const problems: string[] = [];
  let defaultPermission: Permission = "READ";
  const dp = get("default_permission");
  if (dp === undefined) problems.push("default_permission: missing");
  else {
    try {
      defaultPermission = parsePermission(dp);
    } catch (error) {
      problems.push(`default_permission: ${(error as Error).message}`);
    }
  }
  const databaseUri = get("database_uri");
  if (!databaseUri) problems.push("database_uri: missing");
  const adminUsername = env.MLFLOW_AUTH_ADMIN_USERNAME || get("admin_username");
  if (!adminUsername) problems.push("admin_username: missing (or set MLFLOW_AUTH_ADMIN_USERNAME)");
  // A test switch, never a default: MLflow 2.x's own tests use 10-character passwords and the old
  // default admin password.
  const allowInsecurePasswords = env.MLFLOW_AUTH_ALLOW_INSECURE_PASSWORDS === "true";
  const warnings: string[] = [];
  let adminPassword = env.MLFLOW_AUTH_ADMIN_PASSWORD || get("admin_password") || undefined;
  if (adminPassword !== undefined) {
    const problem = passwordProblem(adminPassword, allowInsecurePasswords);
    if (problem && !env.MLFLOW_AUTH_ADMIN_PASSWORD && FORBIDDEN_PASSWORDS.has(adminPassword)) {
      // MLflow's stock basic_auth.ini ships a default password: the file loads, the password is not used.
      warnings.push(`admin_password in ${file} is MLflow's old default '${adminPassword}' and is ignored; a generated one is used for a new admin`);
      adminPassword = undefined;
    } else if (problem) {
      problems.push(`admin_password${env.MLFLOW_AUTH_ADMIN_PASSWORD ? " (MLFLOW_AUTH_ADMIN_PASSWORD)" : ""}: ${problem}`);
    }
  }
  if (allowInsecurePasswords) warnings.push("MLFLOW_AUTH_ALLOW_INSECURE_PASSWORDS=true: short and default passwords are accepted. Never use this outside tests.");
  let authorizationFunction = get("authorization_function") || undefined;
  if (authorizationFunction === STOCK_AUTHORIZATION_FUNCTION) authorizationFunction = undefined;
  if (authorizationFunction !== undefined && !/^.+:[A-Za-z_$][\w$]*$/.test(authorizationFunction)) {
    problems.push(`authorization_function: '${authorizationFunction}' is not module:function`);
  }
  const integer = (key: string, fallback: number, min: number): number => {
    const raw = get(key);
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      problems.push(`${key}: '${raw}' is not an integer ≥ ${min}`);
      return fallback;
    }
    return n;
  };
  const cacheTtlSeconds = integer("auth_cache_ttl_seconds", 60, 0);
  const maxFailedLogins = integer("max_failed_logins", 10, 1);
  const maxFailedLoginsPerAddress = integer("max_failed_logins_per_address", 100, 1);
  const loginWindowSeconds = integer("failed_login_window_seconds", 300, 1);
  const maxConcurrentLogins = integer("max_concurrent_logins", 2, 1);
  const loginQueue = integer("login_queue", 16, 0);
  const trustedProxies = (get("trusted_proxies") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  for (const proxy of trustedProxies) {
    if (!/^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(proxy)) problems.push(`trusted_proxies: '${proxy}' is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
  }
  if (problems.length > 0) throw new AuthConfigError(`basic-auth: invalid configuration in ${file}:\n  - ${problems.join("\n  - ")}`);
  return {
    defaultPermission,
    databaseUri: databaseUri!,
    adminUsername: adminUsername!,
    adminPassword,
    authorizationFunction,
    cacheTtlSeconds,
    maxFailedLogins,
    maxFailedLoginsPerAddress,
    loginWindowSeconds,
    trustedProxies,
    maxConcurrentLogins,
    loginQueue,
    allowInsecurePasswords,
    warnings,
    file,
  };
}
