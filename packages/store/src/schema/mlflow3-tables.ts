import type { ForeignKeyDef, TableDef } from "./ddl.js";
import { BIGINT, BOOLEAN_UNCHECKED, DOUBLE, INTEGER, JSON_TYPE, TEXT, col, varchar } from "./column-types.js";

// The tables and columns MLflow 3.2.0 – 3.5.0 add (revisions cbc13b556ace … bf29a5ff90ea), each
// as it is at bf29a5ff90ea (shared/spec mlflow-sql-schema.md §3.3–3.6 and MLflow's schema dumps):
// columns later revisions add (workspace 3.10, spans.dimension_attributes 3.10, jobs.status_details
// 3.11) and the 3.9 rename of jobs.function_fullname are not here — they belong to revisions this
// server does not create.

const experimentFk = (table: string, onDelete?: "CASCADE"): ForeignKeyDef => ({
  name: `fk_${table}_experiment_id`,
  columns: ["experiment_id"],
  table: "experiments",
  references: ["experiment_id"],
  ...(onDelete ? { onDelete } : {}),
});

// Spans and assessments go with their trace: deleting a trace_info row cascades on every dialect
// (SQLite only with PRAGMA foreign_keys = ON, which createDatabase sets, as MLflow does).
const traceFk = (table: string): ForeignKeyDef => ({
  name: `fk_${table}_trace_id`,
  columns: ["trace_id"],
  table: "trace_info",
  references: ["request_id"],
  onDelete: "CASCADE",
});

const assessments: TableDef = {
  name: "assessments",
  columns: [
    col("assessment_id", varchar(50), true),
    col("trace_id", varchar(50), true),
    col("name", varchar(250), true),
    col("assessment_type", varchar(20), true),
    col("value", TEXT, true),
    col("error", TEXT),
    col("created_timestamp", BIGINT, true),
    col("last_updated_timestamp", BIGINT, true),
    col("source_type", varchar(50), true),
    col("source_id", varchar(250)),
    col("run_id", varchar(32)),
    col("span_id", varchar(50)),
    col("rationale", TEXT),
    col("overrides", varchar(50)),
    col("valid", BOOLEAN_UNCHECKED, true),
    col("assessment_metadata", TEXT),
  ],
  primaryKey: { name: "assessments_pk", columns: ["assessment_id"] },
  foreignKeys: [traceFk("assessments")],
  indexes: [
    { name: "index_assessments_trace_id_created_timestamp", columns: ["trace_id", "created_timestamp"] },
    { name: "index_assessments_run_id_created_timestamp", columns: ["run_id", "created_timestamp"] },
    { name: "index_assessments_last_updated_timestamp", columns: ["last_updated_timestamp"] },
    { name: "index_assessments_assessment_type", columns: ["assessment_type"] },
  ],
};

const spans: TableDef = {
  name: "spans",
  columns: [
    col("trace_id", varchar(50), true),
    col("experiment_id", INTEGER, true),
    col("span_id", varchar(50), true),
    col("parent_span_id", varchar(50)),
    col("name", TEXT),
    col("type", varchar(500)),
    col("status", varchar(50), true),
    col("start_time_unix_nano", BIGINT, true),
    col("end_time_unix_nano", BIGINT),
    // Computed by the database; writers never insert or update it.
    col("duration_ns", BIGINT, false, { generated: "end_time_unix_nano - start_time_unix_nano" }),
    // A span's JSON can exceed MySQL's 64 KB TEXT.
    col("content", { kind: "text", mysql: "LONGTEXT" }, true),
  ],
  primaryKey: { name: "spans_pk", columns: ["trace_id", "span_id"] },
  foreignKeys: [traceFk("spans"), experimentFk("spans")],
  indexes: [
    { name: "index_spans_experiment_id", columns: ["experiment_id"] },
    { name: "index_spans_experiment_id_status_type", columns: ["experiment_id", "status", "type"] },
    { name: "index_spans_experiment_id_type_status", columns: ["experiment_id", "type", "status"] },
    { name: "index_spans_experiment_id_duration", columns: ["experiment_id", "duration_ns"] },
  ],
};

