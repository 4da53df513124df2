import type { KeyValue, ModelVersion, RegisteredModel, Stage } from "@mlflow-ts/protocol";

/** A row of `registered_models`. */
export interface RegisteredModelRow {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
}

/** A row of `model_versions`. */
export interface ModelVersionRow {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  model_id: string | null;
}

/** The stage a deleted version is parked in; never shown. */
export const DELETED_STAGE = "Deleted_Internal";

/**
 * Maps a version row (with its tags and aliases) to the wire shape; unset fields are omitted.
 *
 * @example
 * toModelVersion(row, [], ["champion"]).version; // "3"
 */
export function toModelVersion(row: ModelVersionRow, tags: readonly KeyValue[], aliases: readonly string[]): ModelVersion {
  return {
    name: row.name,
    version: String(row.version),
    creation_timestamp: Number(row.creation_time),
    last_updated_timestamp: Number(row.last_updated_time),
    ...(row.user_id ? { user_id: row.user_id } : {}),
    current_stage: row.current_stage as Stage,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.source !== null ? { source: row.source } : {}),
    ...(row.run_id ? { run_id: row.run_id } : {}),
    status: row.status as ModelVersion["status"],
    ...(row.status_message ? { status_message: row.status_message } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(row.run_link ? { run_link: row.run_link } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(row.model_id ? { model_id: row.model_id } : {}),
  };
}

/**
 * Maps a registered-model row to the wire shape.
 *
 * @example
 * toRegisteredModel(row, latest, tags, aliases);
 */
export function toRegisteredModel(
  row: RegisteredModelRow,
  latest: readonly ModelVersion[],
  tags: readonly KeyValue[],
  aliases: readonly { alias: string; version: string }[],
): RegisteredModel {
  return {
    name: row.name,
    creation_timestamp: Number(row.creation_time),
    last_updated_timestamp: Number(row.last_updated_time),
    ...(row.description !== null ? { description: row.description } : {}),
    ...(latest.length > 0 ? { latest_versions: latest } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
  };
}
