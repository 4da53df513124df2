import { hash } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

/** The claims of an access token that was verified. */
export type VerifiedToken = JWTPayload & Record<string, unknown>;

// Asymmetric algorithms only: a token "signed" with alg none, or with an HMAC keyed by a public
// key, never verifies.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/**
 * Verifies `Authorization: Bearer` access tokens issued by the provider: a JWT signed by one of
 * the keys at its `jwks_uri` (fetched, cached and refetched when an unknown `kid` appears, so
 * keys rotate without a restart), from its issuer, for this server's audience, not expired.
 * A verified token is remembered until it expires, under a SHA-256 of it (never the token).
 *
 * @example
 * const verifier = new BearerVerifier({ issuer, jwksUri, audience: "mlflow" });
 * const claims = await verifier.verify(token); // undefined when it is not acceptable
 */
export class BearerVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly cache = new Map<string, { claims: VerifiedToken; expires: number }>();

  constructor(private readonly options: { issuer: string; jwksUri: string; audience: string; maxEntries?: number }) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUri), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  }

  /** The claims when the token is cached and still valid (no I/O, no promise). */
  cached(token: string): VerifiedToken | undefined {
    const key = hash("sha256", token, "base64");
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.cache.delete(key);
      return undefined;
    }
    return hit.claims;
  }

  async verify(token: string): Promise<VerifiedToken | undefined> {
    const hit = this.cached(token);
    if (hit) return hit;
    try {
      const { payload } = await jwtVerify(token, this.jwks, { issuer: this.options.issuer, audience: this.options.audience, algorithms: ALGORITHMS, requiredClaims: ["exp"] });
      const key = hash("sha256", token, "base64");
      if (this.cache.size >= (this.options.maxEntries ?? 10_000)) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { claims: payload as VerifiedToken, expires: payload.exp! * 1000 });
      return payload as VerifiedToken;
    } catch {
      return undefined;
    }
  }
}
