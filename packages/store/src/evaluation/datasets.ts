import { createHash, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { invalidParameter, notFound, type EvaluationDataset } from "@mlflow-ts/protocol";
import { withTransaction } from "../with-transaction.js";
import { chunk, experimentIdNumber, insertOrIgnore, type TrackingContext } from "../tracking/context.js";
import { isPyObject, parsePyJson, pyDumps, pyStr, type PyJson, type PyObject } from "./py-json-value.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = Kysely<any>;

/** `entity_associations` types of a dataset's experiments (MLflow's `EntityAssociationType`). */
export const DATASET = "evaluation_dataset";
export const EXPERIMENT = "experiment";

/** Column limits of MLflow's dataset tables. */
export const DATASET_LIMITS = { name: 255, tagKey: 255, tagValue: 5000, user: 255 } as const;

/** The tag whose value MLflow records as a dataset's (or record's) creator. */
export const MLFLOW_USER = "mlflow.user";

export interface DatasetRow {
  dataset_id: string;
  name: string;
  schema: string | null;
  profile: string | null;
  digest: string | null;
  created_time: number | string | null;
  last_update_time: number | string | null;
  created_by: string | null;
  last_updated_by: string | null;
}

/**
 * MLflow's dataset digest: the first 8 hex digits of sha256(`<name>:<last_update_time>`).
 *
 * @example
 * datasetDigest("qa", 1730000000000); // 8 hex digits
 */
export function datasetDigest(name: string, time: number): string {
  return createHash("sha256").update(`${name}:${time}`).digest("hex").slice(0, 8);
}

/**
 * A JSON object parameter (`tags`), 400 when it is not JSON or not an object.
 *
 * @example
 * jsonObjectParam(text, name);
 */
export function jsonObjectParam(text: string, name: string): PyObject {
  const value = parsePyJson(text, name);
  if (!isPyObject(value)) throw invalidParameter(`Invalid value for parameter '${name}': expected a JSON object`);
  return value;
}

function tagValue(key: string, value: PyJson): string | null {
  if (key.length > DATASET_LIMITS.tagKey) throw invalidParameter(`Dataset tag key '${key.slice(0, 50)}…' exceeds the maximum length of ${DATASET_LIMITS.tagKey} characters`);
  if (value === null) return null;
  // MLflow stores str(value): numbers and booleans as Python prints them.
  const text = pyStr(value);
  if (text.length > DATASET_LIMITS.tagValue) throw invalidParameter(`Dataset tag '${key}' has a value longer than ${DATASET_LIMITS.tagValue} characters`);
  if (text.includes("\u0000") || key.includes("\u0000")) throw invalidParameter(`Dataset tag '${key}' contains a NUL character`);
  return text;
}

const num = (v: number | string | null): number => Number(v ?? 0);

/**
 * The wire form of dataset rows, with their tags (ordered by key).
 *
 * @example
 * await datasetsWithTags(db, rows);
 */
export async function datasetsWithTags(db: Db, rows: readonly DatasetRow[]): Promise<EvaluationDataset[]> {
  const tags = new Map<string, [string, string | null][]>();
  for (const part of chunk(rows.map((r) => r.dataset_id), 500)) {
    if (part.length === 0) continue;
    const found = (await db.selectFrom("evaluation_dataset_tags").select(["dataset_id", "key", "value"]).where("dataset_id", "in", part).orderBy("dataset_id").orderBy("key").execute()) as {
      dataset_id: string;
      key: string;
      value: string | null;
    }[];
    for (const t of found) {
      let list = tags.get(t.dataset_id);
      if (!list) tags.set(t.dataset_id, (list = []));
      list.push([t.key, t.value]);
    }
  }
  return rows.map((r) => {
    const dict: PyObject = new Map(tags.get(r.dataset_id) ?? []);
    return {
      dataset_id: r.dataset_id,
      name: r.name,
      tags: pyDumps(dict),
      ...(r.schema !== null ? { schema: r.schema } : {}),
      ...(r.profile !== null ? { profile: r.profile } : {}),
      digest: r.digest ?? "",
      created_time: num(r.created_time),
      last_update_time: num(r.last_update_time),
      ...(r.created_by !== null ? { created_by: r.created_by } : {}),
      ...(r.last_updated_by !== null ? { last_updated_by: r.last_updated_by } : {}),
    };
  });
}

/**
 * A dataset row, or undefined.
 *
 * @example
 * await findDataset(db, datasetId);
 */
export async function findDataset(db: Db, datasetId: string): Promise<DatasetRow | undefined> {
  return (await db.selectFrom("evaluation_datasets").selectAll().where("dataset_id", "=", datasetId).executeTakeFirst()) as DatasetRow | undefined;
}

/**
 * The IDs of the experiments a dataset is associated with, in ID order.
 *
 * @example
 * await experimentIdsOf(db, datasetId);
 */
export async function experimentIdsOf(db: Db, datasetId: string): Promise<string[]> {
  const rows = (await db
    .selectFrom("entity_associations")
    .select("destination_id")
    .where("source_type", "=", DATASET)
    .where("source_id", "=", datasetId)
    .where("destination_type", "=", EXPERIMENT)
    .execute()) as { destination_id: string }[];
  return rows.map((r) => r.destination_id).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
}

/** Refuses experiment IDs that name no experiment (404), as add-experiments does in MLflow. */
async function requireExperiments(db: Db, ids: readonly string[]): Promise<void> {
  const wanted = [...new Set(ids)];
  const numbers = wanted.map((id) => experimentIdNumber(id)).filter((n): n is number => n !== undefined);
  const found = new Set<string>();
  for (const part of chunk(numbers, 500)) {
    const rows = (await db.selectFrom("experiments").select("experiment_id").where("experiment_id", "in", part).execute()) as { experiment_id: number | string }[];
    for (const r of rows) found.add(String(r.experiment_id));
  }
  for (const id of wanted) if (!found.has(id)) throw notFound(`No Experiment with id=${id}`);
}

async function associate(ctx: TrackingContext, trx: Db, datasetId: string, experimentIds: readonly string[], now: number): Promise<void> {
  const rows = [...new Set(experimentIds)].map((id) => ({
    association_id: randomUUID().replace(/-/g, ""),
    source_type: DATASET,
    source_id: datasetId,
    destination_type: EXPERIMENT,
    destination_id: id,
    created_time: now,
  }));
  for (const part of chunk(rows, 200)) await insertOrIgnore(trx.insertInto("entity_associations").values(part), ctx.database.dialect).execute();
}

/**
 * Creates a dataset (`d-<uuid hex>`) with its tags and experiments. Unlike MLflow 3.6, which
 * stores an association to any experiment ID it is given, unknown experiments are refused (404):
 * an association decides who may read the dataset, so it must name an experiment that exists.
 *
 * @example
 * await createDataset(ctx, { name: "qa", experimentIds: ["1"], tags: '{"team": "ml"}' });
 */
export async function createDataset(ctx: TrackingContext, input: { name: string; experimentIds?: readonly string[]; tags?: string }): Promise<EvaluationDataset> {
  if (input.name.length > DATASET_LIMITS.name) throw invalidParameter(`Dataset name exceeds the maximum length of ${DATASET_LIMITS.name} characters`);
  const tags = input.tags ? jsonObjectParam(input.tags, "tags") : new Map<string, PyJson>();
  const tagRows = [...tags].map(([key, value]) => ({ key, value: tagValue(key, value) }));
  const user = tags.get(MLFLOW_USER);
  const userId = typeof user === "string" ? user.slice(0, DATASET_LIMITS.user) : null;
  const experimentIds = input.experimentIds ?? [];
  const datasetId = `d-${randomUUID().replace(/-/g, "")}`;
  return withTransaction(ctx.database, async (trx) => {
    if (experimentIds.length > 0) await requireExperiments(trx, experimentIds);
    const now = ctx.now();
    await trx
      .insertInto("evaluation_datasets")
      .values({ dataset_id: datasetId, name: input.name, schema: null, profile: null, digest: datasetDigest(input.name, now), created_time: now, last_update_time: now, created_by: userId, last_updated_by: userId })
      .execute();
    for (const part of chunk(tagRows, 300)) await trx.insertInto("evaluation_dataset_tags").values(part.map((t) => ({ dataset_id: datasetId, ...t }))).execute();
    await associate(ctx, trx, datasetId, experimentIds, now);
    const [dataset] = await datasetsWithTags(trx, [(await findDataset(trx, datasetId))!]);
    return { ...dataset!, experiment_ids: [...experimentIds] };
  });
}

/**
 * Gets a dataset (without experiment IDs, as MLflow answers): 404 when unknown.
 *
 * @example
 * await getDataset(ctx, datasetId);
 */
export async function getDataset(ctx: TrackingContext, datasetId: string): Promise<EvaluationDataset> {
  const row = await findDataset(ctx.database.db, datasetId);
  if (!row) throw notFound(`Evaluation dataset with id '${datasetId}' not found`);
  return (await datasetsWithTags(ctx.database.db, [row]))[0]!;
}

/**
 * Deletes a dataset, its tags, records and associations; an unknown dataset is a no-op (as MLflow).
 *
 * @example
 * await deleteDataset(ctx, datasetId);
 */
export async function deleteDataset(ctx: TrackingContext, datasetId: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    if (!(await findDataset(trx, datasetId))) return;
    await trx
      .deleteFrom("entity_associations")
      .where((eb) => eb.or([eb.and([eb("source_type", "=", DATASET), eb("source_id", "=", datasetId)]), eb.and([eb("destination_type", "=", DATASET), eb("destination_id", "=", datasetId)])]))
      .execute();
    // Children first: the foreign keys cascade, but not every database enforces them.
    await trx.deleteFrom("evaluation_dataset_records").where("dataset_id", "=", datasetId).execute();
    await trx.deleteFrom("evaluation_dataset_tags").where("dataset_id", "=", datasetId).execute();
    await trx.deleteFrom("evaluation_datasets").where("dataset_id", "=", datasetId).execute();
  });
}

