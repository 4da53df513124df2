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
 * It remembers nothing: the app caches what a verified token maps to (its caller) until it expires.
 *
 * @example
 * const verifier = new BearerVerifier({ issuer, jwksUri, audience: "mlflow" });
 * const claims = await verifier.verify(token); // undefined when it is not acceptable
 */
export class BearerVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: { issuer: string; jwksUri: string; audience: string }) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUri), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  }

  /** The token's claims, or undefined when it is not acceptable here. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, { issuer: this.options.issuer, audience: this.options.audience, algorithms: ALGORITHMS, requiredClaims: ["exp"] });
      return payload as VerifiedToken;
    } catch {
      return undefined;
    }
  }
}
