import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/backends.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`MLflow 3 logged models on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
    });
    afterAll(async () => server?.close());

    it("walks log_model's calls: create, upload, finalize, outputs, metrics, register, search, delete", async () => {
      const { client } = server;
      const experimentId = await client.createExperiment("lm");
      const run = await client.createRun(experimentId);
      const runId = run.info.run_id;
      const model = await client.createLoggedModel(experimentId, { name: "clf", modelType: "sklearn", sourceRunId: runId, params: [{ key: "alpha", value: "0.1" }] });
      expect(model.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
      expect(model.info).toMatchObject({ status: "LOGGED_MODEL_PENDING", experiment_id: experimentId, name: "clf", source_run_id: runId });
      expect(model.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/models/${model.info.model_id}/artifacts`);

      const root = model.info.artifact_uri.replace("mlflow-artifacts:/", "");
      await client.artifacts.upload(`${root}/MLmodel`, "flavors: {}\n");
      await client.artifacts.upload(`${root}/model.pkl`, new Uint8Array([1, 2, 3]));
      const ready = await client.finalizeLoggedModel(model.info.model_id, "LOGGED_MODEL_READY");
      expect(ready.info.status).toBe("LOGGED_MODEL_READY");

      await client.setLoggedModelTags(model.info.model_id, [{ key: "stage", value: "dev" }]);
      await client.logLoggedModelParams(model.info.model_id, [{ key: "beta", value: "2" }]);
      await client.logOutputs(runId, [{ model_id: model.info.model_id, step: 3 }]);
      await client.request("POST", "/api/2.0/mlflow/runs/log-metric", { run_id: runId, key: "acc", value: 0.9, timestamp: 10, step: 1, model_id: model.info.model_id });

      const got = await client.getLoggedModel(model.info.model_id);
      expect(got.info.tags).toEqual([{ key: "stage", value: "dev" }]);
      expect(got.data.params).toEqual([
        { key: "alpha", value: "0.1" },
        { key: "beta", value: "2" },
      ]);
      expect(got.data.metrics).toEqual([{ key: "acc", value: 0.9, timestamp: 10, step: 1, run_id: runId, model_id: model.info.model_id }]);
      expect((await client.getRun(runId)).outputs).toEqual({ model_outputs: [{ model_id: model.info.model_id, step: 3 }] });

      const listing = await client.request<{ root_uri: string; files: { path: string }[] }>(
        "GET",
        `/api/2.0/mlflow/logged-models/${model.info.model_id}/artifacts/directories`,
      );
      expect(listing.files.map((f) => f.path)).toEqual(["MLmodel", "model.pkl"]);

      await client.registry.createRegisteredModel("clf");
      const version = await client.registry.createModelVersion("clf", `models:/${model.info.model_id}`, { modelId: model.info.model_id });
      expect(version.model_id).toBe(model.info.model_id);
      expect(await client.registry.getModelVersionDownloadUri("clf", version.version)).toBe(model.info.artifact_uri);
      expect((await client.getLoggedModel(model.info.model_id)).info.registrations).toEqual([{ name: "clf", version: "1" }]);
      const file = await server.fetch(`/model-versions/get-artifact?name=clf&version=1&path=MLmodel`);
      expect(await file.text()).toBe("flavors: {}\n");

      const other = await client.createLoggedModel(experimentId, { name: "other" });
      expect((await client.searchLoggedModels([experimentId])).models.map((m) => m.info.name)).toEqual(["other", "clf"]);
      expect((await client.searchLoggedModels([experimentId], { filter: "metrics.acc > 0.5" })).models.map((m) => m.info.name)).toEqual(["clf"]);
      // MLflow 3's datasets clause: models with metrics on that dataset (and digest, when given).
      await client.request("POST", "/api/2.0/mlflow/runs/log-metric", { run_id: runId, key: "f1", value: 0.7, timestamp: 11, step: 0, model_id: model.info.model_id, dataset_name: "eval", dataset_digest: "d1" });
      const byDataset = async (body: Record<string, unknown>) =>
        ((await client.request("POST", "/api/2.0/mlflow/logged-models/search", { experiment_ids: [experimentId], ...body })) as { models?: { info: { name: string } }[] }).models?.map((m) => m.info.name) ?? [];
      expect(await byDataset({ datasets: [{ dataset_name: "eval" }] })).toEqual(["clf"]);
      expect(await byDataset({ datasets: [{ dataset_name: "eval", dataset_digest: "other" }] })).toEqual([]);
      expect(await byDataset({ datasets: [{ dataset_name: "eval", dataset_digest: "d1" }], filter: "metrics.acc > 0.5" })).toEqual([]);
      expect(await byDataset({ datasets: [{ dataset_name: "eval", dataset_digest: "d1" }], filter: "metrics.f1 > 0.5" })).toEqual(["clf"]);
      expect((await client.searchLoggedModels([experimentId], { filter: "params.beta = '2' AND status = 'LOGGED_MODEL_READY'" })).models.map((m) => m.info.name)).toEqual(["clf"]);
      expect((await client.searchLoggedModels([experimentId], { orderBy: [{ field_name: "name", ascending: true }] })).models.map((m) => m.info.name)).toEqual(["clf", "other"]);
      const paged = await client.searchLoggedModels([experimentId], { maxResults: 1 });
      expect(paged.models).toHaveLength(1);
      expect(paged.nextPageToken).toBeTruthy();

      await client.deleteLoggedModelTag(model.info.model_id, "stage");
      await client.deleteLoggedModel(other.info.model_id);
      await expect(client.getLoggedModel(other.info.model_id)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
      expect((await client.getLoggedModel(other.info.model_id, true)).info.name).toBe("other");
    });
  });
}
