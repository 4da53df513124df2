import type { WireDouble } from "./wire-double.js";

/** A key/value pair: experiment tags, run tags, params, input tags. */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** `lifecycle_stage` of experiments and runs. */
export type LifecycleStage = "active" | "deleted";

/** RunStatus enum names. */
export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
/** A run's status. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** ViewType enum names (`ACTIVE_ONLY` = 1, `DELETED_ONLY` = 2, `ALL` = 3). */
export const VIEW_TYPES = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const;
/** Which lifecycle stages a search returns. */
export type ViewType = (typeof VIEW_TYPES)[number];

/** An experiment as the wire carries it. */
export interface Experiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly artifact_location?: string;
  readonly lifecycle_stage: LifecycleStage;
  readonly last_update_time?: number;
  readonly creation_time?: number;
  readonly tags?: readonly KeyValue[];
}

/** A metric point. `value` is a string for NaN and the infinities. */
export interface Metric {
  readonly key: string;
  readonly value: WireDouble;
  readonly timestamp: number;
  readonly step: number;
  readonly run_id?: string;
  readonly model_id?: string;
  readonly dataset_name?: string;
  readonly dataset_digest?: string;
}

/** RunInfo: everything about a run but its data. */
export interface RunInfo {
  readonly run_id: string;
  readonly run_uuid: string;
  readonly run_name: string;
  readonly experiment_id: string;
  readonly user_id: string;
  readonly status: RunStatus;
  readonly start_time?: number;
  readonly end_time?: number;
  readonly artifact_uri: string;
  readonly lifecycle_stage: LifecycleStage;
}

/** RunData: latest metrics, params and tags. Empty lists are omitted. */
export interface RunData {
  readonly metrics?: readonly Metric[];
  readonly params?: readonly KeyValue[];
  readonly tags?: readonly KeyValue[];
}

/** A dataset logged as a run input. */
export interface Dataset {
  readonly name: string;
  readonly digest: string;
  readonly source_type: string;
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
}

/** A dataset input of a run, with its input tags (for example `mlflow.data.context`). */
export interface DatasetInput {
  readonly tags?: readonly KeyValue[];
  readonly dataset: Dataset;
}

/** RunInputs. */
export interface RunInputs {
  readonly dataset_inputs?: readonly DatasetInput[];
  readonly model_inputs?: readonly { readonly model_id: string }[];
}

/** RunOutputs (MLflow 3). */
export interface RunOutputs {
  readonly model_outputs?: readonly { readonly model_id: string; readonly step: number }[];
}

/** A run as the wire carries it. */
export interface Run {
  readonly info: RunInfo;
  readonly data: RunData;
  readonly inputs: RunInputs;
  readonly outputs?: RunOutputs;
}
