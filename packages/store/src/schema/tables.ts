import type { ColumnDef, ColumnType, TableDef } from "./ddl.js";
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TEXT, col, varchar } from "./column-types.js";
import { MLFLOW3_TABLES } from "./mlflow3-tables.js";

// MLflow's tables, written from the facts of its schema (shared/spec mlflow-sql-schema.md §3 and
// the dumps of databases MLflow 2.12.2 created here). A table that a later revision alters has one
// definition per shape; the name says which. Tables of MLflow 3.2+ are in mlflow3-tables.ts.

const stage = (column: string) => `${column} IN ('active', 'deleted')`;

const experiments: TableDef = {
  name: "experiments",
  columns: [
    col("experiment_id", { kind: "serial" }, true),
    col("name", varchar(256), true),
    col("artifact_location", varchar(256)),
    col("lifecycle_stage", varchar(32)),
    col("creation_time", BIGINT),
    col("last_update_time", BIGINT),
  ],
  primaryKey: { name: "experiment_pk", columns: ["experiment_id"] },
  uniques: [{ columns: ["name"] }],
  checks: [{ name: "experiments_lifecycle_stage", expression: stage("lifecycle_stage") }],
};

const experimentTags: TableDef = {
  name: "experiment_tags",
  columns: [col("key", varchar(250), true), col("value", varchar(5000)), col("experiment_id", INTEGER, true)],
  primaryKey: { name: "experiment_tag_pk", columns: ["key", "experiment_id"] },
  foreignKeys: [{ columns: ["experiment_id"], table: "experiments", references: ["experiment_id"] }],
};

const runs: TableDef = {
  name: "runs",
  columns: [
    col("run_uuid", varchar(32), true),
    col("name", varchar(250)),
    col("source_type", varchar(20)),
    col("source_name", varchar(500)),
    col("entry_point_name", varchar(50)),
    col("user_id", varchar(256)),
    col("status", varchar(9)),
    col("start_time", BIGINT),
    col("end_time", BIGINT),
    col("source_version", varchar(50)),
    col("lifecycle_stage", varchar(20)),
    col("artifact_uri", varchar(200)),
    col("experiment_id", INTEGER),
    col("deleted_time", BIGINT),
  ],
  primaryKey: { name: "run_pk", columns: ["run_uuid"] },
  checks: [
    { name: "runs_lifecycle_stage", expression: stage("lifecycle_stage") },
    { name: "source_type", expression: "source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')" },
    { expression: "status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')" },
  ],
  foreignKeys: [{ columns: ["experiment_id"], table: "experiments", references: ["experiment_id"] }],
};

const runChild = (name: string, pk: string, value: ColumnDef, index: string): TableDef => ({
  name,
  columns: [col("key", varchar(250), true), value, col("run_uuid", varchar(32), true)],
  primaryKey: { name: pk, columns: ["key", "run_uuid"] },
  foreignKeys: [{ columns: ["run_uuid"], table: "runs", references: ["run_uuid"] }],
  indexes: [{ name: index, columns: ["run_uuid"] }],
});

const tags5000 = runChild("tags", "tag_pk", col("value", varchar(5000)), "index_tags_run_uuid");
const tags8000 = runChild("tags", "tag_pk", col("value", varchar(8000)), "index_tags_run_uuid");
const params = runChild("params", "param_pk", col("value", varchar(8000), true), "index_params_run_uuid");

const metrics: TableDef = {
  name: "metrics",
  columns: [
    col("key", varchar(250), true),
    col("value", DOUBLE, true),
    col("timestamp", BIGINT, true),
    col("run_uuid", varchar(32), true),
    col("step", BIGINT, true, { default: 0 }),
    col("is_nan", BOOLEAN, true, { default: false }),
  ],
  primaryKey: { name: "metric_pk", columns: ["key", "timestamp", "step", "run_uuid", "value", "is_nan"] },
  foreignKeys: [{ columns: ["run_uuid"], table: "runs", references: ["run_uuid"] }],
  indexes: [{ name: "index_metrics_run_uuid", columns: ["run_uuid"] }],
};

