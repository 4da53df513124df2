import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, SqlTrackingStore, type Database } from "@mlflow-ts/store";
import { MYSQL_URL, POSTGRES_URL, createTestDatabase, type TestDatabase, type TestDialect } from "../../../test/support/backends.js";

// Metric writes that arrive together share one transaction (group commit on SQLite and
// PostgreSQL). Each write must still get exactly its own answer: stored, 404 for an unknown run,
// 400 for a deleted one — and the latest value must follow MLflow's rule across the whole group.

const DIALECTS: { dialect: TestDialect; skip: boolean }[] = [
  { dialect: "sqlite", skip: false },
  { dialect: "postgres", skip: !POSTGRES_URL },
  { dialect: "mysql", skip: !MYSQL_URL },
];

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`concurrent metric writes (${dialect})`, () => {
    let target: TestDatabase;
    let database: Database;
    let store: SqlTrackingStore;
    let experimentId: string;
    beforeAll(async () => {
      target = await createTestDatabase(dialect);
      database = await createDatabase(target.uri);
      store = await SqlTrackingStore.open(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
      experimentId = await store.createExperiment({ name: "groups" });
    });
    afterAll(async () => {
      await database?.close();
      await target?.drop();
    });

    it("gives every write of one group its own answer and writes nothing for the refused ones", async () => {
      const live = (await store.createRun({ experimentId })).info.run_id;
      const other = (await store.createRun({ experimentId })).info.run_id;
      const deleted = (await store.createRun({ experimentId })).info.run_id;
      await store.deleteRun(deleted);
      const unknown = "f".repeat(32);
      const writes = [
        ...Array.from({ length: 40 }, (_, step) => ({ run: live, step })),
        ...Array.from({ length: 10 }, (_, step) => ({ run: other, step })),
        { run: deleted, step: 0 },
        { run: unknown, step: 0 },
      ];
      // Started in one turn of the event loop: they arrive together, as concurrent requests do.
      const outcomes = await Promise.allSettled(writes.map((w) => store.logMetric(w.run, { key: "loss", value: w.step / 100, timestamp: 1_000 + w.step, step: w.step })));
      const codeOf = (i: number) => {
        const o = outcomes[i]!;
        return o.status === "fulfilled" ? "ok" : (o.reason as { code?: string }).code;
      };
      expect(writes.slice(0, 50).map((_, i) => codeOf(i))).toEqual(Array(50).fill("ok"));
      expect(codeOf(50)).toBe("INVALID_PARAMETER_VALUE");
      expect(codeOf(51)).toBe("RESOURCE_DOES_NOT_EXIST");
      expect((await store.getMetricHistory(live, "loss")).metrics).toHaveLength(40);
      expect((await store.getMetricHistory(other, "loss")).metrics).toHaveLength(10);
      const latest = (await store.getRun(live)).data.metrics?.find((m) => m.key === "loss");
      expect(latest).toMatchObject({ step: 39, value: 0.39 });
      await store.restoreRun(deleted);
      expect((await store.getMetricHistory(deleted, "loss")).metrics).toHaveLength(0);
    });

    it("splits large batches arriving together into several groups and stores every point", async () => {
      const run = (await store.createRun({ experimentId })).info.run_id;
      // 30 × 1,000 points: more than one group may carry.
      await Promise.all(
        Array.from({ length: 30 }, (_, b) =>
          store.logBatch(run, { metrics: Array.from({ length: 1000 }, (_, k) => ({ key: `k${k % 4}`, value: b, timestamp: 7, step: b * 1000 + k })) }),
        ),
      );
      const history = await store.getMetricHistory(run, "k0", 25_000);
      expect(history.metrics).toHaveLength(7_500);
      expect((await store.getRun(run)).data.metrics?.find((m) => m.key === "k3")).toMatchObject({ step: 29_999, value: 29 });
    });

    it("keeps the latest value by (step, timestamp, value) when points for one key arrive out of order together", async () => {
      const run = (await store.createRun({ experimentId })).info.run_id;
      const points = Array.from({ length: 60 }, (_, i) => ({ step: (i * 37) % 60, value: i }));
      await Promise.all(points.map((p) => store.logMetric(run, { key: "acc", value: p.value, timestamp: 5, step: p.step })));
      // A replayed point is ignored, not an error.
      await Promise.all(points.slice(0, 5).map((p) => store.logMetric(run, { key: "acc", value: p.value, timestamp: 5, step: p.step })));
      const top = points.find((p) => p.step === 59)!;
      expect((await store.getRun(run)).data.metrics?.find((m) => m.key === "acc")).toMatchObject({ step: 59, value: top.value });
      expect((await store.getMetricHistory(run, "acc")).metrics).toHaveLength(60);
    });
  });
}
