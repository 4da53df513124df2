import proxyaddr from "proxy-addr";
import type { MlflowRequest } from "@mlflow-ts/plugin-api";

/**
 * How basic-auth tells clients apart for login limiting. `X-Forwarded-For` is believed only when
 * the connection comes from a trusted proxy (`trusted_proxies`: addresses, CIDR ranges, or
 * `loopback` / `linklocal` / `uniquelocal`), and then only up to the first untrusted hop, as
 * Express's `trust proxy` does (the same library); anything else would let a client pick the
 * address it is limited under.
 *
 * @example
 * const addressOf = clientAddress(["10.0.0.0/8"]);
 * addressOf(req); // "203.0.113.7" when a proxy at 10.0.0.2 forwarded it
 */
export function clientAddress(trustedProxies: readonly string[]): (req: MlflowRequest) => string {
  if (trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trust = proxyaddr.compile([...trustedProxies]);
  return (req) => proxyaddr(req, trust);
}
