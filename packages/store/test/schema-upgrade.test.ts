import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEWEST, UPGRADE_STEPS, createDatabase, upgradeSchema, type Database } from "@mlflow-ts/store";
import { DIALECTS, createTestDatabase, type TestDatabase } from "../../../test/support/backends.js";
import { describeTables } from "../../../test/support/describe-schema.js";

// The three ways a database reaches NEWEST — created empty, upgraded from MLflow 2.8–2.12
// (acf3f17fdcc7, MLflow's DDL in a fixture) and upgraded from bda7b8c39065 (where new databases
// were made before MLflow 3.2–3.5's tables) — give the same tables, and those tables are the ones
// MLflow 3.5.0 has (shared/spec mlflow-sql-schema.md §3), with their keys, cascades and computed column.

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/fixtures/mlflow-schema");
const OPTIONS = { defaultArtifactRoot: "mlflow-artifacts:/", now: 1700000000000 };

const NEW_TABLES = [
  "assessments",
  "spans",
  "entity_associations",
  "webhooks",
  "webhook_events",
  "scorers",
  "scorer_versions",
  "evaluation_datasets",
  "evaluation_dataset_tags",
  "evaluation_dataset_records",
  "jobs",
];
const OLD_TABLES = ["experiments", "runs", "metrics", "model_version_tags", "datasets", "inputs", "trace_info", "trace_tags", "trace_request_metadata", "logged_models"];
const NEW_STEPS = UPGRADE_STEPS.map((s) => s.revision).slice(UPGRADE_STEPS.findIndex((s) => s.revision === "bda7b8c39065") + 1);

/** MLflow's indexes on the new tables, by name (spec §3.3–3.6). */
const MLFLOW_INDEXES: Record<string, string[]> = {
  assessments: ["index_assessments_trace_id_created_timestamp", "index_assessments_run_id_created_timestamp", "index_assessments_last_updated_timestamp", "index_assessments_assessment_type"],
  spans: ["index_spans_experiment_id", "index_spans_experiment_id_status_type", "index_spans_experiment_id_type_status", "index_spans_experiment_id_duration"],
  entity_associations: ["index_entity_associations_association_id", "index_entity_associations_reverse_lookup"],
  webhooks: ["idx_webhooks_status", "idx_webhooks_name"],
  webhook_events: ["idx_webhook_events_entity", "idx_webhook_events_action", "idx_webhook_events_entity_action"],
  scorers: ["index_scorers_experiment_id_scorer_name"],
  scorer_versions: ["index_scorer_versions_scorer_id"],
  evaluation_datasets: ["index_evaluation_datasets_name", "index_evaluation_datasets_created_time"],
  evaluation_dataset_tags: ["index_evaluation_dataset_tags_dataset_id"],
  evaluation_dataset_records: ["index_evaluation_dataset_records_dataset_id", "unique_dataset_input"],
  jobs: ["index_jobs_function_status_creation_time"],
};

