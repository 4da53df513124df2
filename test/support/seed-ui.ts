import { MlflowClient } from "@mlflow-ts/client";

/** A 2×2 PNG (red, green / blue, white): an image artifact to preview. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==",
  "base64",
);

/** What {@link seedDemo} made, for the tests to find it. */
export interface DemoData {
  readonly experimentId: string;
  readonly runIds: string[];
  readonly parentId: string;
  readonly modelRunId: string;
  readonly modelName: string;
}

/**
 * An experiment as a data scientist leaves it: 12 runs with params, tags and metric histories, a
 * parent with two children, artifacts of every previewable kind (text, JSON, YAML, CSV, image) and
 * a logged model registered as `churn-model` version 1 with the alias `champion`.
 *
 * @example
 * const demo = await seedDemo(new MlflowClient(server.url));
 */
export async function seedDemo(client: MlflowClient, name = "demo-classifier"): Promise<DemoData> {
  const experimentId = await client.createExperiment(name, { tags: [{ key: "mlflow.note.content", value: "Churn models trained nightly." }] });
  const runIds: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    const run = await client.createRun(experimentId, { runName: `run-${String(i).padStart(2, "0")}`, startTime: 1_750_000_000_000 + i * 60_000, tags: [{ key: "team", value: i % 2 ? "vision" : "nlp" }] });
    const id = run.info.run_id;
    runIds.push(id);
    const lr = [0.1, 0.03, 0.01][i % 3]!;
    const metrics = [];
    for (let step = 0; step < 50; step += 1) {
      const t = 1_750_000_000_000 + i * 60_000 + step * 1000;
      metrics.push({ key: "loss", value: Math.exp(-step * lr) + 0.05 * ((i * 7 + step) % 5) / 5, timestamp: t, step });
      metrics.push({ key: "accuracy", value: 1 - Math.exp(-step * lr) * 0.9 - i * 0.002, timestamp: t, step });
    }
    await client.logBatch(id, {
      metrics,
      params: [
        { key: "learning_rate", value: String(lr) },
        { key: "optimizer", value: i % 2 ? "adam" : "sgd" },
        { key: "epochs", value: "50" },
      ],
    });
    await client.updateRun(id, { status: i === 11 ? "FAILED" : "FINISHED", endTime: 1_750_000_000_000 + i * 60_000 + 50_000 });
  }
  const parentId = (await client.createRun(experimentId, { runName: "sweep-parent" })).info.run_id;
  for (const k of [1, 2]) {
    await client.createRun(experimentId, { runName: `sweep-child-${k}`, tags: [{ key: "mlflow.parentRunId", value: parentId }] });
  }
  const modelRunId = runIds[0]!;
  const root = `${experimentId}/${modelRunId}/artifacts`;
  const files: [string, string | Buffer][] = [
    ["model/MLmodel", "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    python_version: 3.11.2\n  sklearn:\n    sklearn_version: 1.2.1\nrun_id: " + modelRunId + "\n"],
    ["model/requirements.txt", "mlflow==2.12.2\nscikit-learn==1.2.1\n"],
    ["metrics.json", JSON.stringify({ accuracy: 0.93, f1: 0.91, confusion: [[50, 3], [4, 43]] })],
    ["predictions.csv", "id,label,score\n1,churn,0.91\n2,stay,0.12\n3,\"churn, maybe\",0.55\n"],
    ["notes.txt", "Trained on the November snapshot.\n"],
    ["plots/roc.png", PNG],
  ];
  for (const [path, body] of files) await client.artifacts.upload(`${root}/${path}`, typeof body === "string" ? body : new Uint8Array(body));
  await client.setTag(modelRunId, "mlflow.log-model.history", JSON.stringify([{ run_id: modelRunId, artifact_path: "model", utc_time_created: "2026-11-30 10:00:00.000000", flavors: { python_function: {}, sklearn: {} } }]));
  const modelName = `churn-model-${name}`;
  await client.registry.createRegisteredModel(modelName, { description: "Predicts churn from usage." });
  const run = await client.getRun(modelRunId);
  await client.registry.createModelVersion(modelName, `${run.info.artifact_uri}/model`, { runId: modelRunId });
  await client.registry.setRegisteredModelAlias(modelName, "champion", "1");
  return { experimentId, runIds, parentId, modelRunId, modelName };
}
