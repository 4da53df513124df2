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
/** A person of the provider beyond {@link ACCOUNTS}: groups, and claims over the defaults (`undefined` drops one). */
export interface ExtraAccount {
  readonly groups: readonly string[];
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A machine client (client-credentials grant) beyond `robot` and `short`. */
export interface ExtraMachine {
  readonly clientId: string;
  readonly secret: string;
  readonly groups?: readonly string[];
}

export async function startIdp(options: {
  redirectUri: string;
  postLogoutUri: string;
  /** More people, by account id (the login typed at the provider's sign-in page). */
  accounts?: Readonly<Record<string, ExtraAccount>>;
  /** More machine clients; a bare name has the secret `<name>-secret` and no groups. */
  machines?: readonly (string | ExtraMachine)[];
}): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "k1", use: "sig", alg: "RS256" };
  const extra = options.accounts ?? {};
  const machines = (options.machines ?? []).map((m): ExtraMachine => (typeof m === "string" ? { clientId: m, secret: `${m}-secret` } : m));
  const groupsOf = (id: string) => extra[id]?.groups ?? ACCOUNTS[id] ?? machines.find((m) => m.clientId === id)?.groups ?? (id === "robot" ? ["team-a"] : []);
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
      ...machines.map((m) => ({ client_id: m.clientId, client_secret: m.secret, grant_types: ["client_credentials"], response_types: [], redirect_uris: [] })),
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-idp-cookie-key"] },
    pkce: { required: () => true },
    scopes: ["openid", "profile", "email", "groups", "offline_access"],
    claims: { openid: ["sub"], profile: ["preferred_username"], email: ["email", "email_verified"], groups: ["groups"] },
    findAccount: async (_ctx, id) =>
      id in ACCOUNTS || id in extra
        ? {
            accountId: id,
            claims: async () =>
              Object.fromEntries(Object.entries({ sub: id, preferred_username: id, groups: [...groupsOf(id)], ...extra[id]?.claims }).filter(([, v]) => v !== undefined)) as { sub: string },
          }
        : undefined,
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

/** What a sign-in through the server ended with: its session cookie (`name=value`), or the refusal. */
export interface SignedIn {
  readonly cookie: string | undefined;
  readonly status: number;
  readonly text: string;
}

/** `name=value` pairs from Set-Cookie headers, into a jar (later values win; cleared ones go). */
function keep(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(";");
    const at = pair!.indexOf("=");
    const name = pair!.slice(0, at).trim();
    const value = pair!.slice(at + 1).trim();
    if (value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
    else jar.set(name, value);
  }
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/**
 * Signs a person in through the server's own code flow with plain HTTP, as a browser would without
 * running scripts: `<server>/oidc/login` → the provider's login and consent forms (oidc-provider's
 * dev interactions, any password) → `<server>/oidc/callback`. Resolves with the session cookie the
 * callback set, or with the callback's refusal.
 *
 * @example
 * const { cookie } = await signInThroughServer(serverUrl, "bob");
 * await fetch(`${serverUrl}/api/2.0/mlflow/experiments/search`, { headers: { cookie: cookie! } });
 */
export async function signInThroughServer(serverUrl: string, login: string, prefix = ""): Promise<SignedIn> {
  const server = new Map<string, string>();
  const idp = new Map<string, string>();
  let response = await fetch(`${serverUrl}${prefix}/oidc/login`, { redirect: "manual" });
  keep(server, response);
  let location = new URL(response.headers.get("location")!, serverUrl).href;
  for (let step = 0; step < 20; step += 1) {
    if (location.startsWith(serverUrl)) {
      response = await fetch(location, { redirect: "manual", headers: { cookie: header(server) } });
      keep(server, response);
      const session = server.get("mlflow_oidc_session");
      return { cookie: session ? `mlflow_oidc_session=${session}` : undefined, status: response.status, text: await response.text() };
    }
    response = await fetch(location, { redirect: "manual", headers: { cookie: header(idp) } });
    keep(idp, response);
    if (response.status === 200) {
      // The provider's login or consent form.
      const html = await response.text();
      const action = /action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`sign-in of ${login}: no form at ${location}: ${html.slice(0, 300)}`);
      const form: Record<string, string> = prompt === "login" ? { prompt, login, password: "any" } : { prompt };
      response = await fetch(new URL(action, location), {
        method: "POST",
        redirect: "manual",
        headers: { cookie: header(idp), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      });
      keep(idp, response);
    }
    const next = response.headers.get("location");
    if (!next) throw new Error(`sign-in of ${login}: stuck at ${location} (HTTP ${response.status}): ${(await response.text()).slice(0, 300)}`);
    location = new URL(next, location).href;
  }
  throw new Error(`sign-in of ${login}: too many redirects`);
}
