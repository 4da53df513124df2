import type { MlflowClient } from "@mlflow-ts/client";
import { SKLEARN_INPUT_EXAMPLE, retrainedMlmodel, sklearnMlmodel } from "./mlmodel-files.js";

/** What {@link seedModels} made, for the tests to find it. */
export interface ModelsData {
  readonly experimentId: string;
  readonly otherExperimentId: string;
  /** v1's run (sklearn MLmodel with every kind of signature and an input example). */
  readonly run1: string;
  /** v2's run (a retrained model: a changed signature, no example), registered by `runs:/` URI. */
  readonly run2: string;
  /** The run of v3, an MLflow 3 logged model. */
  readonly run3: string;
  readonly loggedModelId: string;
  /** A run whose logged model nobody registered. */
  readonly unregisteredRun: string;
  readonly modelName: string;
}

/** Uploads a run's artifact below the proxied root (`mlflow-artifacts:/<exp>/<run>/artifacts`). */
async function upload(client: MlflowClient, artifactUri: string, path: string, body: string): Promise<void> {
  await client.artifacts.upload(`${artifactUri.replace(/^mlflow-artifacts:\/+/, "")}/${path}`, body);
}

async function trainingRun(client: MlflowClient, experimentId: string, name: string, params: Record<string, string>, metrics: Record<string, number>): Promise<{ id: string; artifactUri: string }> {
  const run = await client.createRun(experimentId, { runName: name, startTime: 1_750_000_000_000 });
  const t = 1_750_000_000_000;
  await client.logBatch(run.info.run_id, {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: t, step: 0 })),
  });
  await client.updateRun(run.info.run_id, { status: "FINISHED", endTime: t + 60_000 });
  return { id: run.info.run_id, artifactUri: run.info.artifact_uri };
}

/** Writes a model folder as `mlflow.sklearn.log_model` leaves it, and the run's history tag. */
async function logSklearnModel(client: MlflowClient, run: { id: string; artifactUri: string }, path: string, mlmodel: string, example?: unknown): Promise<void> {
  await upload(client, run.artifactUri, `${path}/MLmodel`, mlmodel);
  await upload(client, run.artifactUri, `${path}/requirements.txt`, "mlflow==2.12.2\nscikit-learn==1.2.1\n");
  await upload(client, run.artifactUri, `${path}/model.pkl`, "not really a pickle");
  if (example !== undefined) {
    await upload(client, run.artifactUri, `${path}/input_example.json`, JSON.stringify(example));
    await upload(client, run.artifactUri, `${path}/serving_input_example.json`, JSON.stringify({ dataframe_split: example }));
  }
  await client.setTag(run.id, "mlflow.log-model.history", JSON.stringify([{ run_id: run.id, artifact_path: path, utc_time_created: "2024-05-01 10:00:00.123456", flavors: { python_function: {}, sklearn: {} } }]));
}

/**
 * A registered model as a team's registry holds it, made through the REST API with real MLmodel
 * files: `iris-classifier` v1 (from a run's folder, its location as source, alias `champion`), v2
 * (a retrained model, source `runs:/<run>/model`, alias `challenger`), v3 (an MLflow 3 logged
 * model, source `models:/m-…`); a run with a logged model nobody registered; and a second
 * experiment, for the view across experiments.
 *
 * @example
 * const data = await seedModels(new MlflowClient(server.url));
 */
export async function seedModels(client: MlflowClient): Promise<ModelsData> {
  const experimentId = await client.createExperiment("iris-models");
  const otherExperimentId = await client.createExperiment("iris-baselines");
  const r1 = await trainingRun(client, experimentId, "train-v1", { max_depth: "4", n_estimators: "100", criterion: "gini" }, { accuracy: 0.93, f1: 0.91 });
  const r2 = await trainingRun(client, experimentId, "train-v2", { max_depth: "6", n_estimators: "100", criterion: "entropy" }, { accuracy: 0.95, f1: 0.94 });
  const r3 = await trainingRun(client, experimentId, "train-v3", { max_depth: "8", n_estimators: "300", criterion: "entropy" }, { accuracy: 0.96 });
  const unregistered = await trainingRun(client, experimentId, "train-draft", { max_depth: "2" }, { accuracy: 0.7 });
  for (const [i, name] of ["baseline-logreg", "baseline-dummy"].entries()) await trainingRun(client, otherExperimentId, name, { max_depth: "0", model: i ? "dummy" : "logreg" }, { accuracy: i ? 0.33 : 0.88 });

  await logSklearnModel(client, r1, "model", sklearnMlmodel(r1.id), SKLEARN_INPUT_EXAMPLE);
  await logSklearnModel(client, r2, "model", retrainedMlmodel(r2.id));
  await logSklearnModel(client, unregistered, "draft-model", retrainedMlmodel(unregistered.id));

  // MLflow 3's log_model: a logged model with its own artifact root, linked to the run as an output.
  const logged = await client.createLoggedModel(experimentId, { name: "forest", modelType: "sklearn", sourceRunId: r3.id });
  const modelId = logged.info.model_id;
  await upload(client, logged.info.artifact_uri, "MLmodel", `model_id: ${modelId}\n${sklearnMlmodel(r3.id).replace(/^artifact_path: model\n/, "")}`);
  await upload(client, logged.info.artifact_uri, "input_example.json", JSON.stringify({ ...SKLEARN_INPUT_EXAMPLE, data: SKLEARN_INPUT_EXAMPLE.data.slice(0, 1) }));
  await client.finalizeLoggedModel(modelId, "LOGGED_MODEL_READY");
  await client.logOutputs(r3.id, [{ model_id: modelId, step: 0 }]);

  const modelName = "iris-classifier";
  await client.registry.createRegisteredModel(modelName, { description: "Classifies **iris** flowers." });
  await client.registry.createModelVersion(modelName, `${r1.artifactUri}/model`, { runId: r1.id, description: "First forest." });
  await client.registry.createModelVersion(modelName, `runs:/${r2.id}/model`, { runId: r2.id, description: "Retrained, new feature." });
  await client.registry.createModelVersion(modelName, `models:/${modelId}`, { runId: r3.id, modelId });
  await client.registry.setRegisteredModelAlias(modelName, "champion", "1");
  await client.registry.setRegisteredModelAlias(modelName, "challenger", "2");
  return { experimentId, otherExperimentId, run1: r1.id, run2: r2.id, run3: r3.id, loggedModelId: modelId, unregisteredRun: unregistered.id, modelName };
}
