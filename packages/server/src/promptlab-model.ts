import { pyJson } from "@mlflow-ts/store";
import type { KeyValue } from "@mlflow-ts/protocol";
import { MLFLOW_API_VERSION } from "./version.js";

/** What a prompt-engineering run logs, its values already strings (as MLflow's `str()` made them). */
export interface PromptlabInput {
  readonly runId: string;
  readonly modelUuid: string;
  /** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC (see {@link utcTimeCreated}). */
  readonly utcTimeCreated: string;
  readonly promptTemplate: string;
  readonly promptParameters: readonly KeyValue[];
  readonly modelRoute: string;
  readonly modelParameters: readonly KeyValue[];
  readonly modelInput: string;
  readonly modelOutput: string | undefined;
  readonly modelOutputParameters: readonly KeyValue[];
}

/** The path of the evaluation table, as the run's `mlflow.loggedArtifacts` tag names it. */
export const EVAL_RESULTS_FILE = "eval_results_table.json";

/**
 * A time as MLflow's `Model.utc_time_created` writes it (`datetime.strftime("%Y-%m-%d %H:%M:%S.%f")`).
 *
 * @example
 * utcTimeCreated(new Date(0)); // "1970-01-01 00:00:00.000000"
 */
export function utcTimeCreated(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace("T", " ")}000`;
}

// YAML reads a JSON double-quoted scalar as the same string, whatever the text holds.
const q = (s: string) => JSON.stringify(s);
const yamlMap = (entries: readonly KeyValue[], indent: string): string =>
  entries.length === 0
    ? " {}\n"
    : `\n${[...entries]
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((e) => `${indent}${q(e.key)}: ${q(e.value)}\n`)
        .join("")}`;

/**
 * The `mlflow.log-model.history` entry MLflow's `record_logged_model` writes for the run's model
 * before its flavors are known (`flavors: {}`).
 *
 * @example
 * JSON.parse(loggedModelHistory(input))[0].artifact_path; // "model"
 */
export function loggedModelHistory(input: PromptlabInput): string {
  return pyJson([{ run_id: input.runId, artifact_path: "model", utc_time_created: input.utcTimeCreated, model_uuid: input.modelUuid, flavors: {} }]);
}

/**
 * The files MLflow's `_create_promptlab_run_impl` writes below the run's artifact root: the
 * evaluation table and a `python_function` model (`mlflow.prompt.promptlab_model`, MLflow 3.x's
 * loader of MLflow 2.x's `mlflow.promptlab` models) with its parameters, signature, input example
 * and environment. Paths relative to the artifact root → contents.
 *
 * MLflow pins the Python it runs on in `MLmodel`, `conda.yaml` and `python_env.yaml`; this server
 * runs no Python, so those pins are left out — MLflow then restores the model with the Python it
 * is loaded by (`_PythonEnv(python=None)`).
 *
 * @example
 * const files = promptlabFiles(input); // { "eval_results_table.json": "...", "model/MLmodel": "...", ... }
 */
export function promptlabFiles(input: PromptlabInput): Record<string, string> {
  const promptValues = input.promptParameters.map((p) => p.value);
  const evalResults = {
    columns: [...input.promptParameters.map((p) => p.key), "prompt", "output", ...input.modelOutputParameters.map((p) => p.key)],
    data: [[...promptValues, input.modelInput, input.modelOutput ?? null, ...input.modelOutputParameters.map((p) => p.value)]],
  };
  const inputs = pyJson(input.promptParameters.map((p) => ({ type: "string", name: p.key, required: true })));
  const outputs = pyJson([{ type: "string", name: "output", required: true }]);
  const requirement = `mlflow[gateway]==${MLFLOW_API_VERSION}`;
  const mlmodel = [
    "artifact_path: model",
    "flavors:",
    "  python_function:",
    "    env:",
    "      conda: conda.yaml",
    "      virtualenv: python_env.yaml",
    "    loader_module: mlflow.prompt.promptlab_model",
    "    parameters_path: parameters.yaml",
    `mlflow_version: ${q(MLFLOW_API_VERSION)}`,
    `model_uuid: ${q(input.modelUuid)}`,
    `run_id: ${q(input.runId)}`,
    "saved_input_example_info:",
    "  artifact_path: input_example.json",
    "  serving_input_path: serving_input_example.json",
    "  type: json_object",
    "signature:",
    `  inputs: ${q(inputs)}`,
    `  outputs: ${q(outputs)}`,
    "  params: null",
    `utc_time_created: ${q(input.utcTimeCreated)}`,
    "",
  ].join("\n");
  const parameters =
    `model_parameters:${yamlMap(input.modelParameters, "  ")}` +
    `model_route: ${q(input.modelRoute)}\n` +
    `prompt_parameters:${yamlMap(input.promptParameters, "  ")}` +
    `prompt_template: ${q(input.promptTemplate)}\n`;
  return {
    [EVAL_RESULTS_FILE]: pyJson(evalResults),
    "model/MLmodel": mlmodel,
    "model/parameters.yaml": parameters,
    "model/input_example.json": pyJson({ inputs: promptValues }),
    "model/serving_input_example.json": JSON.stringify({ inputs: { inputs: promptValues } }, null, 2),
    "model/requirements.txt": requirement,
    "model/conda.yaml": `channels:\n- conda-forge\ndependencies:\n- pip\n- pip:\n  - ${requirement}\nname: mlflow-env\n`,
    "model/python_env.yaml": "build_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n",
  };
}
