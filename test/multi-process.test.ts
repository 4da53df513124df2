import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "@mlflow-ts/client";
import { DIALECTS, createTestDatabase, type TestDatabase } from "./support/backends.js";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`several server processes on one ${dialect} database lose no writes`, () => {
    let database: TestDatabase;
    const servers: SpawnedServer[] = [];
    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      // Start them together: concurrent migration must be safe too.
      const started = await Promise.allSettled([0, 1, 2].map(() => spawnServer(["--backend-store-uri", database.uri], { cwd: database.dir })));
      // Those that started are stopped afterwards even when another failed to.
      for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
      const failed = started.find((s) => s.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
    afterAll(async () => {
      const codes = await Promise.all(servers.map((s) => s.stop()));
      expect(codes).toEqual(servers.map(() => 0));
      await database?.drop();
    });

    it("concurrent metrics, params, runs and experiments from every process all land", async () => {
      const clients = servers.map((s) => new MlflowClient(s.url));
      const experimentId = await clients[0]!.createExperiment("shared");
      const runId = (await clients[1]!.createRun(experimentId)).info.run_id;
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i += 1) {
        const client = clients[i % clients.length]!;
        work.push(client.logMetric(runId, "m", i, { step: i, timestamp: 1000 + i }));
        if (i % 10 === 0) work.push(client.createRun(experimentId, { runName: `r${i}` }));
        if (i % 25 === 0) work.push(client.logBatch(runId, { params: [{ key: `p${i}`, value: String(i) }], tags: [{ key: `t${i}`, value: "x" }] }));
        if (i % 50 === 0) work.push(client.createExperiment(`exp-${i}`));
      }
      await Promise.all(work);
      const history = await clients[2]!.getFullMetricHistory(runId, "m");
      expect(history).toHaveLength(300);
      expect(new Set(history.map((m) => m.step)).size).toBe(300);
      const run = await clients[0]!.getRun(runId);
      expect(run.data.params).toHaveLength(12);
      expect(run.data.metrics).toEqual([{ key: "m", value: 299, timestamp: 1299, step: 299 }]);
      expect((await clients[0]!.searchRuns([experimentId], { maxResults: 1000 })).runs).toHaveLength(31);
      expect((await clients[1]!.searchExperiments({ filter: "name LIKE 'exp-%'" })).experiments).toHaveLength(6);
    });
  });
}
