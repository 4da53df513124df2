import { createHmac, timingSafeEqual } from "node:crypto";

/** What a token says: who, and until when (epoch seconds). */
export interface TokenClaims {
  readonly sub: string;
  readonly exp: number;
}

function sign(secret: Buffer, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * Issues a signed, expiring token: `base64url(claims).base64url(HMAC-SHA256(secret, claims))`.
 *
 * @example
 * const token = issueToken(secret, "alice", 3600);
 */
export function issueToken(secret: Buffer, username: string, ttlSeconds: number, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ sub: username, exp: Math.floor(now / 1000) + ttlSeconds })).toString("base64url");
  return `${payload}.${sign(secret, payload)}`;
}

/**
 * Checks a token's signature (in constant time) and expiry; returns its claims or undefined.
 *
 * @example
 * verifyToken(secret, token)?.sub; // "alice"
 */
export function verifyToken(secret: Buffer, token: string, now = Date.now()): TokenClaims | undefined {
  const dot = token.indexOf(".");
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(secret, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as TokenClaims;
  } catch {
    return undefined;
  }
  if (typeof claims.sub !== "string" || typeof claims.exp !== "number" || claims.exp * 1000 <= now) return undefined;
  return claims;
}