const latestMetrics: TableDef = {
  name: "latest_metrics",
  columns: [
    col("key", varchar(250), true),
    col("value", DOUBLE, true),
    col("timestamp", BIGINT),
    col("step", BIGINT, true),
    col("is_nan", BOOLEAN, true),
    col("run_uuid", varchar(32), true),
  ],
  primaryKey: { name: "latest_metric_pk", columns: ["key", "run_uuid"] },
  foreignKeys: [{ columns: ["run_uuid"], table: "runs", references: ["run_uuid"] }],
  indexes: [{ name: "index_latest_metrics_run_uuid", columns: ["run_uuid"] }],
};

const registeredModels: TableDef = {
  name: "registered_models",
  columns: [col("name", varchar(256), true), col("creation_time", BIGINT), col("last_updated_time", BIGINT), col("description", varchar(5000))],
  primaryKey: { name: "registered_model_pk", columns: ["name"] },
  // MLflow declares the name unique as well as the key; PostgreSQL keeps only the key.
  uniques: [{ columns: ["name"], dialects: ["sqlite", "mysql"] }],
};

const registeredModelTags: TableDef = {
  name: "registered_model_tags",
  columns: [col("key", varchar(250), true), col("value", varchar(5000)), col("name", varchar(256), true)],
  primaryKey: { name: "registered_model_tag_pk", columns: ["key", "name"] },
  foreignKeys: [{ columns: ["name"], table: "registered_models", references: ["name"], onUpdate: "CASCADE" }],
};

const modelVersions: TableDef = {
  name: "model_versions",
  columns: [
    col("name", varchar(256), true),
    col("version", INTEGER, true),
    col("creation_time", BIGINT),
    col("last_updated_time", BIGINT),
    col("description", varchar(5000)),
    col("user_id", varchar(256)),
    col("current_stage", varchar(20)),
    col("source", varchar(500)),
    col("run_id", varchar(32)),
    col("status", varchar(20)),
    col("status_message", varchar(500)),
    col("run_link", varchar(500)),
    col("storage_location", varchar(500)),
  ],
  primaryKey: { name: "model_version_pk", columns: ["name", "version"] },
  foreignKeys: [{ columns: ["name"], table: "registered_models", references: ["name"], onUpdate: "CASCADE" }],
};

const modelVersionTags = (value: ColumnType): TableDef => ({
  name: "model_version_tags",
  columns: [col("key", varchar(250), true), col("value", value), col("name", varchar(256), true), col("version", INTEGER, true)],
  primaryKey: { name: "model_version_tag_pk", columns: ["key", "name", "version"] },
  foreignKeys: [{ columns: ["name", "version"], table: "model_versions", references: ["name", "version"], onUpdate: "CASCADE" }],
});

const registeredModelAliases: TableDef = {
  name: "registered_model_aliases",
  columns: [col("alias", varchar(256), true), col("version", INTEGER, true), col("name", varchar(256), true)],
  primaryKey: { name: "registered_model_alias_pk", columns: ["name", "alias"] },
  foreignKeys: [
    { name: "registered_model_alias_name_fkey", columns: ["name"], table: "registered_models", references: ["name"], onDelete: "CASCADE", onUpdate: "CASCADE" },
  ],
};