/**
 * Merges tags into a dataset's (404 for an unknown dataset); null values are skipped, as MLflow does.
 *
 * @example
 * await setDatasetTags(ctx, datasetId, tagsText);
 */
export async function setDatasetTags(ctx: TrackingContext, datasetId: string, tagsText: string): Promise<void> {
  const tags = jsonObjectParam(tagsText, "tags");
  const rows = [...tags].filter(([, v]) => v !== null).map(([key, value]) => ({ dataset_id: datasetId, key, value: tagValue(key, value) }));
  await withTransaction(ctx.database, async (trx) => {
    if (!(await findDataset(trx, datasetId))) throw notFound(`Could not find evaluation dataset with ID ${datasetId}`);
    for (const row of rows) {
      const updated = await trx.updateTable("evaluation_dataset_tags").set({ value: row.value }).where("dataset_id", "=", datasetId).where("key", "=", row.key).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) await trx.insertInto("evaluation_dataset_tags").values(row).execute();
    }
  });
}

/**
 * Deletes a tag; an unknown dataset or tag is a no-op (MLflow's delete is idempotent).
 *
 * @example
 * await deleteDatasetTag(ctx, datasetId, key);
 */
export async function deleteDatasetTag(ctx: TrackingContext, datasetId: string, key: string): Promise<void> {
  await ctx.database.db.deleteFrom("evaluation_dataset_tags").where("dataset_id", "=", datasetId).where("key", "=", key).execute();
}

