import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { AuditEntry } from "../dist/app.js";
import { spawnServer, type SpawnedServer } from "../../../test/support/spawn-server.js";
import { HAS_CHROMIUM, launchChromium } from "../../../test/support/browser.js";
import { startIdp, type TestIdp } from "../../oidc-auth/test/idp.js";

// `--app-name oidc-auth,audit-log` with a real OpenID Provider (oidc-provider): Bearer tokens
// verified and refused, a browser sign-in and a replayed callback, group and user grants — each a
// line, and no token in the file.

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe("audit-log with oidc-auth", () => {
  let dir: string;
  let idp: TestIdp;
  let other: TestIdp;
  let server: SpawnedServer;
  let url: string;
  let file: string;
  const tokens: string[] = [];

  const call = (method: string, p: string, body: unknown, token?: string) =>
    fetch(`${url}${p}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const entries = async (): Promise<AuditEntry[]> => {
    // The search flushes the queue (and needs an admin).
    const admin = await idp.clientToken("admin-bot", "admin-bot-secret", "http://mlflow");
    tokens.push(admin);
    expect((await fetch(`${url}/api/2.0/audit-log/search?max_results=1`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-oidc-"));
    file = path.join(dir, "audit.log");
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const machines = [{ clientId: "admin-bot", secret: "admin-bot-secret", groups: ["mlflow-admins"] }];
    idp = await startIdp({ redirectUri: `${url}/oidc/callback`, postLogoutUri: `${url}/`, machines });
    other = await startIdp({ redirectUri: `${url}/oidc/callback`, postLogoutUri: `${url}/` });
    server = await spawnServer(["--port", String(port), "--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "oidc-auth,audit-log"], {
      cwd: dir,
      env: {
        MLFLOW_OIDC_ISSUER: idp.issuer,
        MLFLOW_OIDC_CLIENT_ID: "mlflow",
        MLFLOW_OIDC_CLIENT_SECRET: "mlflow-secret",
        MLFLOW_OIDC_REDIRECT_URL: `${url}/oidc/callback`,
        MLFLOW_OIDC_AUDIENCE: "mlflow",
        MLFLOW_OIDC_SCOPES: "openid profile groups",
        MLFLOW_OIDC_DEFAULT_PERMISSION: "NO_PERMISSIONS",
        MLFLOW_OIDC_SESSION_SECRET: "a-test-session-secret-of-32-characters!",
        MLFLOW_OIDC_ALLOW_INSECURE_HTTP: "true",
        MLFLOW_OIDC_DATABASE_URI: `sqlite:///${path.join(dir, "auth.db")}`,
        MLFLOW_AUDIT_LOG_FILE: file,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
    await other?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("records Bearer tokens verified once (not each cached request) and refused ones, with the reason", async () => {
    const robot = await idp.clientToken("robot", "robot-secret", "http://mlflow");
    const foreign = await other.clientToken("robot", "robot-secret", "http://mlflow");
    tokens.push(robot, foreign);
    expect((await call("POST", "/api/2.0/mlflow/experiments/create", { name: "robot-exp" }, robot)).status).toBe(200);
    expect((await call("POST", "/api/2.0/mlflow/experiments/create", { name: "robot-exp-2" }, robot)).status).toBe(200);
    expect((await call("POST", "/api/2.0/mlflow/experiments/create", { name: "x" }, foreign)).status).toBe(401);
    const basic = await fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { authorization: "Basic YTpi", "content-type": "application/json" }, body: "{}" });
    expect(basic.status).toBe(401);
    const all = await entries();
    const signIns = all.filter((e) => e.kind === "sign-in" && e.auth === "bearer");
    expect(signIns.slice(0, 3).map((e) => [e.user, e.outcome, e.reason])).toEqual([
      ["client:robot", "success", undefined],
      [null, "refused", "invalid token"],
      [null, "refused", "not a bearer token"],
    ]);
    const writes = all.filter((e) => e.kind === "request" && e.endpoint === "/api/2.0/mlflow/experiments/create");
    expect(writes.map((e) => [e.user, e.status, e.outcome])).toEqual([
      ["client:robot", 200, "success"],
      ["client:robot", 200, "success"],
      [null, 401, "refused"],
      [null, 401, "refused"],
    ]);
  });

  it("records a replayed or forged callback as a refused sign-in", async () => {
    expect((await fetch(`${url}/oidc/callback?code=stolen-code&state=forged`)).status).toBe(400);
    const refused = (await entries()).filter((e) => e.kind === "sign-in" && e.auth === "oidc");
    expect(refused.at(-1)).toMatchObject({ user: null, outcome: "refused", reason: "sign-in expired or replayed", method: "GET", path: "/oidc/callback" });
    expect(fs.readFileSync(file, "utf8")).not.toContain("stolen-code");
  });

  it("records group and user grants made by an admin of the provider's admin group", async () => {
    const admin = await idp.clientToken("admin-bot", "admin-bot-secret", "http://mlflow");
    tokens.push(admin);
    expect((await call("POST", "/api/2.0/mlflow-ts/group-permissions/set", { group: "team-a", kind: "experiment", resource: "1", permission: "READ" }, admin)).status).toBe(200);
    expect((await call("POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: "0", username: "client:robot", permission: "EDIT" }, admin)).status).toBe(200);
    expect((await call("DELETE", "/api/2.0/mlflow-ts/group-permissions/delete", { group: "team-a", kind: "experiment", resource: "1" }, admin)).status).toBe(200);
    const changes = (await entries()).filter((e) => e.kind === "permission-change");
    expect(changes.map((e) => [e.user, e.action, e.subject, e.resource, e.permission])).toEqual([
      ["client:admin-bot", "group-grant", "team-a", { experiment_id: "1" }, "READ"],
      ["client:admin-bot", "grant", "client:robot", { experiment_id: "0" }, "EDIT"],
      ["client:admin-bot", "group-revoke", "team-a", { experiment_id: "1" }, undefined],
    ]);
  });

  it.skipIf(!HAS_CHROMIUM)("records a browser sign-in at the provider", async () => {
    const browser: Browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${url}/`);
      await page.locator('input[name="login"]').fill("alice");
      await page.locator('input[name="password"]').fill("any");
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(`${url}/`);
      await expect.poll(async () => (await entries()).some((e) => e.kind === "sign-in" && e.auth === "oidc" && e.user === "alice" && e.outcome === "success")).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it("wrote no token, code or cookie", () => {
    const text = fs.readFileSync(file, "utf8");
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/eyJ[\w-]{20,}/);
    expect(text).not.toContain("mlflow_oidc_session");
  });
});
