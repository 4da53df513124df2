import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, startTestServer, type TestServer } from "../../../test/support/test-server.js";

let server: TestServer;
let experimentId: string;
let runId: string;
let deletedRunId: string;

beforeAll(async () => {
  server = await startTestServer({ config: { maxBodyBytes: 64 * 1024 } });
  experimentId = await server.client.createExperiment("bad-input");
  runId = (await server.client.createRun(experimentId)).info.run_id;
  deletedRunId = (await server.client.createRun(experimentId)).info.run_id;
  await server.client.deleteRun(deletedRunId);
});
afterAll(async () => server?.close());

const API = "/api/2.0/mlflow";
type Case = { name: string; method: "GET" | "POST"; path: string; body: () => unknown; status: number; code: string };

const MISSING = "INVALID_PARAMETER_VALUE";
const cases: Case[] = [
  // experiments
  { name: "create: name missing", method: "POST", path: "/experiments/create", body: () => ({}), status: 400, code: MISSING },
  { name: "create: name not a string", method: "POST", path: "/experiments/create", body: () => ({ name: 12 }), status: 400, code: MISSING },
  { name: "create: name too long", method: "POST", path: "/experiments/create", body: () => ({ name: "x".repeat(501) }), status: 400, code: MISSING },
  { name: "create: duplicate", method: "POST", path: "/experiments/create", body: () => ({ name: "bad-input" }), status: 400, code: "RESOURCE_ALREADY_EXISTS" },
  { name: "create: runs: location", method: "POST", path: "/experiments/create", body: () => ({ name: "n1", artifact_location: "runs:/x" }), status: 400, code: MISSING },
  { name: "create: tags not a list", method: "POST", path: "/experiments/create", body: () => ({ name: "n2", tags: "a" }), status: 400, code: MISSING },
  { name: "create: tag value too long", method: "POST", path: "/experiments/create", body: () => ({ name: "n3", tags: [{ key: "k", value: "v".repeat(5001) }] }), status: 400, code: MISSING },
  { name: "get: id missing", method: "GET", path: "/experiments/get", body: () => ({}), status: 400, code: MISSING },
  { name: "get: unknown id", method: "GET", path: "/experiments/get", body: () => ({ experiment_id: "98765" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "get: malformed id", method: "GET", path: "/experiments/get", body: () => ({ experiment_id: "../x" }), status: 400, code: MISSING },
  { name: "get-by-name: missing", method: "GET", path: "/experiments/get-by-name", body: () => ({}), status: 400, code: MISSING },
  { name: "get-by-name: unknown", method: "GET", path: "/experiments/get-by-name", body: () => ({ experiment_name: "nope" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "delete: unknown", method: "POST", path: "/experiments/delete", body: () => ({ experiment_id: "98765" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "delete: missing", method: "POST", path: "/experiments/delete", body: () => ({}), status: 400, code: MISSING },
  { name: "restore: active experiment", method: "POST", path: "/experiments/restore", body: () => ({ experiment_id: experimentId }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "update: new_name missing", method: "POST", path: "/experiments/update", body: () => ({ experiment_id: experimentId }), status: 400, code: MISSING },
  { name: "update: unknown", method: "POST", path: "/experiments/update", body: () => ({ experiment_id: "98765", new_name: "z" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "update: name taken", method: "POST", path: "/experiments/update", body: () => ({ experiment_id: experimentId, new_name: "Default" }), status: 400, code: "RESOURCE_ALREADY_EXISTS" },
  { name: "search: max_results too big", method: "POST", path: "/experiments/search", body: () => ({ max_results: 50001 }), status: 400, code: MISSING },
  { name: "search: bad filter", method: "POST", path: "/experiments/search", body: () => ({ max_results: 10, filter: "name = " }), status: 400, code: MISSING },
  { name: "search: unknown attribute", method: "POST", path: "/experiments/search", body: () => ({ max_results: 10, filter: "foo = 'x'" }), status: 400, code: MISSING },
  { name: "search: OR", method: "POST", path: "/experiments/search", body: () => ({ max_results: 10, filter: "name = 'a' OR name = 'b'" }), status: 400, code: MISSING },
  { name: "search: bad order_by", method: "POST", path: "/experiments/search", body: () => ({ max_results: 10, order_by: ["bogus"] }), status: 400, code: MISSING },
  { name: "search: bad page token", method: "POST", path: "/experiments/search", body: () => ({ max_results: 10, page_token: "!!!" }), status: 400, code: MISSING },
  { name: "search: bad view type", method: "POST", path: "/experiments/search", body: () => ({ max_results: 10, view_type: "SOME" }), status: 400, code: MISSING },
  { name: "set-experiment-tag: key missing", method: "POST", path: "/experiments/set-experiment-tag", body: () => ({ experiment_id: experimentId, value: "v" }), status: 400, code: MISSING },
  { name: "set-experiment-tag: unknown", method: "POST", path: "/experiments/set-experiment-tag", body: () => ({ experiment_id: "98765", key: "k", value: "v" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "delete-experiment-tag: absent tag", method: "POST", path: "/experiments/delete-experiment-tag", body: () => ({ experiment_id: experimentId, key: "nope" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  // runs
  { name: "runs/create: unknown experiment", method: "POST", path: "/runs/create", body: () => ({ experiment_id: "98765" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "runs/create: start_time not a number", method: "POST", path: "/runs/create", body: () => ({ experiment_id: experimentId, start_time: "soon" }), status: 400, code: MISSING },
  { name: "runs/create: name disagrees with tag", method: "POST", path: "/runs/create", body: () => ({ experiment_id: experimentId, run_name: "a", tags: [{ key: "mlflow.runName", value: "b" }] }), status: 400, code: MISSING },
  { name: "runs/create: bad tag key", method: "POST", path: "/runs/create", body: () => ({ experiment_id: experimentId, tags: [{ key: "../x", value: "b" }] }), status: 400, code: MISSING },
  { name: "runs/get: missing id", method: "GET", path: "/runs/get", body: () => ({}), status: 400, code: MISSING },
  { name: "runs/get: unknown", method: "GET", path: "/runs/get", body: () => ({ run_id: "0".repeat(32) }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "runs/update: bad status", method: "POST", path: "/runs/update", body: () => ({ run_id: runId, status: "DONE" }), status: 400, code: MISSING },
  { name: "runs/update: deleted run", method: "POST", path: "/runs/update", body: () => ({ run_id: deletedRunId, status: "FINISHED" }), status: 400, code: MISSING },
  { name: "runs/update: missing id", method: "POST", path: "/runs/update", body: () => ({ status: "FINISHED" }), status: 400, code: MISSING },
  { name: "runs/delete: unknown", method: "POST", path: "/runs/delete", body: () => ({ run_id: "f".repeat(32) }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "runs/restore: missing", method: "POST", path: "/runs/restore", body: () => ({}), status: 400, code: MISSING },
  { name: "log-metric: value missing", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: runId, key: "m", timestamp: 1 }), status: 400, code: MISSING },
  { name: "log-metric: value a boolean", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: runId, key: "m", value: true, timestamp: 1 }), status: 400, code: MISSING },
  { name: "log-metric: value a word", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: runId, key: "m", value: "high", timestamp: 1 }), status: 400, code: MISSING },
  { name: "log-metric: negative timestamp", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: runId, key: "m", value: 1, timestamp: -1 }), status: 400, code: MISSING },
  { name: "log-metric: fractional step", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: runId, key: "m", value: 1, timestamp: 1, step: 1.5 }), status: 400, code: MISSING },
  { name: "log-metric: bad key", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: runId, key: "a//b", value: 1, timestamp: 1 }), status: 400, code: MISSING },
  { name: "log-metric: deleted run", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: deletedRunId, key: "m", value: 1, timestamp: 1 }), status: 400, code: MISSING },
  { name: "log-metric: unknown run", method: "POST", path: "/runs/log-metric", body: () => ({ run_id: "a".repeat(32), key: "m", value: 1, timestamp: 1 }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "log-parameter: key missing", method: "POST", path: "/runs/log-parameter", body: () => ({ run_id: runId, value: "v" }), status: 400, code: MISSING },
  { name: "log-parameter: key too long", method: "POST", path: "/runs/log-parameter", body: () => ({ run_id: runId, key: "k".repeat(251), value: "v" }), status: 400, code: MISSING },
  { name: "set-tag: value an object", method: "POST", path: "/runs/set-tag", body: () => ({ run_id: runId, key: "k", value: { a: 1 } }), status: 400, code: MISSING },
  { name: "delete-tag: absent tag", method: "POST", path: "/runs/delete-tag", body: () => ({ run_id: runId, key: "nope" }), status: 404, code: "RESOURCE_DOES_NOT_EXIST" },
  { name: "delete-tag: run_id missing", method: "POST", path: "/runs/delete-tag", body: () => ({ key: "nope" }), status: 400, code: MISSING },
  { name: "log-batch: too many metrics", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, metrics: Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: i })) }), status: 400, code: MISSING },
  { name: "log-batch: too many params", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" })) }), status: 400, code: MISSING },
  { name: "log-batch: too many tags", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: "v" })) }), status: 400, code: MISSING },
  { name: "log-batch: too many in total", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, metrics: Array.from({ length: 950 }, (_, i) => ({ key: "m", value: i, timestamp: i })), params: Array.from({ length: 60 }, (_, i) => ({ key: `p${i}`, value: "v" })) }), status: 400, code: MISSING },
  { name: "log-batch: duplicate param keys", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, params: [{ key: "p", value: "1" }, { key: "p", value: "2" }] }), status: 400, code: MISSING },
  { name: "log-batch: malformed run id", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: "../../etc" }), status: 400, code: MISSING },
  { name: "log-batch: metric without timestamp", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, metrics: [{ key: "m", value: 1 }] }), status: 400, code: MISSING },
  { name: "log-batch: metrics not a list", method: "POST", path: "/runs/log-batch", body: () => ({ run_id: runId, metrics: { key: "m" } }), status: 400, code: MISSING },
  { name: "log-inputs: dataset missing fields", method: "POST", path: "/runs/log-inputs", body: () => ({ run_id: runId, datasets: [{ dataset: { name: "d" } }] }), status: 400, code: MISSING },
  { name: "log-inputs: digest too long", method: "POST", path: "/runs/log-inputs", body: () => ({ run_id: runId, datasets: [{ dataset: { name: "d", digest: "x".repeat(37), source_type: "local", source: "{}" } }] }), status: 400, code: MISSING },
  { name: "get-history: metric_key missing", method: "GET", path: "/metrics/get-history", body: () => ({ run_id: runId }), status: 400, code: MISSING },
  { name: "get-history: max_results not a number", method: "GET", path: "/metrics/get-history", body: () => ({ run_id: runId, metric_key: "m", max_results: "many" }), status: 400, code: MISSING },
  { name: "runs/search: max_results too big", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: [experimentId], max_results: 50001 }), status: 400, code: MISSING },
  { name: "runs/search: bad filter", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: [experimentId], filter: "metrics.m > 'x' and" }), status: 400, code: MISSING },
  { name: "runs/search: bad entity", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: [experimentId], filter: "foo.m > 1" }), status: 400, code: MISSING },
  { name: "runs/search: metric vs string", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: [experimentId], filter: "metrics.m > 'x'" }), status: 400, code: MISSING },
  { name: "runs/search: LIKE on metric", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: [experimentId], filter: "metrics.m LIKE 'x'" }), status: 400, code: MISSING },
  { name: "runs/search: duplicate order_by", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: [experimentId], order_by: ["metrics.m", "metrics.m DESC"] }), status: 400, code: MISSING },
  { name: "runs/search: experiment_ids not a list", method: "POST", path: "/runs/search", body: () => ({ experiment_ids: { a: 1 } }), status: 400, code: MISSING },
];

