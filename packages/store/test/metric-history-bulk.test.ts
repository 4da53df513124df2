import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, METRIC_STEP_INDEX, SchemaInfo, SqlTrackingStore, type Database } from "@mlflow-ts/store";
import { MYSQL_URL, POSTGRES_URL, createTestDatabase, type TestDatabase, type TestDialect } from "../../../test/support/backends.js";

// get-history-bulk-interval samples steps as MLflow does: evenly over the union of the runs' steps
// in range, plus every run's first and last step; then each run's points at those steps. The
// expected answer is computed here from the logged points with MLflow's algorithm, independently
// of the store's queries (which differ per dialect, and with the (run_uuid, key, step) index or
// without it: a database too big to index at start-up).

// MLflow's _get_sampled_steps_from_steps, quirk included: the sampled index is compared with the
// number of steps in range, not with the end index, so a late start loses samples.
function mlflowSample(start: number, end: number, maxResults: number, steps: number[]): Set<number> {
  const startIdx = steps.findIndex((s) => s >= start) === -1 ? steps.length : steps.findIndex((s) => s >= start);
  let endIdx = steps.length;
  while (endIdx > 0 && steps[endIdx - 1]! > end) endIdx -= 1;
  if (endIdx - startIdx <= maxResults) return new Set(steps.slice(startIdx, endIdx));
  const numSteps = endIdx - startIdx;
  const interval = numSteps / maxResults;
  const out = new Set<number>();
  for (let i = 0; i < maxResults; i += 1) {
    const idx = startIdx + Math.trunc(i * interval);
    if (idx < numSteps) out.add(steps[idx]!);
  }
  out.add(steps[endIdx - 1]!);
  return out;
}

const DIALECTS: { dialect: TestDialect; skip: boolean }[] = [
  { dialect: "sqlite", skip: false },
  { dialect: "postgres", skip: !POSTGRES_URL },
  { dialect: "mysql", skip: !MYSQL_URL },
];

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`metric history sampled for charts (${dialect})`, () => {
    let target: TestDatabase;
    let database: Database;
    let store: SqlTrackingStore;
    let unindexed: SqlTrackingStore;
    let dropped: SqlTrackingStore;
    const logged = new Map<string, number[]>();
    beforeAll(async () => {
      target = await createTestDatabase(dialect);
      database = await createDatabase(target.uri);
      store = await SqlTrackingStore.open(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
      const experimentId = await store.createExperiment({ name: "bulk" });
      // Runs with different step sets: dense, sparse and offset, one starting late.
      // Two runs with the same steps (one loop, run twice).
      const dense = Array.from({ length: 300 }, (_, i) => i);
      const shapes = [dense, Array.from({ length: 40 }, (_, i) => i * 7 + 3), Array.from({ length: 120 }, (_, i) => 500 + i * 2), dense];
      for (const steps of shapes) {
        const run = (await store.createRun({ experimentId })).info.run_id;
        logged.set(run, steps);
        await store.logBatch(run, { metrics: steps.map((step) => ({ key: "loss", value: step / 10, timestamp: 1_000 + step, step })) });
        await store.logBatch(run, { metrics: [{ key: "other", value: 1, timestamp: 1, step: 9_999 }] });
      }
      expect(store.schema.metricStepIndex).toBe(METRIC_STEP_INDEX);
      // The store as it serves a database without the index (too big to index at start-up).
      unindexed = new SqlTrackingStore(database, new SchemaInfo(store.schema.revision), { defaultArtifactRoot: "mlflow-artifacts:/" });
      // … and as it serves one whose index another server dropped since start-up.
      dropped = new SqlTrackingStore(database, new SchemaInfo(store.schema.revision, "index_dropped_meanwhile"), { defaultArtifactRoot: "mlflow-artifacts:/" });
    });
    afterAll(async () => {
      await database?.close();
      await target?.drop();
    });

    const expected = (start: number | undefined, end: number | undefined, maxResults: number) => {
      const union = [...new Set([...logged.values()].flat())].sort((a, b) => a - b);
      const from = start ?? 0;
      const to = end ?? union.at(-1)!;
      const chosen = mlflowSample(from, to, maxResults, union);
      for (const steps of logged.values()) for (const edge of [Math.min(...steps), Math.max(...steps)]) if (edge >= from && edge <= to) chosen.add(edge);
      return [...logged].flatMap(([run, steps]) => steps.filter((s) => chosen.has(s)).map((step) => ({ run_id: run, step, value: step / 10 })));
    };

    for (const variant of ["with the index", "without the index", "with the index dropped meanwhile"]) {
      const storeOf = () => (variant === "with the index" ? store : variant === "without the index" ? unindexed : dropped);
      it.each([
        [undefined, undefined, 50],
        [undefined, undefined, 2500],
        [0, 100, 10],
        [200, 600, 25],
      ])(`${variant}: start %s, end %s, max_results %s`, async (start, end, maxResults) => {
        const got = await storeOf().getMetricHistoryBulkInterval([...logged.keys()], "loss", { maxResults, startStep: start, endStep: end });
        expect(got.map((m) => ({ run_id: m.run_id, step: m.step, value: m.value }))).toEqual(expected(start, end, maxResults));
        expect(got.every((m) => m.key === "loss")).toBe(true);
      });

      it(`${variant}: keeps the order the runs were asked in`, async () => {
        const reversed = [...logged.keys()].reverse();
        const got = await storeOf().getMetricHistoryBulkInterval(reversed, "loss", { maxResults: 5 });
        expect([...new Set(got.map((m) => m.run_id))]).toEqual(reversed);
      });

      it(`${variant}: answers nothing for runs without the metric`, async () => {
        expect(await storeOf().getMetricHistoryBulkInterval([...logged.keys()], "absent", { maxResults: 10 })).toEqual([]);
      });
    }
  });
}