const datasets = (schemaType: ColumnType, fk: TableDef["foreignKeys"]): TableDef => ({
  name: "datasets",
  columns: [
    col("dataset_uuid", varchar(36), true),
    col("experiment_id", INTEGER, true),
    col("name", varchar(500), true),
    col("digest", varchar(36), true),
    col("dataset_source_type", varchar(36), true),
    col("dataset_source", TEXT, true),
    col("dataset_schema", schemaType),
    col("dataset_profile", { kind: "text", mysql: "MEDIUMTEXT" }),
  ],
  primaryKey: { name: "dataset_pk", columns: ["experiment_id", "name", "digest"] },
  foreignKeys: fk,
  indexes: [
    { name: "index_datasets_dataset_uuid", columns: ["dataset_uuid"] },
    { name: "index_datasets_experiment_id_dataset_source_type", columns: ["experiment_id", "dataset_source_type"] },
  ],
});
const datasetsFk = [{ columns: ["experiment_id"], table: "experiments", references: ["experiment_id"] }];
const datasetsCascadeFk = [{ name: "fk_datasets_experiment_id_experiments", columns: ["experiment_id"], table: "experiments", references: ["experiment_id"], onDelete: "CASCADE" as const }];

const inputs: TableDef = {
  name: "inputs",
  columns: [
    col("input_uuid", varchar(36), true),
    col("source_type", varchar(36), true),
    col("source_id", varchar(36), true),
    col("destination_type", varchar(36), true),
    col("destination_id", varchar(36), true),
  ],
  primaryKey: { name: "inputs_pk", columns: ["source_type", "source_id", "destination_type", "destination_id"] },
  indexes: [
    { name: "index_inputs_input_uuid", columns: ["input_uuid"] },
    { name: "index_inputs_destination_type_destination_id_source_type", columns: ["destination_type", "destination_id", "source_type"] },
  ],
};

const inputTags: TableDef = {
  name: "input_tags",
  columns: [col("input_uuid", varchar(36), true), col("name", varchar(255), true), col("value", varchar(500), true)],
  primaryKey: { name: "input_tags_pk", columns: ["input_uuid", "name"] },
};

const traceInfo: TableDef = {
  name: "trace_info",
  columns: [
    col("request_id", varchar(50), true),
    col("experiment_id", INTEGER, true),
    col("timestamp_ms", BIGINT, true),
    col("execution_time_ms", BIGINT),
    col("status", varchar(50), true),
  ],
  primaryKey: { name: "trace_info_pk", columns: ["request_id"] },
  foreignKeys: [{ name: "fk_trace_info_experiment_id", columns: ["experiment_id"], table: "experiments", references: ["experiment_id"] }],
  indexes: [{ name: "index_trace_info_experiment_id_timestamp_ms", columns: ["experiment_id", "timestamp_ms"] }],
};

const traceChild = (name: string, pk: string, cascade: boolean): TableDef => ({
  name,
  columns: [col("key", varchar(250), true), col("value", varchar(8000)), col("request_id", varchar(50), true)],
  primaryKey: { name: pk, columns: ["key", "request_id"] },
  foreignKeys: [{ name: `fk_${name}_request_id`, columns: ["request_id"], table: "trace_info", references: ["request_id"], ...(cascade ? { onDelete: "CASCADE" as const } : {}) }],
  indexes: [{ name: `index_${name}_request_id`, columns: ["request_id"] }],
});

const experimentFk = (table: string, onDelete?: "CASCADE") => ({
  name: `fk_${table}_experiment_id`,
  columns: ["experiment_id"],
  table: "experiments",
  references: ["experiment_id"],
  ...(onDelete ? { onDelete } : {}),
});
const modelFk = (table: string) => ({ name: `fk_${table}_model_id`, columns: ["model_id"], table: "logged_models", references: ["model_id"], onDelete: "CASCADE" as const });

const loggedModels: TableDef = {
  name: "logged_models",
  columns: [
    col("model_id", varchar(36), true),
    col("experiment_id", INTEGER, true),
    col("name", varchar(500), true),
    col("artifact_location", varchar(1000), true),
    col("creation_timestamp_ms", BIGINT, true),
    col("last_updated_timestamp_ms", BIGINT, true),
    col("status", INTEGER, true),
    col("lifecycle_stage", varchar(32)),
    col("model_type", varchar(500)),
    col("source_run_id", varchar(32)),
    col("status_message", varchar(1000)),
  ],
  primaryKey: { name: "logged_models_pk", columns: ["model_id"] },
  checks: [{ name: "logged_models_lifecycle_stage_check", expression: stage("lifecycle_stage") }],
  foreignKeys: [experimentFk("logged_models", "CASCADE")],
};

