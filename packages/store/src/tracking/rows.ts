import { toWireDouble, type Experiment, type KeyValue, type Metric, type RunInfo, type RunStatus, type LifecycleStage } from "@mlflow-ts/protocol";

/** A row of `experiments` (MLflow's columns; rows older than MLflow 1.29 have no times). */
export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
}

/** A row of `runs`, the columns this server reads (MLflow's `source_*` columns are written, not read). */
export interface RunRow {
  run_uuid: string;
  name: string | null;
  experiment_id: number;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
}

/** A row of `metrics` or `latest_metrics`; `is_nan` is a boolean on PostgreSQL, 0/1 elsewhere. */
export interface MetricRow {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: boolean | number;
}

/** The columns of `runs` every run read selects. */
export const RUN_COLUMNS = [
  "runs.run_uuid",
  "runs.name",
  "runs.experiment_id",
  "runs.user_id",
  "runs.status",
  "runs.start_time",
  "runs.end_time",
  "runs.deleted_time",
  "runs.lifecycle_stage",
  "runs.artifact_uri",
] as const;

/**
 * Maps an experiments row (and its tags) to the wire shape; empty tag lists are omitted.
 *
 * @example
 * toExperiment(row, [{ key: "team", value: "vision" }]);
 */
export function toExperiment(row: ExperimentRow, tags: readonly KeyValue[]): Experiment {
  return {
    experiment_id: String(row.experiment_id),
    name: row.name,
    ...(row.artifact_location !== null ? { artifact_location: row.artifact_location } : {}),
    lifecycle_stage: (row.lifecycle_stage ?? "active") as LifecycleStage,
    ...(row.last_update_time !== null ? { last_update_time: Number(row.last_update_time) } : {}),
    ...(row.creation_time !== null ? { creation_time: Number(row.creation_time) } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  };
}

/**
 * Maps a runs row to RunInfo; `end_time` is omitted while unset, `run_uuid` always echoed.
 *
 * @example
 * toRunInfo(row).run_uuid === row.run_uuid; // true
 */
export function toRunInfo(row: RunRow, nameTag?: string): RunInfo {
  return {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    // MLflow falls back to the mlflow.runName tag when the column is empty (rows of old clients).
    run_name: row.name || nameTag || "",
    experiment_id: String(row.experiment_id),
    user_id: row.user_id ?? "",
    status: (row.status ?? "RUNNING") as RunStatus,
    ...(row.start_time === null || row.start_time === undefined ? {} : { start_time: Number(row.start_time) }),
    ...(row.end_time === null || row.end_time === undefined ? {} : { end_time: Number(row.end_time) }),
    artifact_uri: row.artifact_uri ?? "",
    lifecycle_stage: (row.lifecycle_stage ?? "active") as LifecycleStage,
  };
}

/** The columns of one metric point, whoever's run it is. */
export type MetricPointColumns = Pick<MetricRow, "value" | "timestamp" | "step" | "is_nan">;

/**
 * Maps a metric row to the wire shape, NaN rows (`is_nan`) included.
 *
 * @example
 * toMetric({ key: "loss", value: 0, is_nan: 1, timestamp: 1, step: 0, run_uuid: "r" }).value; // "NaN"
 */
export function toMetric(row: MetricRow): Metric {
  return { key: row.key, value: wireValue(row), timestamp: Number(row.timestamp ?? 0), step: Number(row.step) };
}

/**
 * The wire shape with the run it belongs to (the charts' bulk reads), built in one object: these
 * answers hold tens of thousands of points.
 *
 * @example
 * toMetricOfRun("loss", runId, { value: 0.5, is_nan: 0, timestamp: 1, step: 3 }); // { key, value, timestamp, step, run_id }
 */
export function toMetricOfRun(key: string, runId: string, point: MetricPointColumns): Metric & { readonly run_id: string } {
  return { key, value: wireValue(point), timestamp: Number(point.timestamp ?? 0), step: Number(point.step), run_id: runId };
}

function wireValue(point: MetricPointColumns): Metric["value"] {
  return point.is_nan ? "NaN" : toWireDouble(Number(point.value));
}
