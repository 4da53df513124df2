import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApp, resolveApp, verifyApp } from "@mlflow-ts/plugin-host";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { issueToken, verifyToken } from "../dist/token.js";
import { MyAuthClient } from "../dist/client.js";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

const PLUGIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("my-auth applied to the base server", () => {
  let server: TestServer;
  beforeAll(async () => {
    process.env.MY_AUTH_USERS = "alice:secret-password";
    const loaded = await resolveApp("my-auth", { cwd: PLUGIN_DIR, includeGlobal: false });
    server = await startTestServer({ configure: async (app) => void (await applyApp(app, loaded)) });
  });
  afterAll(async () => server?.close());

  it("closes every route but the login, /public and /health", async () => {
    const open = new Set(["/api/custom-auth/login", "/public/status", "/health"]);
    for (const route of server.app.listRoutes()) {
      if (open.has(route.path)) continue;
      const response = await server.fetch(route.path.replace(/:(\w+)/g, "x").replace(/\*(\w+)/g, "x"), {
        method: route.method,
        headers: { "Content-Type": "application/json" },
        body: route.method === "GET" ? undefined : "{}",
      });
      expect({ route, status: response.status }).toEqual({ route, status: 401 });
    }
  });

  it("logs in and sends the token", async () => {
    const client = new MyAuthClient(server.url);
    await client.login("alice", "secret-password");
    const body = await client.request("POST", "/api/2.0/mlflow/experiments/create", { name: "with-token" });
    expect(body.experiment_id).toBeTruthy();
    client.logout();
    await expect(client.request("GET", "/api/2.0/mlflow/experiments/get", { experiment_id: "0" })).rejects.toMatchObject({ status: 401 });
  });

  it("rejects forged, expired and foreign tokens", async () => {
    const secret = Buffer.from("k");
    const token = issueToken(secret, "alice", 60);
    expect(verifyToken(secret, token)?.sub).toBe("alice");
    expect(verifyToken(Buffer.from("other"), token)).toBeUndefined();
    expect(verifyToken(secret, `${token.split(".")[0]}.AAAA`)).toBeUndefined();
    expect(verifyToken(secret, issueToken(secret, "alice", 60, Date.now() - 120_000))).toBeUndefined();
    const response = await server.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0", { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
  });

  it("passes verifyApp", async () => {
    const report = await verifyApp(PLUGIN_DIR);
    expect(report.entries.map((e) => [e.kind, e.name, e.ok])).toEqual([
      ["app", "my-auth", true],
      ["client", "my-auth", true],
    ]);
  });
});