async function loadFixture(db: Database, file: string): Promise<void> {
  const text = fs.readFileSync(file, "utf8").replace(/^--.*$/gm, "");
  for (const statement of text.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await sql.raw(statement).execute(db.db);
}

async function revisionOf(db: Database): Promise<string> {
  return (await sql<{ version_num: string }>`select version_num from alembic_version`.execute(db.db)).rows[0]!.version_num;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`the schema at ${NEWEST} (${dialect})`, () => {
    const targets: TestDatabase[] = [];
    const dbs: Database[] = [];
    let fresh: Database;
    let fromOldest: Database;
    let fromBda: Database;
    const applied: Record<string, readonly string[]> = {};
    const open = async () => {
      const target = await createTestDatabase(dialect);
      targets.push(target);
      const db = await createDatabase(target.uri);
      dbs.push(db);
      return db;
    };
    beforeAll(async () => {
      fresh = await open();
      applied.fresh = (await upgradeSchema(fresh, OPTIONS)).applied;
      fromOldest = await open();
      await loadFixture(fromOldest, path.join(FIXTURES, `acf3f17fdcc7.${dialect}.sql`));
      applied.fromOldest = (await upgradeSchema(fromOldest, OPTIONS)).applied;
      // A database mlflow-ts created before NEWEST moved on: MLflow 2.12's DDL and the steps to bda7b8c39065.
      fromBda = await open();
      await loadFixture(fromBda, path.join(FIXTURES, `acf3f17fdcc7.${dialect}.sql`));
      for (const step of UPGRADE_STEPS.slice(0, UPGRADE_STEPS.findIndex((s) => s.revision === "bda7b8c39065") + 1)) await step.up(fromBda.db, dialect);
      await sql`update alembic_version set version_num = 'bda7b8c39065'`.execute(fromBda.db);
      applied.fromBda = (await upgradeSchema(fromBda, OPTIONS)).applied;
    }, 120_000);
    afterAll(async () => {
      for (const db of dbs) await db.close();
      for (const target of targets) await target.drop();
    });

    it("is reached by every path, one MLflow step at a time", async () => {
      expect(NEW_STEPS).toEqual(["cbc13b556ace", "770bee3ae1dd", "a1b2c3d4e5f6", "de4033877273", "1a0cddfcaa16", "534353b11cbc", "71994744cf8e", "3da73c924c2f", "bf29a5ff90ea"]);
      expect(NEWEST).toBe("bf29a5ff90ea");
      for (const db of [fresh, fromOldest, fromBda]) expect(await revisionOf(db)).toBe(NEWEST);
      expect(applied.fromBda).toEqual(NEW_STEPS);
      expect(applied.fromOldest!.slice(-NEW_STEPS.length)).toEqual(NEW_STEPS);
      expect((await upgradeSchema(fresh, OPTIONS)).applied).toEqual([]);
    });

    it("has the same tables whichever path it took", async () => {
      const tables = [...NEW_TABLES, ...OLD_TABLES];
      const want = await describeTables(fresh, tables);
      expect(await describeTables(fromOldest, tables)).toEqual(want);
      expect(await describeTables(fromBda, tables)).toEqual(want);
    });

    it("has MLflow 3.5.0's columns and indexes, and none a later release adds", async () => {
      const facts = await describeTables(fresh, [...NEW_TABLES, "trace_info"]);
      for (const [table, names] of Object.entries(MLFLOW_INDEXES)) {
        const got = facts[table]!.indexes.map((i) => i.replace(/^unique /, "").replace(/\(.*$/, ""));
        // SQLite backs a unique constraint with an automatic index of its own name.
        const want = dialect === "sqlite" ? names.filter((n) => n !== "unique_dataset_input") : names;
        expect(got, table).toEqual(expect.arrayContaining(want));
      }
      expect(facts.evaluation_dataset_records!.indexes).toContain(`unique ${dialect === "sqlite" ? "(auto)" : "unique_dataset_input"}(dataset_id, input_hash)`);
      expect(facts.scorers!.indexes).toContain("unique index_scorers_experiment_id_scorer_name(experiment_id, scorer_name)");
      const columns = (table: string) => facts[table]!.columns.map((c) => c.name);
      expect(columns("jobs").sort()).toEqual(["creation_time", "function_fullname", "id", "last_update_time", "params", "result", "retry_count", "status", "timeout"]);
      expect(columns("spans")).not.toContain("dimension_attributes");
      expect(columns("evaluation_datasets")).not.toContain("workspace");
      expect(columns("webhooks")).not.toContain("workspace");
      expect(columns("evaluation_dataset_records")).toContain("outputs");
      expect(columns("trace_info")).toEqual(expect.arrayContaining(["client_request_id", "request_preview", "response_preview"]));
      const column = (table: string, name: string) => facts[table]!.columns.find((c) => c.name === name)!;
      expect(column("spans", "duration_ns").generated).toMatch(/end_time_unix_nano.*-.*start_time_unix_nano/);
      expect(column("trace_info", "client_request_id")).toMatchObject({ notNull: false });
      expect(column("assessments", "valid")).toMatchObject({ notNull: true });
      expect(column("webhooks", "status").default).toMatch(/ACTIVE/);
      const type = (table: string, name: string) => column(table, name).type.toLowerCase();
      if (dialect === "mysql") {
        expect(type("spans", "content")).toBe("longtext");
        expect(type("jobs", "timeout")).toBe("double");
        // MariaDB keeps JSON as LONGTEXT with a json_valid CHECK; MySQL 8 has a JSON type.
        expect(type("evaluation_dataset_records", "inputs")).toMatch(/^(json|longtext)$/);
      } else if (dialect === "postgres") {
        expect(type("evaluation_dataset_records", "outputs")).toBe("json");
        expect(type("jobs", "timeout")).toBe("double precision");
        expect(type("assessments", "valid")).toBe("boolean");
      } else {
        expect(type("evaluation_dataset_records", "outputs")).toBe("json");
        expect(type("spans", "duration_ns")).toBe("bigint");
      }
    });

    it("computes span durations, and deleting a trace deletes its spans, assessments and tags", async () => {
      const db = fresh.db;
      const q = (text: string) => sql.raw<Record<string, unknown>>(dialect === "mysql" ? text.replace(/"(\w+)"/g, "`$1`") : text).execute(db);
      await q(`INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, request_preview, response_preview) VALUES ('tr-1', 0, 1, 5, 'OK', 'c-1', '{"q": 1}', '{"a": 2}')`);
      await q(`INSERT INTO trace_tags ("key", value, request_id) VALUES ('t', 'v', 'tr-1')`);
      await q(`INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content) VALUES ('tr-1', 0, 's-1', NULL, 'root', 'CHAIN', 'OK', 1000, 4500, '{}')`);
      await q(`INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, created_timestamp, last_updated_timestamp, source_type, valid) VALUES ('a-1', 'tr-1', 'ok', 'feedback', 'true', 1, 1, 'HUMAN', ${dialect === "postgres" ? "true" : "1"})`);
      expect(Number((await q(`SELECT duration_ns FROM spans WHERE span_id = 's-1'`)).rows[0]!.duration_ns)).toBe(3500);
      await expect(q(`INSERT INTO spans (trace_id, experiment_id, span_id, status, start_time_unix_nano, end_time_unix_nano, duration_ns, content) VALUES ('tr-1', 0, 's-2', 'OK', 1, 2, 7, '{}')`)).rejects.toThrow();
      await q(`DELETE FROM trace_info WHERE request_id = 'tr-1'`);
      for (const table of ["spans", "assessments", "trace_tags"]) {
        expect(Number((await q(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n), table).toBe(0);
      }
    });

    it("keeps JSON records, and cascades evaluation datasets, webhooks and scorers", async () => {
      const db = fresh.db;
      const q = (text: string) => sql.raw<Record<string, unknown>>(dialect === "mysql" ? text.replace(/"(\w+)"/g, "`$1`") : text).execute(db);
      await q(`INSERT INTO evaluation_datasets (dataset_id, name) VALUES ('d-1', 'golden')`);
      const inputs = JSON.stringify({ question: "why" });
      const outputs = JSON.stringify({ answer: 42 });
      await sql`INSERT INTO evaluation_dataset_records (dataset_record_id, dataset_id, inputs, outputs, input_hash) VALUES ('r-1', 'd-1', ${inputs}, ${outputs}, 'h1')`.execute(db);
      await expect(q(`INSERT INTO evaluation_dataset_records (dataset_record_id, dataset_id, inputs, input_hash) VALUES ('r-2', 'd-1', '{}', 'h1')`)).rejects.toThrow();
      const record = (await q(`SELECT inputs, outputs FROM evaluation_dataset_records WHERE dataset_record_id = 'r-1'`)).rows[0] as { inputs: unknown; outputs: unknown };
      const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
      expect([parse(record.inputs), parse(record.outputs)]).toEqual([{ question: "why" }, { answer: 42 }]);
      await q(`INSERT INTO scorers (experiment_id, scorer_name, scorer_id) VALUES (0, 'relevance', 'sc-1')`);
      await expect(q(`INSERT INTO scorers (experiment_id, scorer_name, scorer_id) VALUES (0, 'relevance', 'sc-2')`)).rejects.toThrow();
      await q(`INSERT INTO scorer_versions (scorer_id, scorer_version, serialized_scorer) VALUES ('sc-1', 1, '{}')`);
      await q(`INSERT INTO webhooks (webhook_id, name, url) VALUES ('w-1', 'hook', 'https://example.com/hook')`);
      await q(`INSERT INTO webhook_events (webhook_id, entity, action) VALUES ('w-1', 'model_version', 'created')`);
      expect((await q(`SELECT status FROM webhooks WHERE webhook_id = 'w-1'`)).rows[0]).toEqual({ status: "ACTIVE" });
      await q(`DELETE FROM evaluation_datasets WHERE dataset_id = 'd-1'`);
      await q(`DELETE FROM scorers WHERE scorer_id = 'sc-1'`);
      await q(`DELETE FROM webhooks WHERE webhook_id = 'w-1'`);
      for (const table of ["evaluation_dataset_records", "scorer_versions", "webhook_events"]) {
        expect(Number((await q(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n), table).toBe(0);
      }
    });
  });
}
