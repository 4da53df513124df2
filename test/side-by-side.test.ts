import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "@mlflow-ts/client";
import { NEWEST, createDatabase, upgradeSchema, type Database } from "@mlflow-ts/store";
import { DIALECTS, createTestDatabase, type TestDatabase, type TestDialect } from "./support/backends.js";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { freePort } from "./support/free-port.js";

// Issue 10, item 5: a database laid out as MLflow made it (a schema fixture of MLflow's DDL at two
// revisions, and rows as MLflow writes them) is served in place: read, written, its revision left
// alone; written rows are what MLflow's own server reads. Where Python MLflow is available
// (MLFLOW_TS_TEST_PYTHON_MLFLOW, e.g. "python3 -m mlflow"), MLflow's server reads the same database.

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/mlflow-schema");
const PYTHON_MLFLOW = process.env.MLFLOW_TS_TEST_PYTHON_MLFLOW;
if (!PYTHON_MLFLOW) console.warn("Side-by-side with MLflow's own server skipped: MLFLOW_TS_TEST_PYTHON_MLFLOW is not set (a command such as 'python3 -m mlflow')");

const RUN = "0123456789abcdef0123456789abcdef";
const DELETED = "fedcba9876543210fedcba9876543210";

/** Rows as MLflow 2.x writes them: experiment 0, an experiment with tags, runs, a NaN and an infinite metric, a model with versions. */
function seedRows(revision: string): string[] {
  const b = (v: boolean) => (v ? "'1'" : "'0'");
  return [
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 1700000000000, 1700000000000)`,
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (7, 'made-by-mlflow', 'mlflow-artifacts:/7', 'active', 1700000000001, 1700000000001)`,
    `INSERT INTO experiment_tags ("key", value, experiment_id) VALUES ('team', 'vision', 7)`,
    `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES ('${RUN}', 'old-run', 'UNKNOWN', '', '', 'alice', 'FINISHED', 1700000000100, 1700000000200, '', 'active', 'mlflow-artifacts:/7/${RUN}/artifacts', 7, NULL)`,
    `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES ('${DELETED}', 'gone', 'UNKNOWN', '', '', 'alice', 'FAILED', 1700000000100, NULL, '', 'deleted', 'mlflow-artifacts:/7/${DELETED}/artifacts', 7, 1700000000300)`,
    `INSERT INTO params ("key", value, run_uuid) VALUES ('lr', '0.1', '${RUN}')`,
    `INSERT INTO tags ("key", value, run_uuid) VALUES ('mlflow.runName', 'old-run', '${RUN}')`,
    `INSERT INTO tags ("key", value, run_uuid) VALUES ('mlflow.user', 'alice', '${RUN}')`,
    `INSERT INTO metrics ("key", value, "timestamp", run_uuid, step, is_nan) VALUES ('loss', 0.5, 1700000000110, '${RUN}', 0, ${b(false)})`,
    `INSERT INTO metrics ("key", value, "timestamp", run_uuid, step, is_nan) VALUES ('loss', 0.25, 1700000000120, '${RUN}', 1, ${b(false)})`,
    `INSERT INTO metrics ("key", value, "timestamp", run_uuid, step, is_nan) VALUES ('odd', 0, 1700000000110, '${RUN}', 0, ${b(true)})`,
    `INSERT INTO metrics ("key", value, "timestamp", run_uuid, step, is_nan) VALUES ('big', 1.7976931348623157e308, 1700000000110, '${RUN}', 0, ${b(false)})`,
    `INSERT INTO latest_metrics ("key", value, "timestamp", step, is_nan, run_uuid) VALUES ('loss', 0.25, 1700000000120, 1, ${b(false)}, '${RUN}')`,
    `INSERT INTO latest_metrics ("key", value, "timestamp", step, is_nan, run_uuid) VALUES ('odd', 0, 1700000000110, 0, ${b(true)}, '${RUN}')`,
    `INSERT INTO latest_metrics ("key", value, "timestamp", step, is_nan, run_uuid) VALUES ('big', 1.7976931348623157e308, 1700000000110, 0, ${b(false)}, '${RUN}')`,
    `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile) VALUES ('d0000000000000000000000000000001', 7, 'iris', 'abc123', 'local', '{"uri": "/data/iris.csv"}', NULL, NULL)`,
    `INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id) VALUES ('i0000000000000000000000000000001', 'DATASET', 'd0000000000000000000000000000001', 'RUN', '${RUN}')`,
    `INSERT INTO input_tags (input_uuid, name, value) VALUES ('i0000000000000000000000000000001', 'mlflow.data.context', 'training')`,
    `INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES ('churn', 1700000000400, 1700000000500, '')`,
    `INSERT INTO registered_model_tags ("key", value, name) VALUES ('owner', 'ml-team', 'churn')`,
    `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location)
       VALUES ('churn', 1, 1700000000400, 1700000000400, '', NULL, 'Production', 'runs:/${RUN}/model', '${RUN}', 'READY', NULL, '', 'runs:/${RUN}/model')`,
    `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location)
       VALUES ('churn', 2, 1700000000450, 1700000000450, NULL, NULL, 'Deleted_Internal', 'REDACTED-SOURCE-PATH', 'REDACTED-RUN-ID', 'READY', NULL, 'REDACTED-RUN-LINK', NULL)`,
    `INSERT INTO model_version_tags ("key", value, name, version) VALUES ('validated', 'yes', 'churn', 1)`,
    `INSERT INTO registered_model_aliases (alias, version, name) VALUES ('champion', 1, 'churn')`,
    ...(revision === "f5a4f2784254" ? [`INSERT INTO tags ("key", value, run_uuid) VALUES ('long', '${"x".repeat(7000)}', '${RUN}')`] : []),
  ];
}

