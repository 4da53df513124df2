import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

let server: TestServer;
let runId: string;

beforeAll(async () => {
  server = await startTestServer();
  const experimentId = await server.client.createExperiment("reg-bad");
  runId = (await server.client.createRun(experimentId)).info.run_id;
  await server.client.registry.createRegisteredModel("m");
  await server.client.registry.createModelVersion("m", `runs:/${runId}/model`, { runId });
});
afterAll(async () => server?.close());

const API = "/api/2.0/mlflow";
const BAD = "INVALID_PARAMETER_VALUE";
const MISSING = "RESOURCE_DOES_NOT_EXIST";
type Case = [name: string, method: string, path: string, params: () => Record<string, unknown>, status: number, code: string];

const cases: Case[] = [
  ["create: name missing", "POST", "/registered-models/create", () => ({}), 400, BAD],
  ["create: duplicate", "POST", "/registered-models/create", () => ({ name: "m" }), 400, "RESOURCE_ALREADY_EXISTS"],
  ["create: bad tag key", "POST", "/registered-models/create", () => ({ name: "n", tags: [{ key: "../k", value: "v" }] }), 400, BAD],
  ["create: tag value too long", "POST", "/registered-models/create", () => ({ name: "n", tags: [{ key: "k", value: "v".repeat(5001) }] }), 400, BAD],
  ["get: unknown", "GET", "/registered-models/get", () => ({ name: "nope" }), 404, MISSING],
  ["get: name missing", "GET", "/registered-models/get", () => ({}), 400, BAD],
  ["rename: new_name missing", "POST", "/registered-models/rename", () => ({ name: "m" }), 400, BAD],
  ["rename: unknown", "POST", "/registered-models/rename", () => ({ name: "nope", new_name: "x" }), 404, MISSING],
  ["update: unknown", "PATCH", "/registered-models/update", () => ({ name: "nope", description: "d" }), 404, MISSING],
  ["delete: unknown", "DELETE", "/registered-models/delete", () => ({ name: "nope" }), 404, MISSING],
  ["search: max_results too big", "GET", "/registered-models/search", () => ({ max_results: "1001" }), 400, BAD],
  ["search: bad filter", "GET", "/registered-models/search", () => ({ filter: "run_id = 'x'" }), 400, BAD],
  ["search: bad order", "GET", "/registered-models/search", () => ({ order_by: "bogus" }), 400, BAD],
  ["latest: bad stage", "POST", "/registered-models/get-latest-versions", () => ({ name: "m", stages: ["Prod"] }), 400, BAD],
  ["latest: unknown model", "GET", "/registered-models/get-latest-versions", () => ({ name: "nope" }), 404, MISSING],
  ["set-tag: key missing", "POST", "/registered-models/set-tag", () => ({ name: "m", value: "v" }), 400, BAD],
  ["set-tag: unknown model", "POST", "/registered-models/set-tag", () => ({ name: "nope", key: "k", value: "v" }), 404, MISSING],
  ["delete-tag: unknown model", "DELETE", "/registered-models/delete-tag", () => ({ name: "nope", key: "k" }), 404, MISSING],
  ["mv create: source missing", "POST", "/model-versions/create", () => ({ name: "m" }), 400, BAD],
  ["mv create: unknown model", "POST", "/model-versions/create", () => ({ name: "nope", source: "s3://b/m" }), 404, MISSING],
  ["mv create: local source without run", "POST", "/model-versions/create", () => ({ name: "m", source: "/tmp/model" }), 400, BAD],
  ["mv create: local source outside run", "POST", "/model-versions/create", () => ({ name: "m", source: "/tmp/model", run_id: runId }), 400, BAD],
  ["mv create: .. in URI source", "POST", "/model-versions/create", () => ({ name: "m", source: "s3://b/x/../../y" }), 400, BAD],
  ["mv create: encoded .. in source", "POST", "/model-versions/create", () => ({ name: "m", source: "s3://b/x/%2E%2E/y" }), 400, BAD],
  // A local source must lie in its run's artifact directory: an unknown run cannot vouch for it.
  ["mv create: local source, unknown run", "POST", "/model-versions/create", () => ({ name: "m", source: "/tmp/model", run_id: "f".repeat(32) }), 404, "RESOURCE_DOES_NOT_EXIST"],
  ["mv get: version not a number", "GET", "/model-versions/get", () => ({ name: "m", version: "one" }), 400, BAD],
  ["mv get: unknown version", "GET", "/model-versions/get", () => ({ name: "m", version: "99" }), 404, MISSING],
  ["mv get: version missing", "GET", "/model-versions/get", () => ({ name: "m" }), 400, BAD],
  ["mv update: unknown", "PATCH", "/model-versions/update", () => ({ name: "m", version: "99", description: "d" }), 404, MISSING],
  ["transition: bad stage", "POST", "/model-versions/transition-stage", () => ({ name: "m", version: "1", stage: "Live" }), 400, BAD],
  ["transition: archive from None", "POST", "/model-versions/transition-stage", () => ({ name: "m", version: "1", stage: "None", archive_existing_versions: true }), 400, BAD],
  ["transition: archive flag not a bool", "POST", "/model-versions/transition-stage", () => ({ name: "m", version: "1", stage: "Staging", archive_existing_versions: "yes" }), 400, BAD],
  ["mv delete: unknown", "DELETE", "/model-versions/delete", () => ({ name: "m", version: "99" }), 404, MISSING],
  ["mv search: max too big", "GET", "/model-versions/search", () => ({ max_results: "200001" }), 400, BAD],
  ["mv search: bad attribute", "GET", "/model-versions/search", () => ({ filter: "stage = 'x'" }), 400, BAD],
  ["download-uri: unknown", "GET", "/model-versions/get-download-uri", () => ({ name: "m", version: "99" }), 404, MISSING],
  ["mv set-tag: unknown version", "POST", "/model-versions/set-tag", () => ({ name: "m", version: "99", key: "k", value: "v" }), 404, MISSING],
  ["mv delete-tag: key missing", "DELETE", "/model-versions/delete-tag", () => ({ name: "m", version: "1" }), 400, BAD],
  ["alias: reserved latest", "POST", "/registered-models/alias", () => ({ name: "m", alias: "Latest", version: "1" }), 400, BAD],
  ["alias: reserved v1", "POST", "/registered-models/alias", () => ({ name: "m", alias: "v1", version: "1" }), 400, BAD],
  ["alias: bad characters", "POST", "/registered-models/alias", () => ({ name: "m", alias: "a b", version: "1" }), 400, BAD],
  ["alias: unknown version", "POST", "/registered-models/alias", () => ({ name: "m", alias: "prod", version: "99" }), 404, MISSING],
  ["alias get: unknown alias", "GET", "/registered-models/alias", () => ({ name: "m", alias: "nope" }), 404, MISSING],
  ["alias delete: unknown model", "DELETE", "/registered-models/alias", () => ({ name: "nope", alias: "x" }), 404, MISSING],
  ["artifacts/list: unknown run", "GET", "/artifacts/list", () => ({ run_id: "a".repeat(32) }), 404, MISSING],
  ["artifacts/list: path with ..", "GET", "/artifacts/list", () => ({ run_id: runId, path: "../x" }), 400, BAD],
  ["log-model: model_json not JSON", "POST", "/runs/log-model", () => ({ run_id: runId, model_json: "{" }), 400, BAD],
  ["log-model: model_json incomplete", "POST", "/runs/log-model", () => ({ run_id: runId, model_json: "{}" }), 400, BAD],
  ["logged-models: experiment missing", "POST", "/logged-models", () => ({}), 400, BAD],
  ["logged-models: unknown experiment", "POST", "/logged-models", () => ({ experiment_id: "9999" }), 404, MISSING],
  ["logged-models get: unknown", "GET", "/logged-models/m-00000000000000000000000000000000", () => ({}), 404, MISSING],
  ["logged-models finalize: bad status", "PATCH", "/logged-models/m-00000000000000000000000000000000", () => ({ status: "DONE" }), 400, BAD],
  ["logged-models search: ids missing", "POST", "/logged-models/search", () => ({}), 400, BAD],
  ["logged-models search: bad filter", "POST", "/logged-models/search", () => ({ experiment_ids: ["0"], filter: "bogus.x = 1" }), 400, BAD],
  ["runs/outputs: unknown model", "POST", "/runs/outputs", () => ({ run_id: runId, models: [{ model_id: "m-0" }] }), 404, MISSING],
];

async function call(method: string, path: string, params: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  if (method === "GET") {
    const q = new URLSearchParams(params as Record<string, string>).toString();
    response = await server.fetch(`${API}${path}${q ? `?${q}` : ""}`);
  } else {
    response = await server.fetch(`${API}${path}`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(params) });
  }
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("registry, logged-model and tracking-artifact endpoints answer bad input with MLflow's codes", () => {
  it.each(cases)("%s", async (_name, method, path, params, status, code) => {
    const result = await call(method, path, params());
    expect({ status: result.status, code: result.body.error_code }).toEqual({ status, code });
  });

  it("accepts DELETE parameters in a JSON body, as the Python client sends them", async () => {
    await server.client.registry.createRegisteredModel("to-delete");
    const response = await server.fetch(`${API}/registered-models/delete`, { method: "DELETE", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "to-delete" }) });
    expect([response.status, await response.json()]).toEqual([200, {}]);
  });

  it("falls back from POST to GET for get-latest-versions", async () => {
    const response = await server.fetch(`${API}/registered-models/get-latest-versions?name=m&stages=None`);
    expect(((await response.json()) as { model_versions: unknown[] }).model_versions).toHaveLength(1);
  });
});
