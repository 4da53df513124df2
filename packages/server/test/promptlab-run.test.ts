import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startTestServer, type TestServer } from "../../../test/support/test-server.js";

// POST /ajax-api/2.0/mlflow/runs/create-promptlab-run over real HTTP, against what MLflow 2.17.2's
// own server wrote for the same request (create_promptlab_run_handler, _create_promptlab_run_impl;
// unchanged in 3.6) and its tests test_create_promptlab_run_handler_* in test_rest_tracking.py.

const PATH = "/ajax-api/2.0/mlflow/runs/create-promptlab-run";
let server: TestServer;
let experimentId: string;
beforeAll(async () => {
  server = await startTestServer();
  experimentId = await server.client.createExperiment("promptlab");
});
afterAll(async () => server?.close());

const full = () => ({
  experiment_id: experimentId,
  run_name: "my_run_name",
  prompt_template: "Hi {{ name }}",
  prompt_parameters: [
    { key: "name", value: "Bob" },
    { key: "n", value: 3 },
  ],
  model_route: "my_route",
  model_parameters: [
    { key: "temperature", value: "0.1" },
    { key: "max_tokens", value: 10 },
  ],
  model_input: "Hi Bob",
  model_output: "hello",
  model_output_parameters: [{ key: "latency", value: "100" }],
  mlflow_version: "2.17.2",
  user_id: "username",
  start_time: 456,
});

async function artifact(runId: string, path: string): Promise<string> {
  const response = await server.fetch(`/get-artifact?run_id=${runId}&path=${encodeURIComponent(path)}`);
  expect(response.status).toBe(200);
  return response.text();
}

