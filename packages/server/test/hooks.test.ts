import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowError } from "@mlflow-ts/protocol";
import type { MlflowApp } from "@mlflow-ts/plugin-api";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

// An app that rejects every request, installed inline as a plugin would be.
function rejectEverything(app: MlflowApp): void {
  app.beforeRequest(() => new Response(JSON.stringify({ error_code: "UNAUTHENTICATED", message: "no" }), { status: 401, headers: { "Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="mlflow"' } }));
  // Added after the hook: still covered.
  app.post("/api/custom/late", (_req, res) => {
    res.json({ ok: true });
  });
}

function concrete(path: string): string {
  return path.replace(/:(\w+)/g, "x");
}

describe("a before-request hook that returns 401 closes every route", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ configure: rejectEverything });
  });
  afterAll(async () => server?.close());

  it("enumerates every registered route and gets 401 from each", async () => {
    const routes = server.app.listRoutes();
    expect(routes.length).toBeGreaterThan(50);
    expect(routes).toContainEqual({ method: "POST", path: "/api/custom/late" });
    for (const route of routes) {
      const response = await server.fetch(concrete(route.path), {
        method: route.method,
        headers: { "Content-Type": "application/json" },
        body: route.method === "GET" ? undefined : "{}",
      });
      expect({ route, status: response.status }).toEqual({ route, status: 401 });
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="mlflow"');
    }
  });

  it("also closes unknown routes", async () => {
    expect((await server.fetch("/api/2.0/mlflow/unknown")).status).toBe(401);
  });
});

describe("hook semantics", () => {
  let server: TestServer;
  const seen: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({
      configure(app) {
        app.beforeRequest((req) => {
          seen.push(`first ${req.path}`);
          req.state.authorization = { username: req.get("x-user") ?? "anonymous" };
        });
        app.beforeRequest((req) => {
          if (req.get("x-deny")) throw new MlflowError("PERMISSION_DENIED", `denied ${req.state.authorization?.username}`);
        });
        app.afterRequest(
          (payload, req) => {
            const experiments = (payload.experiments as { name: string }[] | undefined) ?? [];
            return { ...payload, experiments: experiments.filter((e) => e.name !== "hidden"), viewer: req.state.authorization?.username };
          },
          { method: "POST", path: "/api/2.0/mlflow/experiments/search" },
        );
        // A route added after the hooks, written with plain Express, sees the hook's state.
        app.get("/api/custom/whoami", (req, res) => {
          res.json({ user: (req as unknown as { state: { authorization?: { username: string } } }).state.authorization?.username });
        });
      },
    });
    await server.client.createExperiment("hidden");
    await server.client.createExperiment("shown");
  });
  afterAll(async () => server?.close());

  it("an after hook rewrites a search result while it is still an object", async () => {
    const response = await server.fetch("/api/2.0/mlflow/experiments/search", {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-user": "alice" },
      body: JSON.stringify({ max_results: 100 }),
    });
    const body = (await response.json()) as { experiments: { name: string }[]; viewer: string };
    expect(body.experiments.map((e) => e.name).sort()).toEqual(["Default", "shown"]);
    expect(body.viewer).toBe("alice");
  });

  it("the after hook is limited to its route", async () => {
    const response = await server.fetch("/api/2.0/mlflow/experiments/search?max_results=100");
    const body = (await response.json()) as { experiments: { name: string }[]; viewer?: string };
    expect(body.experiments.map((e) => e.name)).toContain("hidden");
    expect(body.viewer).toBeUndefined();
  });

  it("hooks see routes added after them, and state flows from hook to handler", async () => {
    const response = await server.fetch("/api/custom/whoami", { headers: { "x-user": "bob" } });
    expect(await response.json()).toEqual({ user: "bob" });
    expect(seen).toContain("first /api/custom/whoami");
  });

  it("a hook that throws an MlflowError ends the request with MLflow's JSON", async () => {
    const response = await server.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0", { headers: { "x-deny": "1", "x-user": "eve" } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error_code: "PERMISSION_DENIED", message: "denied eve" });
  });
});
