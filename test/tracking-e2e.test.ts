import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/backends.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`tracking end to end over HTTP on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("experiment → runs → log-batch of 1000 → paged search → history → delete and restore", async () => {
      const client = server.client;
      const experimentId = await client.createExperiment("e2e", { tags: [{ key: "team", value: "vision" }] });
      expect((await client.getExperimentByName("e2e")).experiment_id).toBe(experimentId);

      const runIds: string[] = [];
      for (let i = 0; i < 25; i += 1) {
        const run = await client.createRun(experimentId, { runName: `run-${i}`, startTime: 1_000_000 + i, tags: [{ key: "kind", value: i % 2 ? "odd" : "even" }] });
        runIds.push(run.info.run_id);
        await client.logBatch(run.info.run_id, {
          metrics: [{ key: "rmse", value: i / 100, timestamp: 1000 + i, step: 0 }],
          params: [{ key: "idx", value: String(i) }],
        });
      }

      const big = runIds[7]!;
      const metrics = Array.from({ length: 1000 }, (_, step) => ({ key: "loss", value: 1 / (step + 1), timestamp: 5000 + step, step }));
      await client.logBatch(big, { metrics });

      // Filter (odd runs with rmse >= 0.05) ordered by rmse descending, 4 a page.
      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await client.searchRuns([experimentId], {
          filter: "metrics.rmse >= 0.05 and tags.kind = 'odd'",
          orderBy: ["metrics.rmse DESC"],
          maxResults: 4,
          pageToken,
        });
        seen.push(...page.runs.map((r) => r.info.run_name));
        pageToken = page.nextPageToken;
        pages += 1;
      } while (pageToken);
      const expected = Array.from({ length: 25 }, (_, i) => i)
        .filter((i) => i % 2 === 1 && i >= 5)
        .sort((a, b) => b - a)
        .map((i) => `run-${i}`);
      expect(seen).toEqual(expected);
      expect(pages).toBeGreaterThanOrEqual(3);

      const history = await client.getFullMetricHistory(big, "loss");
      expect(history).toHaveLength(1000);
      expect(history[999]).toEqual({ key: "loss", value: 1 / 1000, timestamp: 5999, step: 999 });
      const paged = await client.getMetricHistory(big, "loss", { maxResults: 300 });
      expect(paged.metrics).toHaveLength(300);
      expect(paged.nextPageToken).toBeTruthy();
      const latest = (await client.getRun(big)).data.metrics?.find((m) => m.key === "loss");
      expect(latest).toEqual({ key: "loss", value: 1 / 1000, timestamp: 5999, step: 999 });

      await client.deleteRun(big);
      expect((await client.getRun(big)).info.lifecycle_stage).toBe("deleted");
      expect((await client.searchRuns([experimentId], { maxResults: 100 })).runs).toHaveLength(24);
      expect((await client.searchRuns([experimentId], { runViewType: "DELETED_ONLY" })).runs.map((r) => r.info.run_id)).toEqual([big]);
      await client.restoreRun(big);
      expect((await client.searchRuns([experimentId], { maxResults: 100 })).runs).toHaveLength(25);

      await client.deleteExperiment(experimentId);
      expect((await client.getExperiment(experimentId)).lifecycle_stage).toBe("deleted");
      expect((await client.searchRuns([experimentId])).runs).toHaveLength(0);
      expect((await client.searchExperiments({ viewType: "DELETED_ONLY" })).experiments.map((e) => e.name)).toEqual(["e2e"]);
      await client.restoreExperiment(experimentId);
      expect((await client.searchRuns([experimentId], { maxResults: 100 })).runs).toHaveLength(25);
    });

    it("keeps the default experiment 0 named Default", async () => {
      const exp = await server.client.getExperiment("0");
      expect(exp.name).toBe("Default");
      expect(exp.artifact_location).toBe("mlflow-artifacts:/0");
    });
  });
}
