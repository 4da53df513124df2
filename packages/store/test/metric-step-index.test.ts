import { afterEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { createDatabase, ensureMetricStepIndex, METRIC_STEP_INDEX, MLFLOW_METRIC_STEP_INDEX, prepareSchema, upgradeSchema, type Database } from "@mlflow-ts/store";
import { DIALECTS, createTestDatabase, type TestDatabase } from "../../../test/support/backends.js";

// The index charts read through, metrics (run_uuid, key, step): made with new databases, added to
// small ones at start-up and to any by `mlflow db upgrade`, and given up for MLflow's own copy
// (revision a5b4c3d2e1f0) once that exists — MLflow's migration creates it under its name without
// IF NOT EXISTS, so this server's copy has a name of its own.

async function indexes(database: Database): Promise<string[]> {
  const rows =
    database.dialect === "sqlite"
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'metrics'`.execute(database.db)
      : database.dialect === "postgres"
        ? await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'metrics'`.execute(database.db)
        : await sql<{ name: string }>`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = 'metrics'`.execute(database.db);
  return rows.rows.map((r) => r.name).filter((n) => n === METRIC_STEP_INDEX || n === MLFLOW_METRIC_STEP_INDEX).sort();
}

const dropOurs = (database: Database) => sql.raw(database.dialect === "mysql" ? `DROP INDEX ${METRIC_STEP_INDEX} ON metrics` : `DROP INDEX ${METRIC_STEP_INDEX}`).execute(database.db);

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`the metric step index (${dialect})`, () => {
    let target: TestDatabase | undefined;
    let database: Database | undefined;
    afterEach(async () => {
      await database?.close();
      await target?.drop();
    });
    const open = async () => {
      target = await createTestDatabase(dialect);
      database = await createDatabase(target.uri);
      return database;
    };

    it("comes with a new database and is what the schema names", async () => {
      const db = await open();
      const schema = await prepareSchema(db, { create: true, defaultArtifactRoot: "mlflow-artifacts:/" });
      expect(schema.metricStepIndex).toBe(METRIC_STEP_INDEX);
      expect(await indexes(db)).toEqual([METRIC_STEP_INDEX]);
    });

    it("is given up for MLflow's own copy once MLflow's upgrade made it", async () => {
      const db = await open();
      await prepareSchema(db, { create: true, defaultArtifactRoot: "mlflow-artifacts:/" });
      // What MLflow's migration a5b4c3d2e1f0 does: succeeds beside this server's copy …
      await sql.raw(`CREATE INDEX ${MLFLOW_METRIC_STEP_INDEX} ON metrics (run_uuid, ${dialect === "mysql" ? "`key`" : '"key"'}, step)`).execute(db.db);
      // … and at its next start the server drops its own.
      const schema = await prepareSchema(db, { create: true, defaultArtifactRoot: "mlflow-artifacts:/" });
      expect(schema.metricStepIndex).toBe(MLFLOW_METRIC_STEP_INDEX);
      expect(await indexes(db)).toEqual([MLFLOW_METRIC_STEP_INDEX]);
    });

    it("is left to 'mlflow db upgrade' on a table bigger than the start-up limit", async () => {
      const db = await open();
      await prepareSchema(db, { create: true, defaultArtifactRoot: "mlflow-artifacts:/" });
      await dropOurs(db);
      const experimentId = 0;
      await db.db.insertInto("runs").values({ run_uuid: "r".repeat(32), name: "r", experiment_id: experimentId, user_id: "u", status: "FINISHED", start_time: 1, end_time: 2, lifecycle_stage: "active", artifact_uri: "x" }).execute();
      await db.db
        .insertInto("metrics")
        .values(Array.from({ length: 5 }, (_, step) => ({ run_uuid: "r".repeat(32), key: "m", value: step, timestamp: step, step, is_nan: dialect === "postgres" ? false : 0 })))
        .execute();
      expect(await ensureMetricStepIndex(db.db, db.dialect, { maxRows: 4 })).toEqual({ name: undefined, created: false, tooManyRows: 5 });
      expect(await indexes(db)).toEqual([]);
      // A worker only looks.
      expect(await ensureMetricStepIndex(db.db, db.dialect, { create: false })).toEqual({ name: undefined, created: false });
      const upgraded = await upgradeSchema(db, { defaultArtifactRoot: "mlflow-artifacts:/" });
      expect(upgraded.applied).toEqual([]);
      expect(upgraded.metricStepIndex).toEqual({ name: METRIC_STEP_INDEX, created: true });
      expect(await indexes(db)).toEqual([METRIC_STEP_INDEX]);
      // Again: nothing to do.
      expect((await upgradeSchema(db, { defaultArtifactRoot: "mlflow-artifacts:/" })).metricStepIndex).toEqual({ name: METRIC_STEP_INDEX, created: false });
    });
  });
}
