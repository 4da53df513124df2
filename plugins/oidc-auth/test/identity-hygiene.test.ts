import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "@mlflow-ts/client";
import { createOidcAuth, readOidcConfig } from "../dist/app.js";
import { identityOf } from "../dist/identity-of.js";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";
import { startIdp, type TestIdp } from "./idp.js";
import { applyExtraApps, enterAuthApp } from "../../../test/support/extra-apps.js";

// Issue 19: who a token is must not be up to a name someone else can choose. A machine (client
// credentials, no end user) was named by its client_id, so an IdP client called `owner` was the
// user `owner`; and without `preferred_username` the name came from `email` whether or not the
// provider had verified it, so anyone who could type a colleague's address was that colleague.

describe("oidc-auth names callers so that nobody can take another's name", () => {
  let idp: TestIdp;
  let server: TestServer;

  beforeAll(async () => {
    // The server's own callback is never used here: only Bearer tokens are sent.
    idp = await startIdp({ redirectUri: "http://127.0.0.1:9/oidc/callback", postLogoutUri: "http://127.0.0.1:9/", machines: ["owner"] });
    server = await startTestServer({
      configure: async (app) => {
        const env = {
          MLFLOW_OIDC_ISSUER: idp.issuer,
          MLFLOW_OIDC_CLIENT_ID: "mlflow",
          MLFLOW_OIDC_CLIENT_SECRET: "mlflow-secret",
          MLFLOW_OIDC_REDIRECT_URL: "http://127.0.0.1:9/oidc/callback",
          MLFLOW_OIDC_AUDIENCE: "mlflow",
          MLFLOW_OIDC_DEFAULT_PERMISSION: "NO_PERMISSIONS",
          MLFLOW_OIDC_SESSION_SECRET: "a-test-session-secret-of-32-characters!",
          MLFLOW_OIDC_ALLOW_INSECURE_HTTP: "true",
          MLFLOW_OIDC_DATABASE_URI: `sqlite:///${path.join(app.context.config.cwd, "auth.db")}`,
        };
        enterAuthApp(app, "oidc-auth");
        await createOidcAuth({ env })(app);
        await applyExtraApps(app, { ...process.env, ...env });
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await idp?.close();
  });

  /** Who the server takes the bearer of this token for. */
  const whoIs = async (token: string): Promise<string> => {
    const response = await server.fetch("/ajax-api/2.0/mlflow-ts/oidc/me", { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { user: { username: string } }).user.username;
  };
  const as = (token: string) => new MlflowClient(server.url, { token });

  it("names a machine client:<client_id>, never the person of the same name", async () => {
    const person = await idp.signToken({ sub: "u-owner", preferred_username: "owner" });
    expect(await whoIs(person)).toBe("owner");
    const experiment = await as(person).createExperiment("owner-private");
    // The provider's own client-credentials token for the client `owner` (sub = client_id, RFC 9068).
    const machine = await idp.clientToken("owner", "owner-secret");
    expect(await whoIs(machine)).toBe("client:owner");
    await expect(as(machine).getExperiment(experiment)).rejects.toMatchObject({ status: 403 });
    // Spelled without a subject, or with the client only as `azp`: the same machine.
    expect(await whoIs(await idp.signToken({ client_id: "owner" }))).toBe("client:owner");
    expect(await whoIs(await idp.signToken({ sub: "owner", azp: "owner" }))).toBe("client:owner");
  });

  it("never gives a person a name with ':' (the machines' and subjects' namespaces)", async () => {
    const robot = await idp.clientToken("robot", "robot-secret");
    expect(await whoIs(robot)).toBe("client:robot");
    const experiment = await as(robot).createExperiment("robot-private");
    const impostor = await idp.signToken({ sub: "u-mallory", preferred_username: "client:robot" });
    expect(await whoIs(impostor)).toBe("sub:u-mallory");
    await expect(as(impostor).getExperiment(experiment)).rejects.toMatchObject({ status: 403 });
    expect(await whoIs(await idp.signToken({ sub: "u-eve", preferred_username: "sub:u-owner" }))).toBe("sub:u-eve");
    expect(await whoIs(await idp.signToken({ sub: "u-eve", email: "client:owner", email_verified: true }))).toBe("sub:u-eve");
  });

  it("takes the email only when the provider verified it, else the subject", async () => {
    const alice = await idp.signToken({ sub: "u-alice", email: "alice@example.com", email_verified: true });
    expect(await whoIs(alice)).toBe("alice@example.com");
    const experiment = await as(alice).createExperiment("alice-private");
    for (const [sub, verified] of [["u-m1", undefined], ["u-m2", false], ["u-m3", "true"]] as const) {
      const claims = { sub, email: "alice@example.com", ...(verified === undefined ? {} : { email_verified: verified }) };
      const token = await idp.signToken(claims);
      expect({ verified, name: await whoIs(token) }).toEqual({ verified, name: `sub:${sub}` });
      await expect(as(token).getExperiment(experiment)).rejects.toMatchObject({ status: 403 });
    }
    // A subject is a subject: one that looks like a person's name is still namespaced.
    expect(await whoIs(await idp.signToken({ sub: "alice@example.com" }))).toBe("sub:alice@example.com");
  });

  it("applies the same rules to a configured username_claim of email", () => {
    const config = readOidcConfig({ MLFLOW_OIDC_ISSUER: "https://idp.example.com", MLFLOW_OIDC_CLIENT_ID: "mlflow", MLFLOW_OIDC_REDIRECT_URL: "https://mlflow.example.com/oidc/callback", MLFLOW_OIDC_USERNAME_CLAIM: "email" });
    expect(identityOf({ sub: "u-1", email: "a@example.com", email_verified: true, preferred_username: "a" }, config)?.username).toBe("a@example.com");
    expect(identityOf({ sub: "u-1", email: "a@example.com", preferred_username: "a" }, config)?.username).toBe("a");
    expect(identityOf({ sub: "u-1", email: "a@example.com" }, config)?.username).toBe("sub:u-1");
    expect(identityOf({ email: "a@example.com" }, config)).toBeUndefined();
  });
});