const entityAssociations: TableDef = {
  name: "entity_associations",
  columns: [
    col("association_id", varchar(36), true),
    col("source_type", varchar(36), true),
    col("source_id", varchar(36), true),
    col("destination_type", varchar(36), true),
    col("destination_id", varchar(36), true),
    col("created_time", BIGINT),
  ],
  primaryKey: { name: "entity_associations_pk", columns: ["source_type", "source_id", "destination_type", "destination_id"] },
  // No foreign keys: the ids name rows of several tables.
  indexes: [
    { name: "index_entity_associations_association_id", columns: ["association_id"] },
    { name: "index_entity_associations_reverse_lookup", columns: ["destination_type", "destination_id", "source_type", "source_id"] },
  ],
};

const webhooks: TableDef = {
  name: "webhooks",
  columns: [
    col("webhook_id", varchar(256), true),
    col("name", varchar(256), true),
    col("description", varchar(1000)),
    col("url", varchar(500), true),
    col("status", varchar(20), true, { default: "ACTIVE" }),
    col("secret", varchar(1000)),
    col("creation_timestamp", BIGINT),
    col("last_updated_timestamp", BIGINT),
    col("deleted_timestamp", BIGINT),
  ],
  primaryKey: { name: "webhook_pk", columns: ["webhook_id"] },
  indexes: [
    { name: "idx_webhooks_status", columns: ["status"] },
    { name: "idx_webhooks_name", columns: ["name"] },
  ],
};

const webhookEvents: TableDef = {
  name: "webhook_events",
  columns: [col("webhook_id", varchar(256), true), col("entity", varchar(50), true), col("action", varchar(50), true)],
  primaryKey: { name: "webhook_event_pk", columns: ["webhook_id", "entity", "action"] },
  // Unnamed in MLflow: webhook_events_webhook_id_fkey on PostgreSQL, webhook_events_ibfk_1 on MySQL.
  foreignKeys: [{ columns: ["webhook_id"], table: "webhooks", references: ["webhook_id"], onDelete: "CASCADE" }],
  indexes: [
    { name: "idx_webhook_events_entity", columns: ["entity"] },
    { name: "idx_webhook_events_action", columns: ["action"] },
    { name: "idx_webhook_events_entity_action", columns: ["entity", "action"] },
  ],
};

const scorers: TableDef = {
  name: "scorers",
  columns: [col("experiment_id", INTEGER, true), col("scorer_name", varchar(256), true), col("scorer_id", varchar(36), true)],
  primaryKey: { name: "scorer_pk", columns: ["scorer_id"] },
  foreignKeys: [experimentFk("scorers", "CASCADE")],
  // A unique index, not a constraint (MLflow's dumps show none in the table).
  indexes: [{ name: "index_scorers_experiment_id_scorer_name", columns: ["experiment_id", "scorer_name"], unique: true }],
};

const scorerVersions: TableDef = {
  name: "scorer_versions",
  columns: [col("scorer_id", varchar(36), true), col("scorer_version", INTEGER, true), col("serialized_scorer", TEXT, true), col("creation_time", BIGINT)],
  primaryKey: { name: "scorer_version_pk", columns: ["scorer_id", "scorer_version"] },
  foreignKeys: [{ name: "fk_scorer_versions_scorer_id", columns: ["scorer_id"], table: "scorers", references: ["scorer_id"], onDelete: "CASCADE" }],
  indexes: [{ name: "index_scorer_versions_scorer_id", columns: ["scorer_id"] }],
};

const evaluationDatasets: TableDef = {
  name: "evaluation_datasets",
  columns: [
    col("dataset_id", varchar(36), true),
    col("name", varchar(255), true),
    col("schema", TEXT),
    col("profile", TEXT),
    col("digest", varchar(64)),
    col("created_time", BIGINT),
    col("last_update_time", BIGINT),
    col("created_by", varchar(255)),
    col("last_updated_by", varchar(255)),
  ],
  primaryKey: { name: "evaluation_datasets_pk", columns: ["dataset_id"] },
  indexes: [
    { name: "index_evaluation_datasets_name", columns: ["name"] },
    { name: "index_evaluation_datasets_created_time", columns: ["created_time"] },
  ],
};

