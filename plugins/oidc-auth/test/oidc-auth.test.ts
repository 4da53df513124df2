import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, generateKeyPair } from "jose";
import type { Browser } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { OidcAuthClient } from "../dist/client.js";
import { safeNext } from "../dist/sign-in.js";
import { spawnServer, type SpawnedServer } from "../../../test/support/spawn-server.js";
import { HAS_CHROMIUM, launchChromium, screenshot } from "../../../test/support/browser.js";
import { startIdp, type TestIdp } from "./idp.js";
import { withExtraApps } from "../../../test/support/extra-apps.js";

// Issue 12: oidc-auth against a real OpenID Provider (oidc-provider) on 127.0.0.1 — browser sign-on
// through the provider's own pages, Bearer tokens for clients, group permissions, and the attacks
// an SSO plugin must refuse, with nothing logged that could leak a token.

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("oidc-auth with a real identity provider", () => {
  let dir: string;
  let idp: TestIdp;
  let other: TestIdp;
  let server: SpawnedServer;
  let url: string;
  let robotToken: string;
  let experimentId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-oidc-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    idp = await startIdp({ redirectUri: `${url}/oidc/callback`, postLogoutUri: `${url}/` });
    other = await startIdp({ redirectUri: `${url}/oidc/callback`, postLogoutUri: `${url}/` });
    server = await spawnServer(["--port", String(port), "--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", withExtraApps("oidc-auth")], {
      cwd: dir,
      env: {
        MLFLOW_OIDC_ISSUER: idp.issuer,
        MLFLOW_OIDC_CLIENT_ID: "mlflow",
        MLFLOW_OIDC_CLIENT_SECRET: "mlflow-secret",
        MLFLOW_OIDC_REDIRECT_URL: `${url}/oidc/callback`,
        MLFLOW_OIDC_AUDIENCE: "mlflow",
        MLFLOW_OIDC_SCOPES: "openid profile groups offline_access",
        MLFLOW_OIDC_DEFAULT_PERMISSION: "NO_PERMISSIONS",
        MLFLOW_OIDC_SESSION_SECRET: "a-test-session-secret-of-32-characters!",
        // Short sessions, so the tests see them renewed with the refresh token.
        MLFLOW_OIDC_SESSION_LIFETIME_SECONDS: "3",
        MLFLOW_OIDC_ALLOW_INSECURE_HTTP: "true",
        MLFLOW_OIDC_DATABASE_URI: `sqlite:///${path.join(dir, "auth.db")}`,
      },
    });
    robotToken = await idp.clientToken("robot", "robot-secret");
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
    await other?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bearer = (token: string) => new MlflowClient(url, { token });

  it("answers API calls without credentials with MLflow's JSON 401 (never a redirect)", async () => {
    const response = await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=1`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await response.json()).toMatchObject({ error_code: "UNAUTHENTICATED" });
  });

  it("accepts the provider's access tokens as Bearer, with the default permission and group grants", async () => {
    const robot = bearer(robotToken);
    // NO_PERMISSIONS by default: the robot (group team-a) may not read experiment 0 …
    await expect(robot.getExperiment("0")).rejects.toMatchObject({ status: 403 });
    // … but may create its own experiments (MANAGE for the creator).
    experimentId = await robot.createExperiment("robot-experiment");
    const run = await robot.createRun(experimentId);
    await robot.logMetric(run.info.run_id, "loss", 0.5);
    expect((await robot.getRun(run.info.run_id)).data.metrics?.[0]?.value).toBe(0.5);
  });

  it("refuses tokens from another issuer, for another audience, expired, or unsigned", async () => {
    const refused = async (token: string, what: string) => {
      const response = await fetch(`${url}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, { headers: { authorization: `Bearer ${token}` } });
      expect({ what, status: response.status }).toEqual({ what, status: 401 });
      expect(await response.json()).toMatchObject({ error_code: "UNAUTHENTICATED" });
    };
    await refused(await other.clientToken("robot", "robot-secret"), "another issuer");
    await refused(await idp.clientToken("robot", "robot-secret", "http://other"), "another audience");
    const short = await idp.clientToken("short", "short-secret");
    // Twice: the second call is served from the cache (and the connection's memory of the header).
    for (let i = 0; i < 2; i += 1) expect((await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${short}` } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    await refused(short, "expired");
    const [, payload] = robotToken.split(".");
    await refused(`${b64({ alg: "none", typ: "JWT" })}.${payload}.`, "alg none");
    // Signed, right issuer and audience, but by a key that is not the provider's.
    const { privateKey } = await generateKeyPair("RS256");
    await refused(await new SignJWT({ client_id: "robot", groups: ["mlflow-admins"] }).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(idp.issuer).setAudience("mlflow").setExpirationTime("1h").sign(privateKey), "a key not the provider's");
    await refused("not-a-jwt", "not a JWT");
  });

  it("checks every request of a keep-alive connection on its own header, not the connection's last one", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    const get = (authorization: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.get(`${url}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, { agent, headers: { authorization } }, (response) => {
          ports.add(request.socket!.localPort!);
          response.resume().on("end", () => resolve(response.statusCode!));
        });
        request.on("error", reject);
      });
    const [header, payload, signature] = robotToken.split(".");
    const admin = b64({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), groups: ["mlflow-admins"] });
    try {
      expect(await get(`Bearer ${robotToken}`)).toBe(200);
      expect(await get(`Bearer ${robotToken}`)).toBe(200);
      // The verified token's signature on a payload that claims the admin group; then no token.
      expect(await get(`Bearer ${header}.${admin}.${signature}`)).toBe(401);
      expect(await get("Basic cm9ib3Q6cm9ib3Qtc2VjcmV0")).toBe(401);
      expect(await get(`Bearer ${robotToken}`)).toBe(200);
      expect(ports.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("keeps group administration to admins (admin status comes only from the token's groups)", async () => {
    const robot = new OidcAuthClient(url, { token: robotToken });
    await expect(robot.listGroupPermissions()).rejects.toMatchObject({ status: 403 });
    await expect(robot.setGroupPermission("team-a", "experiment", "0", "MANAGE")).rejects.toMatchObject({ status: 403 });
  });

  it("keeps open redirects out of the sign-in", () => {
    expect(safeNext("/#/experiments/1", "")).toBe("/#/experiments/1");
    for (const evil of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/\u0000x"]) expect(safeNext(evil, "")).toBe("/");
    expect(safeNext("/other", "/mlflow")).toBe("/mlflow/");
  });

  it("refuses a callback without its sign-in cookie (a replayed state or a missing PKCE verifier)", async () => {
    const response = await fetch(`${url}/oidc/callback?code=abc&state=xyz`, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/expired or was already used/);
  });

  it("refuses a tampered session cookie", async () => {
    const response = await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { cookie: "mlflow_oidc_session=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC" } });
    expect(response.status).toBe(401);
  });

  describe.skipIf(!HAS_CHROMIUM)("in a browser", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    async function signIn(login: string) {
      const context = await browser.newContext({ viewport: { width: 1300, height: 850 } });
      const page = await context.newPage();
      await page.goto(`${url}/#/experiments/${experimentId}`);
      // The provider's own login and consent pages (oidc-provider's interactions).
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill("any");
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').click();
      return { context, page };
    }

    it("signs an admin in at the provider, back to the page asked for, where they grant a group", async () => {
      const { context, page } = await signIn("alice");
      await page.waitForURL(`${url}/#/experiments/${experimentId}`);
      await page.getByRole("heading", { name: "robot-experiment" }).waitFor();
      await page.getByText("alice (admin)").click();
      await page.getByRole("link", { name: "Group permissions" }).click();
      await page.getByLabel("Group", { exact: true }).fill("team-a");
      await page.getByLabel("Experiment ID or model name").fill("0");
      await page.getByRole("button", { name: "Grant" }).click();
      await page.getByRole("cell", { name: "team-a" }).first().waitFor();
      await screenshot(page, "oidc-01-admin-groups");
      // team-a may now read experiment 0, with the same token as before.
      expect((await bearer(robotToken).getExperiment("0")).name).toBe("Default");
      // The session cookie: HttpOnly, SameSite=Lax, signed and encrypted.
      const cookie = (await context.cookies()).find((c) => c.name === "mlflow_oidc_session")!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
      // Past the session's lifetime the refresh token renews it, without a trip to the provider.
      await new Promise((r) => setTimeout(r, 3500));
      const renewed = await context.request.get(`${url}/ajax-api/2.0/mlflow-ts/oidc/me`);
      expect(await renewed.json()).toMatchObject({ user: { username: "alice", is_admin: true, groups: ["mlflow-admins"] } });
      expect((await context.cookies()).find((c) => c.name === "mlflow_oidc_session")!.value).not.toBe(cookie.value);
      await context.close();
    });

    it("refuses a user where their groups give no permission, and logs out at the provider", async () => {
      const { context, page } = await signIn("carol");
      await page.waitForURL(`${url}/#/experiments/${experimentId}`);
      await page.getByText(/Permission denied/).waitFor();
      await screenshot(page, "oidc-02-denied");
      await page.goto(`${url}/#/apps/oidc-auth/me`);
      await page.getByText("Signed in as carol.").waitFor();
      await page.getByRole("link", { name: "Sign out" }).click();
      // oidc-provider asks to confirm the sign-out, then returns to the server.
      await page.locator('button[autofocus], button[type="submit"]').first().click();
      // Back at the server without a session: sent to sign in at the provider again.
      await page.locator('input[name="login"]').waitFor();
      expect((await context.cookies()).some((c) => c.name === "mlflow_oidc_session")).toBe(false);
      expect((await context.request.get(`${url}/ajax-api/2.0/mlflow/experiments/search?max_results=1`)).status()).toBe(401);
      await context.close();
    });
  });

  it("logged no token", () => {
    const out = server.output();
    expect(out).not.toContain(robotToken);
    expect(out).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}/);
  });
});
