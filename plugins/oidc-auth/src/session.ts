import { createHash, randomBytes } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";

/** What a browser session carries (encrypted in its cookie: no server state, any replica reads it). */
export interface Session {
  readonly username: string;
  readonly groups: readonly string[];
  /** Seconds since the epoch after which the session must be refreshed. */
  readonly expires: number;
  /** For a silent refresh at the provider, and RP-initiated logout. */
  readonly refreshToken?: string;
  readonly idToken?: string;
}

/** The sign-in in progress between `/oidc/login` and `/oidc/callback`. */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** Where to go afterwards: a path on this server. */
  readonly next: string;
}

/**
 * Seals and opens the session and sign-in cookies: JWTs encrypted with AES-256-GCM (jose,
 * `dir`), so they cannot be read or altered — a tampered cookie simply does not open — and carry
 * their own expiry. The key is the SHA-256 of the configured secret (shared by replicas) or, when
 * none is configured, a random one (sessions then end with the process).
 *
 * @example
 * const codec = new CookieCodec(process.env.MLFLOW_OIDC_SESSION_SECRET);
 * const cookie = await codec.seal({ username: "alice" }, 3600);
 */
export class CookieCodec {
  private readonly key: Uint8Array;

  constructor(secret: string | undefined) {
    this.key = secret ? createHash("sha256").update(secret).digest() : randomBytes(32);
  }

  async seal(payload: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    return new EncryptJWT(payload)
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt()
      .setExpirationTime(`${Math.max(1, Math.floor(ttlSeconds))}s`)
      .encrypt(this.key);
  }

  /** The payload, or undefined for anything that was not sealed here or has expired. */
  async open<T>(token: string | undefined): Promise<T | undefined> {
    if (!token) return undefined;
    try {
      const { payload } = await jwtDecrypt(token, this.key, { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] });
      return payload as T;
    } catch {
      return undefined;
    }
  }
}

/**
 * A cookie's value from the `Cookie` header (no cookie-parser middleware in the server).
 *
 * @example
 * cookieValue("a=1; mlflow_oidc=xyz", "mlflow_oidc"); // "xyz"
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
