import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, SqlTrackingStore, type Database } from "@mlflow-ts/store";

// On SQLite, writes that arrive together share one transaction (group commit). Each must keep its
// own outcome exactly: a failing write changes nothing and fails alone; a failed commit fails all;
// nothing is acknowledged before it is stored.

describe("SQLite group commit", () => {
  let dir: string;
  let file: string;
  let database: Database;
  let store: SqlTrackingStore;
  let experimentId: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-group-"));
    file = path.join(dir, "mlflow.db");
    database = await createDatabase(`sqlite:///${file}`, { busyTimeoutMs: 200 });
    store = await SqlTrackingStore.open(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
    experimentId = await store.createExperiment({ name: "group" });
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gives every write of a group its own success or failure, and a failed write leaves nothing", async () => {
    const run = (await store.createRun({ experimentId })).info.run_id;
    await store.logParam(run, { key: "lr", value: "0.1" });
    const writes = [
      ...Array.from({ length: 40 }, (_, i) => store.logMetric(run, { key: "m", value: i, timestamp: 1000 + i, step: i })),
      // Fails: a param may not change. Its metric, written first in the same call, must not stay.
      store.logBatch(run, { metrics: [{ key: "orphan", value: 1, timestamp: 1, step: 0 }], params: [{ key: "lr", value: "0.2" }] }),
      // Fails: no such run.
      store.logMetric("f".repeat(32), { key: "m", value: 1, timestamp: 1, step: 0 }),
      ...Array.from({ length: 40 }, (_, i) => store.setTag(run, { key: `t${i}`, value: String(i) })),
    ];
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(80);
    expect(outcomes[40]).toMatchObject({ status: "rejected", reason: { code: "INVALID_PARAMETER_VALUE" } });
    expect(outcomes[41]).toMatchObject({ status: "rejected", reason: { code: "RESOURCE_DOES_NOT_EXIST" } });
    const stored = await store.getRun(run);
    expect(stored.data.metrics?.map((m) => m.key)).toEqual(["m"]);
    expect(stored.data.metrics?.[0]).toMatchObject({ value: 39, step: 39 });
    expect(stored.data.params).toEqual([{ key: "lr", value: "0.1" }]);
    expect(stored.data.tags?.filter((t) => t.key.startsWith("t"))).toHaveLength(40);
    expect((await store.getMetricHistory(run, "m")).metrics).toHaveLength(40);
  });

  it("fails every write of the group when the transaction cannot be had, and stores none of them", async () => {
    const run = (await store.createRun({ experimentId })).info.run_id;
    // Another process holds the write lock past the busy timeout.
    const other = new SQLite(file);
    other.exec("begin immediate");
    let outcomes: PromiseSettledResult<void>[];
    try {
      outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.logMetric(run, { key: "locked", value: i, timestamp: 1, step: i })));
    } finally {
      other.exec("rollback");
      other.close();
    }
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    expect((await store.getMetricHistory(run, "locked")).metrics ?? []).toHaveLength(0);
    // The connection is usable again afterwards.
    await store.logMetric(run, { key: "after", value: 1, timestamp: 1, step: 0 });
    expect((await store.getRun(run)).data.metrics?.map((m) => m.key)).toEqual(["after"]);
  });
});
