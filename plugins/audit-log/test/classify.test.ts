import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@mlflow-ts/cli";
import { graphqlHasMutation, isStateChanging, isoTime, outcomeOf, resourceIds } from "../dist/app.js";

// What gets a line: the classifier on its own, and over every route the real server mounts, so a
// new read-only POST (or a new write that looks like one) is a decision someone makes here.

describe("isStateChanging", () => {
  it("leaves out GET, HEAD and OPTIONS, whatever the endpoint", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect(isStateChanging(method, "/api/2.0/mlflow/runs/log-metric")).toBe(false);
  });
  it("counts every other method, unknown routes included", () => {
    expect(isStateChanging("POST", "/api/2.0/mlflow/runs/log-metric")).toBe(true);
    expect(isStateChanging("PATCH", "/api/2.0/mlflow/registered-models/update")).toBe(true);
    expect(isStateChanging("DELETE", "/api/2.0/mlflow/experiments/search")).toBe(true);
    expect(isStateChanging("PUT", "/api/2.0/mlflow-artifacts/artifacts/*path")).toBe(true);
    expect(isStateChanging("POST", undefined)).toBe(true);
    expect(isStateChanging("POST", "/v1/traces")).toBe(true);
  });
  it("leaves out POSTs that only read", () => {
    for (const endpoint of ["/api/2.0/mlflow/runs/search", "/ajax-api/2.0/mlflow/experiments/search-datasets", "/api/2.0/mlflow/registered-models/get-latest-versions", "/api/3.0/mlflow/traces/calculate-filter-correlation"]) {
      expect(isStateChanging("POST", endpoint), endpoint).toBe(false);
    }
  });
  it("reads a /graphql document: a query is a read, a mutation a write, an unreadable one a write", () => {
    expect(isStateChanging("POST", "/graphql", () => ({ query: "{ test { output } }" }))).toBe(false);
    expect(isStateChanging("POST", "/mlflow/graphql", () => ({ query: "mutation { testMutation { output } }" }))).toBe(true);
    expect(isStateChanging("POST", "/graphql", () => undefined)).toBe(true);
    expect(isStateChanging("POST", "/graphql", () => ({}))).toBe(true);
  });
});

describe("graphqlHasMutation", () => {
  it("finds a mutation or subscription at the top level only", () => {
    expect(graphqlHasMutation("query A { a } mutation B { b }")).toBe(true);
    expect(graphqlHasMutation("subscription { s }")).toBe(true);
    expect(graphqlHasMutation("{ mutation: test { output } }")).toBe(false);
    expect(graphqlHasMutation('query { test(inputString: "} mutation {") { output } }')).toBe(false);
    expect(graphqlHasMutation('query { test(inputString: """\nmutation\n""") { output } }')).toBe(false);
    expect(graphqlHasMutation("# mutation\nquery { a }")).toBe(false);
    expect(graphqlHasMutation("fragment F on Query { a } query { ...F }")).toBe(false);
    expect(graphqlHasMutation("mutationX { a }")).toBe(false);
    expect(graphqlHasMutation(42)).toBeUndefined();
  });
});

describe("resourceIds", () => {
  it("keeps ids and names only, clipped", () => {
    expect(
      resourceIds({ run_id: "r1", key: "loss", value: 0.5, timestamp: 1, step: 2, password: "pw", description: "d", tags: [{ key: "k", value: "v" }], metrics: [{ key: "m", value: 1 }] }),
    ).toEqual({ run_id: "r1", key: "loss" });
    expect(resourceIds({ username: "bob", password: "secret", is_admin: true })).toEqual({ username: "bob", is_admin: "true" });
    expect(resourceIds({ experiment_ids: ["1", "2", { x: 1 }] })).toEqual({ experiment_ids: ["1", "2"] });
    expect(resourceIds({ name: "x".repeat(1000) })!.name).toHaveLength(257);
    expect(resourceIds({ experiment_ids: Array.from({ length: 500 }, (_, i) => String(i)) })!.experiment_ids).toHaveLength(100);
    expect(resourceIds({ value: 1 })).toBeUndefined();
    expect(resourceIds(undefined)).toBeUndefined();
  });
});

describe("outcomeOf", () => {
  it("tells success, refusals and errors apart", () => {
    expect([200, 204, 302, 400, 401, 403, 404, 429, 500, 503].map(outcomeOf)).toEqual(["success", "success", "success", "error", "refused", "refused", "error", "refused", "error", "error"]);
  });
});

describe("isoTime", () => {
  it("writes what toISOString writes, within a second and across seconds", () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 58);
    for (const ms of [0, 1, 9, 10, 99, 100, 999, 1000, 1005, 1999, 2000, 2001, 2500]) expect(isoTime(base + ms)).toBe(new Date(base + ms).toISOString());
    expect(isoTime(Date.UTC(10000, 0, 1))).toBe(new Date(Date.UTC(10000, 0, 1)).toISOString());
    expect(isoTime(base + 1)).toBe(new Date(base + 1).toISOString());
  });
});

describe("every route of the server", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({});
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("has exactly these read-only POSTs; every other non-GET route is recorded", () => {
    const routes = server.app.listRoutes().filter((r) => !["GET", "HEAD", "OPTIONS"].includes(r.method));
    const reads = routes
      .filter((r) => !isStateChanging(r.method, r.path, () => ({ query: "{ __typename }" })))
      .map((r) => `${r.method} ${r.path.replace(/^\/(api|ajax-api)\/\d\.0/, "")}`);
    expect([...new Set(reads)].sort()).toEqual([
      "POST /graphql",
      "POST /mlflow/experiments/search",
      "POST /mlflow/experiments/search-datasets",
      "POST /mlflow/logged-models/search",
      "POST /mlflow/registered-models/get-latest-versions",
      "POST /mlflow/runs/search",
      "POST /mlflow/traces/calculate-filter-correlation",
      "POST /mlflow/traces/search",
      "POST /mlflow/datasets/search",
    ].sort());
    expect(routes.length - reads.length).toBeGreaterThan(80);
  });
});