const loggedModelMetrics: TableDef = {
  name: "logged_model_metrics",
  columns: [
    col("model_id", varchar(36), true),
    col("metric_name", varchar(500), true),
    col("metric_timestamp_ms", BIGINT, true),
    col("metric_step", BIGINT, true),
    col("metric_value", DOUBLE),
    col("experiment_id", INTEGER, true),
    col("run_id", varchar(32), true),
    col("dataset_uuid", varchar(36)),
    col("dataset_name", varchar(500)),
    col("dataset_digest", varchar(36)),
  ],
  primaryKey: { name: "logged_model_metrics_pk", columns: ["model_id", "metric_name", "metric_timestamp_ms", "metric_step", "run_id"] },
  foreignKeys: [
    experimentFk("logged_model_metrics"),
    modelFk("logged_model_metrics"),
    { name: "fk_logged_model_metrics_run_id", columns: ["run_id"], table: "runs", references: ["run_uuid"], onDelete: "CASCADE" },
  ],
  indexes: [{ name: "index_logged_model_metrics_model_id", columns: ["model_id"] }],
};

const loggedModelPairs = (name: string, key: string, value: string): TableDef => ({
  name,
  columns: [col("model_id", varchar(36), true), col("experiment_id", INTEGER, true), col(key, varchar(255), true), col(value, TEXT, true)],
  primaryKey: { name: `${name}_pk`, columns: ["model_id", key] },
  foreignKeys: [experimentFk(name), modelFk(name)],
});

/** Every table definition, by the shape it has at a revision. */
export const TABLES = {
  experiments,
  experimentTags,
  runs,
  tags5000,
  tags8000,
  params,
  metrics,
  latestMetrics,
  registeredModels,
  registeredModelTags,
  modelVersions,
  modelVersionTags5000: modelVersionTags(varchar(5000)),
  modelVersionTagsText: modelVersionTags(TEXT),
  registeredModelAliases,
  datasets: datasets(TEXT, datasetsFk),
  datasetsMediumSchema: datasets({ kind: "text", mysql: "MEDIUMTEXT" }, datasetsFk),
  datasetsCascade: datasets({ kind: "text", mysql: "MEDIUMTEXT" }, datasetsCascadeFk),
  inputs,
  inputTags,
  traceInfo,
  traceTags: traceChild("trace_tags", "trace_tag_pk", false),
  traceTagsCascade: traceChild("trace_tags", "trace_tag_pk", true),
  traceRequestMetadata: traceChild("trace_request_metadata", "trace_request_metadata_pk", false),
  traceRequestMetadataCascade: traceChild("trace_request_metadata", "trace_request_metadata_pk", true),
  loggedModels,
  loggedModelMetrics,
  loggedModelParams: loggedModelPairs("logged_model_params", "param_key", "param_value"),
  loggedModelTags: loggedModelPairs("logged_model_tags", "tag_key", "tag_value"),
  ...MLFLOW3_TABLES,
} as const;

/** The tables of a database at `acf3f17fdcc7` (MLflow 2.8.0–2.12.2), in an order foreign keys allow. */
export const BASE_TABLES: readonly TableDef[] = [
  TABLES.experiments,
  TABLES.experimentTags,
  TABLES.runs,
  TABLES.tags5000,
  TABLES.params,
  TABLES.metrics,
  TABLES.latestMetrics,
  TABLES.registeredModels,
  TABLES.registeredModelTags,
  TABLES.modelVersions,
  TABLES.modelVersionTags5000,
  TABLES.registeredModelAliases,
  TABLES.datasets,
  TABLES.inputs,
  TABLES.inputTags,
];
