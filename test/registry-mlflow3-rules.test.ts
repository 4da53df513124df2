import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, startTestServer, type TestServer } from "./support/test-server.js";

// Issue 23: model-version rules as MLflow 3.6 has them — a local source inside the logged model's
// artifact directory with model_id, MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX, the
// wording of a bad version, and a missing description answered as "".

describe("model-version rules of MLflow 3", () => {
  let server: TestServer;
  let strict: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { serveArtifacts: false } });
    const root = path.join(server.database.dir, "artifacts");
    fs.mkdirSync(root, { recursive: true });
    await server.close();
    server = await startTestServer({ config: { serveArtifacts: false, defaultArtifactRoot: root } });
    strict = await startTestServer({ config: { modelVersionSourceRegex: "^runs:/" } });
  });
  afterAll(async () => {
    await server?.close();
    await strict?.close();
  });

  it("accepts a local source inside the logged model's artifact directory when model_id names it", async () => {
    const exp = await server.client.createExperiment("lm-source");
    const model = await server.client.createLoggedModel(exp, { name: "m" });
    const location = model.info.artifact_uri;
    await postJson(server, "/api/2.0/mlflow/registered-models/create", { name: "from-model" });
    const ok = await postJson(server, "/api/2.0/mlflow/model-versions/create", { name: "from-model", source: location, model_id: model.info.model_id });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((ok.body.model_version as { description?: string }).description).toBe("");
    const outside = await postJson(server, "/api/2.0/mlflow/model-versions/create", { name: "from-model", source: path.dirname(location.replace(/^file:\/\//, "")), model_id: model.info.model_id });
    expect(outside.status).toBe(400);
    expect(String(outside.body.message)).toContain("the model_id request parameter has to be specified");
    // MLflow 3 lists the versions registered from a logged model in its tag mlflow.modelVersions.
    await postJson(server, "/api/2.0/mlflow/model-versions/create", { name: "from-model", source: location, model_id: model.info.model_id });
    const logged = await getJson(server, `/api/2.0/mlflow/logged-models/${model.info.model_id}`);
    const tags = (logged.body.model as { info: { tags: { key: string; value: string }[] } }).info.tags;
    expect(tags.find((t) => t.key === "mlflow.modelVersions")?.value).toBe('[{"name": "from-model", "version": 1}, {"name": "from-model", "version": 2}]');
    const got = await getJson(server, "/api/2.0/mlflow/model-versions/get?name=from-model&version=1");
    expect((got.body.model_version as { description?: string }).description).toBe("");
    const bad = await getJson(server, "/api/2.0/mlflow/model-versions/get?name=from-model&version=something%20not%20correct");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("Parameter 'version' must be an integer, got 'something not correct'.");
  });

  it("refuses sources the configured regular expression does not match", async () => {
    await postJson(strict, "/api/2.0/mlflow/registered-models/create", { name: "strict" });
    const refused = await postJson(strict, "/api/2.0/mlflow/model-versions/create", { name: "strict", source: "mlflow-artifacts:/1/abc/artifacts/model" });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("Invalid model version source: 'mlflow-artifacts:/1/abc/artifacts/model'.");
    const exp = await strict.client.createExperiment("strict");
    const run = await strict.client.createRun(exp);
    const ok = await postJson(strict, "/api/2.0/mlflow/model-versions/create", { name: "strict", source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id });
    expect(ok.status).toBe(200);
  });
});