async function call(c: Case): Promise<{ status: number; body: Record<string, unknown> }> {
  if (c.method === "GET") {
    const query = new URLSearchParams(c.body() as Record<string, string>).toString();
    return getJson(server, `${API}${c.path}${query ? `?${query}` : ""}`);
  }
  return postJson(server, `${API}${c.path}`, c.body());
}

describe("bad input gets MLflow's error code and status", () => {
  it.each(cases)("$name → $status $code", async (c) => {
    const { status, body } = await call(c);
    expect({ status, code: body.error_code }).toEqual({ status: c.status, code: c.code });
    expect(typeof body.message).toBe("string");
  });
});

const POST_ROUTES = [
  "/experiments/create",
  "/experiments/delete",
  "/experiments/restore",
  "/experiments/update",
  "/experiments/search",
  "/experiments/set-experiment-tag",
  "/experiments/delete-experiment-tag",
  "/runs/create",
  "/runs/update",
  "/runs/delete",
  "/runs/restore",
  "/runs/log-metric",
  "/runs/log-parameter",
  "/runs/set-tag",
  "/runs/delete-tag",
  "/runs/log-batch",
  "/runs/log-inputs",
  "/runs/search",
];

describe("every POST endpoint refuses malformed bodies", () => {
  it.each(POST_ROUTES)("%s: malformed JSON → 400 BAD_REQUEST", async (path) => {
    const { status, body } = await postJson(server, `${API}${path}`, '{"name": ');
    expect([status, body.error_code]).toEqual([400, "BAD_REQUEST"]);
  });
  it.each(POST_ROUTES)("%s: a JSON array → 400", async (path) => {
    const { status, body } = await postJson(server, `${API}${path}`, "[1,2]");
    expect([status, body.error_code]).toEqual([400, "BAD_REQUEST"]);
  });
  it.each(POST_ROUTES)("%s: wrong Content-Type → 400 INVALID_PARAMETER_VALUE", async (path) => {
    const response = await server.fetch(`${API}${path}`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"name":"x"}' });
    const body = (await response.json()) as Record<string, unknown>;
    expect([response.status, body.error_code]).toEqual([400, "INVALID_PARAMETER_VALUE"]);
    expect(body.message).toContain("Content-Type must be one of [application/json]");
  });
  it.each(POST_ROUTES)("%s: a body over the limit → 413", async (path) => {
    const { status, body } = await postJson(server, `${API}${path}`, { name: "x".repeat(70 * 1024) });
    expect([status, body.error_code]).toEqual([413, "INVALID_PARAMETER_VALUE"]);
  });
});

