import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { checkText, f, invalidParameter, pythonStr, type KeyValue } from "@mlflow-ts/protocol";
import { requestStores, type ServerConfig } from "@mlflow-ts/plugin-api";
import { resolveArtifactUri } from "../artifact-access.js";
import { EVAL_RESULTS_FILE, loggedModelHistory, promptlabFiles, utcTimeCreated } from "../promptlab-model.js";
import { route, type RouteDefinition } from "../route.js";
import { keyValueSchema, keyValues } from "./key-values.js";

// MLflow reads `value` as any JSON and logs `str(value)`: 3 → "3", true → "True", null → "None".
const paramList = f.objects({ key: f.string(true), value: f.json() });
const asParams = (list: readonly { key: string; value?: unknown }[] | undefined, name: string): KeyValue[] =>
  (list ?? []).map((p) => ({ key: p.key, value: checkText(pythonStr(p.value), name) }));

const schema = {
  experiment_id: f.id(),
  run_name: f.string(),
  tags: f.objects(keyValueSchema),
  prompt_template: f.string(),
  prompt_parameters: paramList,
  model_route: f.string(),
  model_parameters: paramList,
  model_input: f.string(),
  model_output: f.string(),
  model_output_parameters: paramList,
  mlflow_version: f.string(),
  user_id: f.string(),
  start_time: f.int(),
};

/** MLflow's check, in its order: absent, empty strings and empty lists are all "not specified". */
function required<T>(name: string, value: T | undefined): T {
  if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
    throw invalidParameter(`CreatePromptlabRun request must specify ${name}.`);
  }
  return value;
}

/**
 * `POST /ajax-api/2.0/mlflow/runs/create-promptlab-run`: the web UI's prompt-engineering page
 * saves one evaluated prompt as a finished run (MLflow's `create_promptlab_run_handler` and
 * `_create_promptlab_run_impl`, the same in 2.17 and 3.6). The run gets the model parameters plus
 * `model_route` and `prompt_template` as params, `mlflow.runSourceType=PROMPT_ENGINEERING`, a
 * `mlflow.loggedArtifacts` tag naming the evaluation table, a logged-model history entry, and the
 * files of {@link promptlabFiles}. Everything goes through the caller's stores: creating the run
 * needs EDIT on the experiment, as `runs/create`.
 *
 * As MLflow: once the run exists, a failure to log to it (a parameter too long, an artifact root
 * this server cannot write) leaves the run FAILED and still answers with it. Unlike MLflow, `tags`
 * are read as `runs/create` reads them (MLflow's handler passes the raw dicts on and fails with 500).
 *
 * @example
 * POST /ajax-api/2.0/mlflow/runs/create-promptlab-run
 * { "experiment_id": "1", "prompt_template": "Hi {{ name }}", "prompt_parameters": [{ "key": "name", "value": "Bob" }],
 *   "model_route": "chat", "model_input": "Hi Bob", "model_output": "Hello!", "mlflow_version": "2.17.2" }
 * → { "run": { "info": { "status": "FINISHED", ... }, "data": { ... } } }
 */
export function promptlabRunRoute(config: ServerConfig): RouteDefinition {
  return route("POST", "/mlflow/runs/create-promptlab-run", schema, async (p, req) => {
    const experimentId = required("experiment_id", p.experiment_id);
    const promptTemplate = required("prompt_template", p.prompt_template);
    const promptParameters = asParams(required("prompt_parameters", p.prompt_parameters), "prompt_parameters");
    const modelRoute = required("model_route", p.model_route);
    const modelParameters = asParams(p.model_parameters, "model_parameters");
    const modelInput = required("model_input", p.model_input);
    const modelOutputParameters = asParams(p.model_output_parameters, "model_output_parameters");
    // MLflow requires it and does nothing else with it.
    required("mlflow_version", p.mlflow_version);

    const tracking = requestStores(req).tracking;
    const run = await tracking.createRun({
      experimentId,
      userId: p.user_id ?? "unknown",
      runName: p.run_name,
      startTime: p.start_time ?? Date.now(),
      tags: keyValues(p.tags),
    });
    const runId = run.info.run_id;
    let status: "FINISHED" | "FAILED" = "FINISHED";
    try {
      const model = { runId, modelUuid: randomUUID().replace(/-/g, ""), utcTimeCreated: utcTimeCreated(new Date()) };
      await tracking.logBatch(runId, {
        params: [...modelParameters, { key: "model_route", value: modelRoute }, { key: "prompt_template", value: promptTemplate }],
        tags: [
          { key: "mlflow.loggedArtifacts", value: `[{"path": "${EVAL_RESULTS_FILE}", "type": "table"}]` },
          { key: "mlflow.runSourceType", value: "PROMPT_ENGINEERING" },
        ],
      });
      const input = { ...model, promptTemplate, promptParameters, modelRoute, modelParameters, modelInput, modelOutput: p.model_output, modelOutputParameters };
      await tracking.setTag(runId, { key: "mlflow.log-model.history", value: loggedModelHistory(input) });
      const root = await tracking.runArtifactUri(runId, "write");
      for (const [path, content] of Object.entries(promptlabFiles(input))) {
        const { store, relative } = resolveArtifactUri(config, requestStores(req).artifacts, root, path);
        await store.write(relative, Readable.from([Buffer.from(content, "utf8")]));
      }
    } catch {
      status = "FAILED";
    }
    await tracking.updateRun(runId, { status, endTime: Date.now() });
    return { run: await tracking.getRun(runId) };
  });
}
