import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, generateKeyPair, exportJWK } from "jose";
import Provider from "oidc-provider";

/** The people and machines of the test identity provider, with their groups. */
export const ACCOUNTS: Record<string, readonly string[]> = {
  alice: ["mlflow-admins"],
  bob: ["team-a"],
  carol: [],
};

/** A running `oidc-provider` (a certified OpenID Provider) on 127.0.0.1. */
export interface TestIdp {
  readonly issuer: string;
  /** An access token (JWT) from the client-credentials grant. */
  clientToken(client: string, secret: string, resource?: string): Promise<string>;
  /**
   * An access token with exactly these claims (plus `iss`, `aud`, `iat`, `exp`), signed with the
   * provider's own key: what a provider whose accounts carry other claims (an `email` not
   * verified, no `preferred_username`) would issue.
   */
  signToken(claims: Record<string, unknown>, audience?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts an identity provider with a confidential web client `mlflow` (code flow with PKCE,
 * refresh tokens, RP-initiated logout), machine clients `robot` (groups `team-a`) and `short`
 * (2-second tokens), more machine clients named in `machines` (secret `<name>-secret`), and
 * resource servers `http://mlflow` (audience `mlflow`) and `http://other`. Access tokens are JWTs
 * carrying `groups` and `preferred_username` (people) or `sub` = `client_id` (machines).
 *
 * @example
 * const idp = await startIdp({ redirectUri: "http://127.0.0.1:5000/oidc/callback", postLogoutUri: "http://127.0.0.1:5000/" });
 */
export async function startIdp(options: { redirectUri: string; postLogoutUri: string; machines?: readonly string[] }): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "k1", use: "sig", alg: "RS256" };
  const groupsOf = (id: string) => ACCOUNTS[id] ?? (id === "robot" ? ["team-a"] : []);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "mlflow",
        client_secret: "mlflow-secret",
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
      { client_id: "robot", client_secret: "robot-secret", grant_types: ["client_credentials"], response_types: [], redirect_uris: [] },
      { client_id: "short", client_secret: "short-secret", grant_types: ["client_credentials"], response_types: [], redirect_uris: [] },
      ...(options.machines ?? []).map((id) => ({ client_id: id, client_secret: `${id}-secret`, grant_types: ["client_credentials"], response_types: [], redirect_uris: [] })),
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-idp-cookie-key"] },
    pkce: { required: () => true },
    scopes: ["openid", "profile", "groups", "offline_access"],
    claims: { openid: ["sub"], profile: ["preferred_username"], groups: ["groups"] },
    findAccount: async (_ctx, id) => (id in ACCOUNTS ? { accountId: id, claims: async () => ({ sub: id, preferred_username: id, groups: [...groupsOf(id)] }) } : undefined),
    // ID tokens carry the claims themselves (not only userinfo), as Keycloak and Entra ID do.
    conformIdTokenClaims: false,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    extraTokenClaims: async (_ctx, token) => {
      const id = (token as { accountId?: string; clientId?: string }).accountId ?? (token as { clientId?: string }).clientId ?? "";
      return { groups: [...groupsOf(id)], ...((token as { accountId?: string }).accountId ? { preferred_username: id } : {}) };
    },
    ttl: {
      AccessToken: (_ctx, _token, client) => (client?.clientId === "short" ? 2 : 3600),
      ClientCredentials: (_ctx, _token, client) => (client?.clientId === "short" ? 2 : 3600),
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => "http://mlflow",
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => ({
          scope: "openid profile groups",
          audience: resource === "http://other" ? "other" : "mlflow",
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    async clientToken(client, secret, resource = "http://mlflow") {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "client_credentials", scope: "openid", resource }).toString(),
      });
      const json = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!json.access_token) throw new Error(`token: ${json.error}: ${json.error_description}`);
      return json.access_token;
    },
    signToken: (claims, audience = "mlflow") =>
      new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime("1h").sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