async function run(db: Database, statement: string): Promise<void> {
  const text = db.dialect === "mysql" ? statement.replace(/"(\w+)"/g, "`$1`") : statement;
  await sql.raw(text).execute(db.db);
}

/** Loads a fixture file: its statements, one by one (comments dropped). */
async function loadFixture(db: Database, file: string): Promise<void> {
  const text = fs.readFileSync(file, "utf8").replace(/^--.*$/gm, "");
  for (const statement of text.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await sql.raw(statement).execute(db.db);
}

async function revisionOf(db: Database): Promise<string> {
  return (await sql<{ version_num: string }>`select version_num from alembic_version`.execute(db.db)).rows[0]!.version_num;
}

/** MLflow's own server on the same database (a process group: gunicorn), stopped by group. */
async function startPythonMlflow(uri: string, dialect: TestDialect, cwd: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const sqlalchemyUri = dialect === "mysql" ? uri.replace(/^mysql:/, "mysql+pymysql:") : uri;
  const [command, ...args] = PYTHON_MLFLOW!.split(" ");
  const child = spawn(command!, [...args, "server", "--backend-store-uri", sqlalchemyUri, "--host", "127.0.0.1", "--port", String(port), "--workers", "1"], {
    cwd,
    detached: true,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i += 1) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { url, stop: () => process.kill(-child.pid!, "SIGTERM") };
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid!, "SIGKILL");
  throw new Error("MLflow's server did not start");
}

for (const { dialect, skip } of DIALECTS) {
  for (const revision of ["acf3f17fdcc7", "f5a4f2784254"]) {
    describe.skipIf(skip)(`a database MLflow made (${dialect}, revision ${revision}) is served in place`, () => {
      let target: TestDatabase;
      let db: Database;
      let server: SpawnedServer;
      let client: MlflowClient;
      beforeAll(async () => {
        target = await createTestDatabase(dialect);
        db = await createDatabase(target.uri);
        await loadFixture(db, path.join(FIXTURES, `${revision}.${dialect}.sql`));
        for (const statement of seedRows(revision)) await run(db, statement);
        server = await spawnServer(["--backend-store-uri", target.uri], { cwd: target.dir });
        client = new MlflowClient(server.url);
      }, 60_000);
      afterAll(async () => {
        await server?.stop();
        await db?.close();
        await target?.drop();
      });

      it("reads experiments, runs, metrics, params, tags, datasets and the registry as MLflow wrote them", async () => {
        const experiment = await client.getExperimentByName("made-by-mlflow");
        expect(experiment).toMatchObject({ experiment_id: "7", artifact_location: "mlflow-artifacts:/7", tags: [{ key: "team", value: "vision" }] });
        const run = await client.getRun(RUN);
        expect(run.info).toMatchObject({ run_name: "old-run", status: "FINISHED", user_id: "alice", start_time: 1700000000100, end_time: 1700000000200 });
        expect(Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]))).toEqual({ loss: 0.25, odd: "NaN", big: Number.MAX_VALUE });
        expect(run.data.params).toEqual([{ key: "lr", value: "0.1" }]);
        expect(run.inputs.dataset_inputs?.[0]).toMatchObject({ dataset: { name: "iris", digest: "abc123", source_type: "local" }, tags: [{ key: "mlflow.data.context", value: "training" }] });
        expect((await client.getMetricHistory(RUN, "loss")).metrics.map((m) => m.value)).toEqual([0.5, 0.25]);
        const found = await client.searchRuns(["7"], { filter: "metrics.loss < 0.3 and params.lr = '0.1'" });
        expect(found.runs.map((r) => r.info.run_id)).toEqual([RUN]);
        expect((await client.searchRuns(["7"], { runViewType: "DELETED_ONLY" })).runs.map((r) => r.info.run_id)).toEqual([DELETED]);
        const model = await client.registry.getRegisteredModel("churn");
        expect(model.latest_versions?.map((v) => [v.version, v.current_stage])).toEqual([["1", "Production"]]);
        expect(model.aliases).toEqual([{ alias: "champion", version: "1" }]);
        const version = await client.registry.getModelVersionByAlias("churn", "champion");
        expect(version).toMatchObject({ version: "1", source: `runs:/${RUN}/model`, tags: [{ key: "validated", value: "yes" }] });
        await expect(client.registry.getModelVersion("churn", "2")).rejects.toMatchObject({ status: 404 });
      });

      it("writes rows MLflow's way and leaves the revision alone", async () => {
        const id = await client.createExperiment("made-by-mlflow-ts");
        const newRun = (await client.createRun(id, { runName: "new-run" })).info.run_id;
        await client.logBatch(newRun, {
          metrics: [
            { key: "acc", value: 0.9, timestamp: 1, step: 1 },
            { key: "acc", value: "NaN", timestamp: 2, step: 0 },
            { key: "inf", value: "Infinity", timestamp: 1, step: 0 },
          ],
          params: [{ key: "depth", value: "5" }],
          tags: [{ key: "note", value: "from mlflow-ts" }],
        });
        await client.registry.createModelVersion("churn", `runs:/${newRun}/model`, { runId: newRun });
        await client.registry.setRegisteredModelAlias("churn", "challenger", "3");
        await client.registry.deleteModelVersion("churn", "3");
        expect(await revisionOf(db)).toBe(revision);
        const q = (text: string) => sql.raw(db.dialect === "mysql" ? text.replace(/"(\w+)"/g, "`$1`") : text).execute(db.db);
        const runRow = (await q(`select source_type, source_name, status, lifecycle_stage, artifact_uri, experiment_id from runs where run_uuid = '${newRun}'`)).rows[0];
        expect(runRow).toMatchObject({ source_type: "UNKNOWN", source_name: "", status: "RUNNING", lifecycle_stage: "active", artifact_uri: `mlflow-artifacts:/${id}/${newRun}/artifacts` });
        const latest = (await q(`select "key", value, step, is_nan from latest_metrics where run_uuid = '${newRun}' order by "key"`)).rows as { key: string; value: number; step: number; is_nan: unknown }[];
        expect(latest.map((r) => [r.key, Number(r.value), Number(r.step), Boolean(Number(r.is_nan) || r.is_nan === true)])).toEqual([
          ["acc", 0.9, 1, false],
          ["inf", Number.MAX_VALUE, 0, false],
        ]);
        const nan = (await q(`select value, is_nan from metrics where run_uuid = '${newRun}' and step = 0 and "key" = 'acc'`)).rows[0] as { value: number; is_nan: unknown };
        expect([Number(nan.value), nan.is_nan === true || Number(nan.is_nan) === 1]).toEqual([0, true]);
        const deleted = (await q(`select current_stage, source, run_id, run_link from model_versions where name = 'churn' and version = 3`)).rows[0];
        expect(deleted).toEqual({ current_stage: "Deleted_Internal", source: "REDACTED-SOURCE-PATH", run_id: "REDACTED-RUN-ID", run_link: "REDACTED-RUN-LINK" });
        expect((await q(`select count(*) as n from registered_model_aliases where name = 'churn'`)).rows[0]).toMatchObject({ n: expect.anything() });
      });

      it("answers what this revision lacks with the revision it needs", async () => {
        const answer = await fetch(`${server.url}/api/2.0/mlflow/logged-models`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ experiment_id: "7" }),
        });
        expect(answer.status).toBe(501);
        expect(((await answer.json()) as { message: string }).message).toMatch(/revision 400f98739977 \(MLflow 3\.0.*mlflow db upgrade/);
      });

      it.skipIf(!PYTHON_MLFLOW || revision !== "acf3f17fdcc7")("is read by MLflow's own server, which sees what mlflow-ts wrote", async () => {
        const python = await startPythonMlflow(target.uri, dialect, target.dir);
        try {
          const theirs = new MlflowClient(python.url);
          const ours = await client.searchRuns([(await client.getExperimentByName("made-by-mlflow-ts")).experiment_id]);
          const mine = await theirs.getRun(ours.runs[0]!.info.run_id);
          expect(mine.info.run_name).toBe("new-run");
          expect(Object.fromEntries((mine.data.metrics ?? []).map((m) => [m.key, m.value]))).toEqual({ acc: 0.9, inf: Number.MAX_VALUE });
          expect((await theirs.registry.getRegisteredModel("churn")).latest_versions?.map((v) => v.version)).toEqual(["1"]);
          // And what MLflow's server writes, mlflow-ts reads.
          const theirRun = (await theirs.createRun("7", { runName: "by-python" })).info.run_id;
          await theirs.logMetric(theirRun, "m", 3, { step: 2 });
          expect((await client.getRun(theirRun)).data.metrics?.[0]).toMatchObject({ key: "m", value: 3, step: 2 });
        } finally {
          python.stop();
        }
      }, 120_000);

      it("is brought to the newest revision by mlflow db upgrade, data intact", async () => {
        await server.stop();
        const { from, to } = await upgradeSchema(db, { defaultArtifactRoot: "mlflow-artifacts:/" });
        expect([from, to]).toEqual([revision, NEWEST]);
        server = await spawnServer(["--backend-store-uri", target.uri], { cwd: target.dir });
        client = new MlflowClient(server.url);
        expect((await client.getRun(RUN)).info.run_name).toBe("old-run");
        const model = await client.createLoggedModel("7", { name: "now-possible" });
        expect(model.info.artifact_uri).toBe(`mlflow-artifacts:/7/models/${model.info.model_id}/artifacts`);
      });
    });
  }
}