const datasetFk = (table: string): ForeignKeyDef => ({
  name: `fk_${table}_dataset_id`,
  columns: ["dataset_id"],
  table: "evaluation_datasets",
  references: ["dataset_id"],
  onDelete: "CASCADE",
});

const evaluationDatasetTags: TableDef = {
  name: "evaluation_dataset_tags",
  columns: [col("dataset_id", varchar(36), true), col("key", varchar(255), true), col("value", varchar(5000))],
  primaryKey: { name: "evaluation_dataset_tags_pk", columns: ["dataset_id", "key"] },
  foreignKeys: [datasetFk("evaluation_dataset_tags")],
  indexes: [{ name: "index_evaluation_dataset_tags_dataset_id", columns: ["dataset_id"] }],
};

/** As 71994744cf8e (3.4.0) creates it; 3da73c924c2f (3.5.0) adds `outputs` ({@link MLFLOW3_COLUMNS}). */
const evaluationDatasetRecords: TableDef = {
  name: "evaluation_dataset_records",
  columns: [
    col("dataset_record_id", varchar(36), true),
    col("dataset_id", varchar(36), true),
    col("inputs", JSON_TYPE, true),
    col("expectations", JSON_TYPE),
    col("tags", JSON_TYPE),
    col("source", JSON_TYPE),
    col("source_id", varchar(36)),
    col("source_type", varchar(255)),
    col("created_time", BIGINT),
    col("last_update_time", BIGINT),
    col("created_by", varchar(255)),
    col("last_updated_by", varchar(255)),
    col("input_hash", varchar(64), true),
  ],
  primaryKey: { name: "evaluation_dataset_records_pk", columns: ["dataset_record_id"] },
  uniques: [{ name: "unique_dataset_input", columns: ["dataset_id", "input_hash"] }],
  foreignKeys: [datasetFk("evaluation_dataset_records")],
  indexes: [{ name: "index_evaluation_dataset_records_dataset_id", columns: ["dataset_id"] }],
};

/** As bf29a5ff90ea (3.5.0) creates it: `function_fullname` (3.9.0 renames it `job_name`), no `workspace`, no `status_details`. */
const jobs: TableDef = {
  name: "jobs",
  columns: [
    col("id", varchar(36), true),
    col("creation_time", BIGINT, true),
    col("function_fullname", varchar(500), true),
    col("params", TEXT, true),
    col("timeout", DOUBLE),
    col("status", INTEGER, true),
    col("result", TEXT),
    col("retry_count", INTEGER, true),
    col("last_update_time", BIGINT, true),
  ],
  primaryKey: { name: "jobs_pk", columns: ["id"] },
  indexes: [{ name: "index_jobs_function_status_creation_time", columns: ["function_fullname", "status", "creation_time"] }],
};

/**
 * The tables MLflow 3.2.0 – 3.5.0 create, by name (merged into `TABLES`).
 *
 * @example
 * createTableStatements(MLFLOW3_TABLES.spans, "postgres");
 */
export const MLFLOW3_TABLES = {
  assessments,
  spans,
  entityAssociations,
  webhooks,
  webhookEvents,
  scorers,
  scorerVersions,
  evaluationDatasets,
  evaluationDatasetTags,
  evaluationDatasetRecords,
  jobs,
} as const;

/**
 * Columns MLflow 3.2.0 – 3.5.0 add to existing tables, all nullable (so ADD COLUMN works in place
 * on every dialect, with no table rebuild).
 *
 * @example
 * MLFLOW3_COLUMNS.traceInfo.map((c) => c.name); // ["client_request_id", "request_preview", "response_preview"]
 */
export const MLFLOW3_COLUMNS = {
  /** cbc13b556ace (3.2.0): trace schema v3. */
  traceInfo: [col("client_request_id", varchar(50)), col("request_preview", varchar(1000)), col("response_preview", varchar(1000))],
  /** 3da73c924c2f (3.5.0). */
  evaluationDatasetRecords: [col("outputs", JSON_TYPE)],
} as const;