describe("unknown routes and methods", () => {
  it("answers JSON 404 ENDPOINT_NOT_FOUND under /api/", async () => {
    const { status, body } = await getJson(server, `${API}/nothing/here`);
    expect([status, body.error_code]).toEqual([404, "ENDPOINT_NOT_FOUND"]);
  });
  it("answers JSON 404 under /ajax-api/ too", async () => {
    const { status, body } = await getJson(server, `/ajax-api/2.0/mlflow/nothing`);
    expect([status, body.error_code]).toEqual([404, "ENDPOINT_NOT_FOUND"]);
  });
  it("answers JSON 405 with Allow for a known path and a wrong method", async () => {
    const response = await server.fetch(`${API}/runs/search`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(((await response.json()) as Record<string, unknown>).error_code).toBe("ENDPOINT_NOT_FOUND");
  });
  it("answers a plain 404 outside the API", async () => {
    const response = await server.fetch(`/nothing`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("Not Found");
  });
  it("refuses path tricks as unknown routes", async () => {
    const response = await server.fetch(`/api/2.0/mlflow/../../etc/passwd`);
    expect(response.status).toBe(404);
  });
});

describe("bad input writes nothing", () => {
  it("a log-batch with a changed param writes none of its metrics or tags", async () => {
    const id = (await server.client.createRun(experimentId)).info.run_id;
    await server.client.logParam(id, "lr", "0.1");
    const { status, body } = await postJson(server, `${API}/runs/log-batch`, {
      run_id: id,
      metrics: [{ key: "m", value: 1, timestamp: 1 }],
      params: [{ key: "lr", value: "0.2" }],
      tags: [{ key: "t", value: "x" }],
    });
    expect([status, body.error_code]).toEqual([400, "INVALID_PARAMETER_VALUE"]);
    expect(body.message).toContain("Changing param values is not allowed");
    const run = await server.client.getRun(id);
    expect(run.data.metrics).toBeUndefined();
    expect(run.data.tags?.find((t) => t.key === "t")).toBeUndefined();
    expect(run.data.params).toEqual([{ key: "lr", value: "0.1" }]);
  });
  it("a log-batch with one bad metric writes none of them", async () => {
    const id = (await server.client.createRun(experimentId)).info.run_id;
    const { status } = await postJson(server, `${API}/runs/log-batch`, {
      run_id: id,
      metrics: [
        { key: "ok", value: 1, timestamp: 1 },
        { key: "bad", value: 1, timestamp: -5 },
      ],
    });
    expect(status).toBe(400);
    expect((await server.client.getRun(id)).data.metrics).toBeUndefined();
  });
  it("a failed experiment create leaves no experiment", async () => {
    await postJson(server, `${API}/experiments/create`, { name: "half", tags: [{ key: "k", value: "v".repeat(6000) }] });
    const { status } = await getJson(server, `${API}/experiments/get-by-name?experiment_name=half`);
    expect(status).toBe(404);
  });
});
