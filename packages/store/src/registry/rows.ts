import type { KeyValue, ModelVersion, RegisteredModel, Stage } from "@mlflow-ts/protocol";

/** A row of `registered_models` (MLflow's columns; a 3.10+ `workspace` is not read). */
export interface RegisteredModelRow {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

/** A row of `model_versions`. */
export interface ModelVersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string | null;
  status_message: string | null;
  storage_location: string | null;
}

/** The columns of `model_versions` this server reads and writes (MLflow 3.10 adds `workspace`). */
export const VERSION_COLUMNS = [
  "name",
  "version",
  "creation_time",
  "last_updated_time",
  "description",
  "user_id",
  "current_stage",
  "source",
  "run_id",
  "run_link",
  "status",
  "status_message",
  "storage_location",
] as const;

/**
 * The logged model a version was registered from: MLflow keeps no model_id column, the source
 * (`models:/m-…`) says it.
 *
 * @example
 * modelIdOfSource("models:/m-0123"); // "m-0123"
 */
export function modelIdOfSource(source: string | null): string | undefined {
  return source ? /^models:\/(m-[0-9a-f]+)\/?$/.exec(source)?.[1] : undefined;
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
    creation_timestamp: Number(row.creation_time ?? 0),
    last_updated_timestamp: Number(row.last_updated_time ?? 0),
    ...(row.user_id ? { user_id: row.user_id } : {}),
    current_stage: (row.current_stage ?? "None") as Stage,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.source !== null ? { source: row.source } : {}),
    ...(row.run_id ? { run_id: row.run_id } : {}),
    status: (row.status ?? "READY") as ModelVersion["status"],
    ...(row.status_message ? { status_message: row.status_message } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(row.run_link ? { run_link: row.run_link } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(modelIdOfSource(row.source) ? { model_id: modelIdOfSource(row.source) } : {}),
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
    creation_timestamp: Number(row.creation_time ?? 0),
    last_updated_timestamp: Number(row.last_updated_time ?? 0),
    ...(row.description !== null ? { description: row.description } : {}),
    ...(latest.length > 0 ? { latest_versions: latest } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
  };
}
