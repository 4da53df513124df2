import type { KeyValue } from "./tracking-types.js";

/** Model version stages, as MLflow spells them. */
export const STAGES = ["None", "Staging", "Production", "Archived"] as const;
/** A model version stage. */
export type Stage = (typeof STAGES)[number];

/** A model version as the wire carries it; `version` is a string. */
export interface ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly creation_timestamp: number;
  readonly last_updated_timestamp: number;
  readonly user_id?: string;
  readonly current_stage: Stage;
  readonly description?: string;
  readonly source?: string;
  readonly run_id?: string;
  readonly status: "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";
  readonly status_message?: string;
  readonly tags?: readonly KeyValue[];
  readonly run_link?: string;
  readonly aliases?: readonly string[];
  readonly model_id?: string;
}

/** A registered model as the wire carries it. */
export interface RegisteredModel {
  readonly name: string;
  readonly creation_timestamp: number;
  readonly last_updated_timestamp: number;
  readonly description?: string;
  readonly latest_versions?: readonly ModelVersion[];
  readonly tags?: readonly KeyValue[];
  readonly aliases?: readonly { readonly alias: string; readonly version: string }[];
}

/** A file or directory in an artifact listing. */
export interface FileInfo {
  readonly path: string;
  readonly is_dir: boolean;
  readonly file_size?: number;
}

/** LoggedModel status names. */
export const LOGGED_MODEL_STATUSES = ["LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"] as const;
/** A logged model's status. */
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** A metric logged against a logged model. */
export interface LoggedModelMetric {
  readonly key: string;
  readonly value: number | string;
  readonly timestamp: number;
  readonly step: number;
  readonly run_id?: string;
  readonly dataset_name?: string;
  readonly dataset_digest?: string;
  readonly model_id?: string;
}

/** An MLflow 3 logged model: `{info, data}`. */
export interface LoggedModel {
  readonly info: {
    readonly model_id: string;
    readonly experiment_id: string;
    readonly name: string;
    readonly creation_timestamp_ms: number;
    readonly last_updated_timestamp_ms: number;
    readonly artifact_uri: string;
    readonly status: LoggedModelStatus;
    readonly creator_id?: number;
    readonly model_type?: string;
    readonly source_run_id?: string;
    readonly status_message?: string;
    readonly tags?: readonly KeyValue[];
    readonly registrations?: readonly { readonly name: string; readonly version: string }[];
  };
  readonly data: {
    readonly params?: readonly KeyValue[];
    readonly metrics?: readonly LoggedModelMetric[];
  };
}

/**
 * The order of artifact listings: code points, as Python's `sorted()` orders MLflow's (and as S3
 * orders keys, by UTF-8 bytes). JavaScript's `<` compares UTF-16 units, which puts an astral
 * character (😀) before U+E000–U+FFFF (！).
 *
 * @example
 * ["😀", "！"].sort(compareCodePoints); // ["！", "😀"]
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates, and from U+E000, UTF-16 units are in code-point order; a surrogate
    // (an astral code point) is above every one of them.
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
