import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/backends.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`model registry end to end on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
    });
    afterAll(async () => server?.close());

    it("registers a model from a run, moves it through stages and aliases, searches, renames, deletes", async () => {
      const { client } = server;
      const registry = client.registry;
      const experimentId = await client.createExperiment("registry");
      const run = await client.createRun(experimentId);
      const runId = run.info.run_id;
      const model = await registry.createRegisteredModel("churn", { tags: [{ key: "team", value: "growth" }], description: "d" });
      expect(model).toMatchObject({ name: "churn", description: "d", tags: [{ key: "team", value: "growth" }] });
      await expect(registry.createRegisteredModel("churn")).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS", status: 400 });

      const v1 = await registry.createModelVersion("churn", `${run.info.artifact_uri}/model`, { runId });
      const v2 = await registry.createModelVersion("churn", `runs:/${runId}/model`, { runId, tags: [{ key: "k", value: "v" }] });
      expect([v1.version, v2.version]).toEqual(["1", "2"]);
      expect(v2).toMatchObject({ status: "READY", current_stage: "None", run_id: runId, tags: [{ key: "k", value: "v" }] });

      await registry.transitionModelVersionStage("churn", "1", "production");
      let latest = await registry.getLatestVersions("churn");
      expect(latest.map((v) => [v.version, v.current_stage])).toEqual([
        ["1", "Production"],
        ["2", "None"],
      ]);
      await registry.transitionModelVersionStage("churn", "2", "Production", true);
      expect((await registry.getModelVersion("churn", "1")).current_stage).toBe("Archived");
      latest = await registry.getLatestVersions("churn", ["Production"]);
      expect(latest.map((v) => v.version)).toEqual(["2"]);

      await registry.setRegisteredModelAlias("churn", "champion", "2");
      await registry.setRegisteredModelAlias("churn", "challenger", "1");
      expect((await registry.getModelVersionByAlias("churn", "champion")).version).toBe("2");
      await registry.setRegisteredModelAlias("churn", "champion", "1");
      expect((await registry.getModelVersion("churn", "1")).aliases).toEqual(["challenger", "champion"]);
      expect((await registry.getRegisteredModel("churn")).aliases).toEqual([
        { alias: "challenger", version: "1" },
        { alias: "champion", version: "1" },
      ]);
      await registry.deleteRegisteredModelAlias("churn", "challenger");
      await expect(registry.getModelVersionByAlias("churn", "challenger")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });

      await registry.createRegisteredModel("fraud");
      expect((await registry.searchRegisteredModels({ filter: "name LIKE 'ch%'" })).registeredModels.map((m) => m.name)).toEqual(["churn"]);
      expect((await registry.searchModelVersions({ filter: `run_id = '${runId}'` })).modelVersions.map((v) => v.version)).toEqual(["2", "1"]);
      expect((await registry.searchModelVersions({ filter: `name = 'churn' AND run_id IN ('${runId}')`, orderBy: ["version_number ASC"] })).modelVersions.map((v) => v.version)).toEqual(["1", "2"]);
      expect(await registry.getModelVersionDownloadUri("churn", "2")).toBe(`runs:/${runId}/model`);

      const renamed = await registry.renameRegisteredModel("churn", "churn-v2");
      expect(renamed.name).toBe("churn-v2");
      expect((await registry.getModelVersion("churn-v2", "2")).name).toBe("churn-v2");
      expect((await registry.getModelVersionByAlias("churn-v2", "champion")).version).toBe("1");
      await expect(registry.getRegisteredModel("churn")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST", status: 404 });
      await expect(registry.renameRegisteredModel("fraud", "churn-v2")).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS" });

      await registry.deleteModelVersion("churn-v2", "2");
      await expect(registry.getModelVersion("churn-v2", "2")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
      const v3 = await registry.createModelVersion("churn-v2", `runs:/${runId}/model`, { runId });
      expect(v3.version).toBe("3");

      await registry.deleteRegisteredModel("churn-v2");
      await expect(registry.getRegisteredModel("churn-v2")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
      expect((await registry.searchModelVersions({ filter: "name = 'churn-v2'" })).modelVersions).toEqual([]);
    });

    it("keeps models without the prompt tag in searches that exclude prompts, and pages", async () => {
      const registry = server.client.registry;
      await registry.createRegisteredModel("prompt-1", { tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }] });
      for (let i = 0; i < 5; i += 1) await registry.createRegisteredModel(`m-${i}`);
      const names: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await registry.searchRegisteredModels({ filter: "name LIKE 'm-%' AND tags.`mlflow.prompt.is_prompt` != 'true'", maxResults: 2, pageToken });
        names.push(...page.registeredModels.map((m) => m.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(names).toEqual(["m-0", "m-1", "m-2", "m-3", "m-4"]);
      const prompts = await registry.searchRegisteredModels({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" });
      expect(prompts.registeredModels.map((m) => m.name)).toEqual(["prompt-1"]);
      const notPrompts = await registry.searchRegisteredModels({ filter: "tags.`mlflow.prompt.is_prompt` = 'false'", maxResults: 100 });
      expect(notPrompts.registeredModels.map((m) => m.name)).not.toContain("prompt-1");
    });
  });
}