describe("create-promptlab-run", () => {
  it("names the first missing argument as MLflow does, before touching any store", async () => {
    const steps: [Record<string, unknown>, string][] = [
      [{}, "experiment_id"],
      [{ experiment_id: "123" }, "prompt_template"],
      [{ experiment_id: "123", prompt_template: "t" }, "prompt_parameters"],
      [{ experiment_id: "123", prompt_template: "t", prompt_parameters: [] }, "prompt_parameters"],
      [{ experiment_id: "123", prompt_template: "t", prompt_parameters: [{ key: "k", value: "v" }] }, "model_route"],
      [{ experiment_id: "123", prompt_template: "t", prompt_parameters: [{ key: "k", value: "v" }], model_route: "r" }, "model_input"],
      [{ experiment_id: "123", prompt_template: "t", prompt_parameters: [{ key: "k", value: "v" }], model_route: "r", model_input: "i" }, "mlflow_version"],
    ];
    for (const [body, missing] of steps) {
      const answer = await postJson(server, PATH, body);
      expect([answer.status, answer.body.error_code, answer.body.message]).toEqual([400, "INVALID_PARAMETER_VALUE", `CreatePromptlabRun request must specify ${missing}.`]);
    }
    // Everything given but an unknown experiment: the store's 404, and no run anywhere.
    const unknown = await postJson(server, PATH, { ...full(), experiment_id: "123" });
    expect([unknown.status, unknown.body.error_code]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
  });

  it("creates a finished run with MLflow's params, tags and logged-model entry", async () => {
    const answer = await postJson(server, PATH, full());
    expect(answer.status).toBe(200);
    const run = answer.body.run as { info: Record<string, unknown>; data: { params: unknown[]; tags: { key: string; value: string }[] } };
    expect(run.info).toMatchObject({ run_name: "my_run_name", experiment_id: experimentId, user_id: "username", status: "FINISHED", start_time: 456 });
    expect(run.info.end_time).toEqual(expect.any(Number));
    // Values are logged as Python's str() wrote them (10 → "10").
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: "temperature", value: "0.1" },
        { key: "max_tokens", value: "10" },
        { key: "model_route", value: "my_route" },
        { key: "prompt_template", value: "Hi {{ name }}" },
      ]),
    );
    expect(run.data.params).toHaveLength(4);
    expect(run.data.tags).toEqual(
      expect.arrayContaining([
        { key: "mlflow.runName", value: "my_run_name" },
        { key: "mlflow.loggedArtifacts", value: '[{"path": "eval_results_table.json", "type": "table"}]' },
        { key: "mlflow.runSourceType", value: "PROMPT_ENGINEERING" },
      ]),
    );
    const history = JSON.parse(run.data.tags.find((t) => t.key === "mlflow.log-model.history")!.value) as Record<string, unknown>[];
    expect(history).toEqual([{ run_id: run.info.run_id, artifact_path: "model", utc_time_created: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/), model_uuid: expect.stringMatching(/^[0-9a-f]{32}$/), flavors: {} }]);
    // The answer is the run as stored.
    const stored = await server.client.getRun(String(run.info.run_id));
    expect(stored.info.status).toBe("FINISHED");
  });

  it("writes the evaluation table and the model's files to the run's artifact root", async () => {
    const answer = await postJson(server, PATH, full());
    const runId = String((answer.body.run as { info: { run_id: string } }).info.run_id);
    expect(await artifact(runId, "eval_results_table.json")).toBe('{"columns": ["name", "n", "prompt", "output", "latency"], "data": [["Bob", "3", "Hi Bob", "hello", "100"]]}');
    const mlmodel = await artifact(runId, "model/MLmodel");
    expect(mlmodel).toContain("    loader_module: mlflow.prompt.promptlab_model\n");
    expect(mlmodel).toContain(`run_id: "${runId}"\n`);
    expect(mlmodel).toContain(`  inputs: ${JSON.stringify('[{"type": "string", "name": "name", "required": true}, {"type": "string", "name": "n", "required": true}]')}\n`);
    expect(await artifact(runId, "model/parameters.yaml")).toBe(
      'model_parameters:\n  "max_tokens": "10"\n  "temperature": "0.1"\nmodel_route: "my_route"\nprompt_parameters:\n  "n": "3"\n  "name": "Bob"\nprompt_template: "Hi {{ name }}"\n',
    );
    expect(await artifact(runId, "model/input_example.json")).toBe('{"inputs": ["Bob", "3"]}');
    expect(JSON.parse(await artifact(runId, "model/serving_input_example.json"))).toEqual({ inputs: { inputs: ["Bob", "3"] } });
    expect(await artifact(runId, "model/requirements.txt")).toMatch(/^mlflow\[gateway\]==\d+\.\d+\.\d+$/);
    for (const file of ["conda.yaml", "python_env.yaml"]) expect((await artifact(runId, `model/${file}`)).length).toBeGreaterThan(0);
  });

  it("takes tags as runs/create does, defaults user and start time, and logs a missing output as null", async () => {
    const before = Date.now();
    const { model_output: _output, user_id: _user, start_time: _start, run_name: _name, ...rest } = full();
    const answer = await postJson(server, PATH, { ...rest, tags: [{ key: "team", value: "nlp" }] });
    expect(answer.status).toBe(200);
    const run = answer.body.run as { info: { run_id: string; user_id: string; start_time: number; run_name: string }; data: { tags: unknown[] } };
    expect(run.info.user_id).toBe("unknown");
    expect(run.info.start_time).toBeGreaterThanOrEqual(before);
    expect(run.info.run_name).toMatch(/\S/);
    expect(run.data.tags).toContainEqual({ key: "team", value: "nlp" });
    expect(JSON.parse(await artifact(run.info.run_id, "eval_results_table.json"))).toEqual({ columns: ["name", "n", "prompt", "output", "latency"], data: [["Bob", "3", "Hi Bob", null, "100"]] });
  });
});

describe("create-promptlab-run where artifacts cannot be written", () => {
  let local: TestServer;
  beforeAll(async () => {
    // Proxied artifact root but --no-serve-artifacts: this server writes no file there.
    local = await startTestServer({ config: { serveArtifacts: false } });
  });
  afterAll(async () => local?.close());

  it("leaves the run FAILED and answers with it, as MLflow's _create_promptlab_run_impl", async () => {
    const experiment = await local.client.createExperiment("promptlab-failing");
    const answer = await postJson(local, PATH, { ...full(), experiment_id: experiment });
    expect(answer.status).toBe(200);
    const run = answer.body.run as { info: { status: string; end_time: number }; data: { params: unknown[] } };
    expect(run.info.status).toBe("FAILED");
    expect(run.info.end_time).toEqual(expect.any(Number));
    expect(run.data.params).toContainEqual({ key: "model_route", value: "my_route" });
  });
});