/**
 * Associates a dataset with more experiments (idempotent); 404 for an unknown dataset or experiment.
 *
 * @example
 * await addDatasetToExperiments(ctx, datasetId, experimentIds);
 */
export async function addDatasetToExperiments(ctx: TrackingContext, datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset> {
  return withTransaction(ctx.database, async (trx) => {
    if (!(await findDataset(trx, datasetId))) throw notFound(`Dataset '${datasetId}' not found`);
    await requireExperiments(trx, experimentIds);
    const now = ctx.now();
    await associate(ctx, trx, datasetId, experimentIds, now);
    await trx.updateTable("evaluation_datasets").set({ last_update_time: now }).where("dataset_id", "=", datasetId).execute();
    return (await datasetsWithTags(trx, [(await findDataset(trx, datasetId))!]))[0]!;
  });
}

/**
 * Removes a dataset from experiments (idempotent); 404 for an unknown dataset.
 *
 * @example
 * await removeDatasetFromExperiments(ctx, datasetId, experimentIds);
 */
export async function removeDatasetFromExperiments(ctx: TrackingContext, datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset> {
  return withTransaction(ctx.database, async (trx) => {
    if (!(await findDataset(trx, datasetId))) throw notFound(`Dataset '${datasetId}' not found`);
    const ids = [...new Set(experimentIds)];
    let removed = 0;
    for (const part of chunk(ids, 500)) {
      const result = await trx
        .deleteFrom("entity_associations")
        .where("source_type", "=", DATASET)
        .where("source_id", "=", datasetId)
        .where("destination_type", "=", EXPERIMENT)
        .where("destination_id", "in", part)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    if (removed > 0) await trx.updateTable("evaluation_datasets").set({ last_update_time: ctx.now() }).where("dataset_id", "=", datasetId).execute();
    return (await datasetsWithTags(trx, [(await findDataset(trx, datasetId))!]))[0]!;
  });
}
