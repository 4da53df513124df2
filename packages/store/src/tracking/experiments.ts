import path from "node:path";
import { pathToFileURL } from "node:url";
import { MlflowError, invalidParameter, notFound, type Experiment, type KeyValue, type ViewType } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { LIMITS, rejectLong, validateKey } from "../validation.js";
import { checkArtifactLocationUrl } from "./check-artifact-location-url.js";
import { appendToUri, experimentIdNumber, isUniqueViolation, upsert, type TrackingContext } from "./context.js";
import { insertDefaultExperiment } from "../schema/prepare-schema.js";
import { toExperiment, type ExperimentRow } from "./rows.js";

/** The default experiment every store has. */
export const DEFAULT_EXPERIMENT = { id: "0", name: "Default" } as const;

const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;

/**
 * Resolves an experiment ID to its stored integer: 400 for a malformed ID, 404 for one that names
 * nothing (a well-formed but non-numeric ID, or a negative one, can never be stored here).
 */
export function requireExperimentId(id: string): number {
  // A negative number names no experiment: 404, as on MLflow's SQL stores.
  if (!EXPERIMENT_ID.test(id) && !/^-[1-9]\d{0,18}$/.test(id)) throw invalidParameter(`Invalid experiment ID: '${id}'`);
  const n = experimentIdNumber(id);
  if (n === undefined) throw notFound(`No Experiment with id=${id} exists`);
  return n;
}

function validateArtifactLocation(location: string): void {
  // MLflow's column is VARCHAR(256): PostgreSQL and MySQL would refuse a longer one.
  if (location.length > LIMITS.artifactLocationLength) {
    throw invalidParameter(`Invalid artifact location: it is longer than ${LIMITS.artifactLocationLength} characters`);
  }
  if (location.startsWith("runs:")) throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
}

/**
 * A relative local artifact location made absolute against the server's directory, as MLflow's
 * `resolve_uri_if_local` does; URIs with a scheme are kept as they are.
 *
 * @example
 * resolveLocalLocation("my_location", "/srv"); // "/srv/my_location"
 */
export function resolveLocalLocation(location: string, cwd: string): string {
  const scheme = /^([a-zA-Z][\w+.-]*):/.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return path.isAbsolute(location) ? location : path.posix.join(cwd, location);
  if (scheme === "file") {
    const rest = location.slice("file:".length);
    if (!rest.startsWith("/")) return pathToFileURL(path.join(cwd, decodeURIComponent(rest))).href;
  }
  return location;
}

function validateExperimentName(name: string): void {
  if (name.trim() === "") throw invalidParameter("Invalid experiment name: ''");
  // MLflow validates 500 but stores VARCHAR(256), which PostgreSQL and MySQL enforce.
  if (name.length > LIMITS.experimentNameLength) {
    throw invalidParameter(`Experiment name '${name.slice(0, 50)}...' had length ${name.length}, which exceeded length limit of ${LIMITS.experimentNameLength}`);
  }
}

function validateExperimentTag(tag: KeyValue): void {
  // experiment_tags.value is VARCHAR(5000) at every revision.
  validateKey(tag.key, "tag");
  rejectLong(tag.value, LIMITS.experimentTagValueLength, `Experiment tag value of '${tag.key}'`);
}

async function loadTags(ctx: TrackingContext, ids: readonly number[]): Promise<Map<number, KeyValue[]>> {
  const byId = new Map<number, KeyValue[]>();
  if (ids.length === 0) return byId;
  const rows = await ctx.database.db
    .selectFrom("experiment_tags")
    .select(["experiment_id", "key", "value"])
    .where("experiment_id", "in", ids)
    .execute();
  for (const row of rows as { experiment_id: number; key: string; value: string | null }[]) {
    const list = byId.get(Number(row.experiment_id)) ?? [];
    list.push({ key: row.key, value: row.value ?? "" });
    byId.set(Number(row.experiment_id), list);
  }
  return byId;
}

/**
 * Maps rows to wire experiments with their tags, in one query for the tags of all of them.
 */
export async function withExperimentTags(ctx: TrackingContext, rows: readonly ExperimentRow[]): Promise<Experiment[]> {
  const tags = await loadTags(ctx, rows.map((r) => Number(r.experiment_id)));
  return rows.map((r) => toExperiment(r, tags.get(Number(r.experiment_id)) ?? []));
}

/**
 * Creates the default experiment `0` when it is missing, as MLflow's server does at start-up
 * (3.4+: whenever it cannot be found). A second process doing the same at once is harmless.
 */
export async function ensureDefaultExperiment(ctx: TrackingContext): Promise<void> {
  const found = await ctx.database.db.selectFrom("experiments").select("experiment_id").where("experiment_id", "=", 0).executeTakeFirst();
  if (found) return;
  try {
    await insertDefaultExperiment(ctx.database.db, ctx.database, ctx.defaultArtifactRoot, ctx.now());
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

/** Creates an experiment and returns its ID. */
export async function createExperiment(
  ctx: TrackingContext,
  input: { readonly name: string; readonly artifactLocation?: string; readonly tags?: readonly KeyValue[] },
): Promise<string> {
  validateExperimentName(input.name);
  // The URL parts are checked as written, before a relative path is made absolute (as MLflow's handler does).
  if (input.artifactLocation) checkArtifactLocationUrl(input.artifactLocation);
  const artifactLocation = input.artifactLocation ? resolveLocalLocation(input.artifactLocation, ctx.cwd) : undefined;
  if (artifactLocation) validateArtifactLocation(artifactLocation);
  const tags = input.tags ?? [];
  tags.forEach(validateExperimentTag);
  const now = ctx.now();
  try {
    return await withTransaction(ctx.database, async (trx) => {
      const insert = trx.insertInto("experiments").values({
        name: input.name,
        artifact_location: artifactLocation ?? null,
        lifecycle_stage: "active",
        creation_time: now,
        last_update_time: now,
      });
      // PostgreSQL returns the new key; SQLite and MySQL report it as the insert ID.
      const id =
        ctx.database.dialect === "postgres"
          ? Number(((await insert.returning("experiment_id").executeTakeFirstOrThrow()) as { experiment_id: number }).experiment_id)
          : Number((await insert.executeTakeFirstOrThrow()).insertId);
      if (!artifactLocation) {
        await trx
          .updateTable("experiments")
          .set({ artifact_location: appendToUri(ctx.defaultArtifactRoot, String(id)) })
          .where("experiment_id", "=", id)
          .execute();
      }
      const unique = new Map(tags.map((t) => [t.key, t.value]));
      if (unique.size > 0) {
        await trx
          .insertInto("experiment_tags")
          .values([...unique].map(([key, value]) => ({ experiment_id: id, key, value })))
          .execute();
      }
      return String(id);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${input.name}) already exists. Error: UNIQUE constraint failed: experiments.name`);
    }
    throw error;
  }
}

async function getRow(ctx: TrackingContext, id: number, label: string): Promise<ExperimentRow> {
  const row = (await ctx.database.db.selectFrom("experiments").selectAll().where("experiment_id", "=", id).executeTakeFirst()) as
    | ExperimentRow
    | undefined;
  if (!row) throw notFound(`No Experiment with id=${label} exists`);
  return row;
}

/** Gets an experiment by ID, deleted ones included (404 when unknown). */
export async function getExperiment(ctx: TrackingContext, id: string): Promise<Experiment> {
  const row = await getRow(ctx, requireExperimentId(id), id);
  return (await withExperimentTags(ctx, [row]))[0]!;
}

/** Gets an experiment by name across lifecycle stages (404 when unknown). */
export async function getExperimentByName(ctx: TrackingContext, name: string): Promise<Experiment> {
  const row = (await ctx.database.db.selectFrom("experiments").selectAll().where("name", "=", name).executeTakeFirst()) as
    | ExperimentRow
    | undefined;
  if (!row) throw notFound(`Could not find experiment with name '${name}'`);
  return (await withExperimentTags(ctx, [row]))[0]!;
}

async function setLifecycle(ctx: TrackingContext, id: string, from: "active" | "deleted", to: "active" | "deleted"): Promise<void> {
  const n = requireExperimentId(id);
  const now = ctx.now();
  await withTransaction(ctx.database, async (trx) => {
    if ((await experimentStage(trx, n, id)) !== from) {
      throw notFound(`Cannot ${to === "deleted" ? "delete" : "restore"} experiment ${id}: it is not ${from}`);
    }
    await trx.updateTable("experiments").set({ lifecycle_stage: to, last_update_time: now }).where("experiment_id", "=", n).execute();
    await trx
      .updateTable("runs")
      .set({ lifecycle_stage: to, deleted_time: to === "deleted" ? now : null })
      .where("experiment_id", "=", n)
      .where("lifecycle_stage", "=", from)
      .execute();
  });
}

/** Soft-deletes an active experiment and every one of its runs. */
export function deleteExperiment(ctx: TrackingContext, id: string): Promise<void> {
  return setLifecycle(ctx, id, "active", "deleted");
}

/** Restores a deleted experiment and its runs. */
export function restoreExperiment(ctx: TrackingContext, id: string): Promise<void> {
  return setLifecycle(ctx, id, "deleted", "active");
}

/** Renames an active experiment. */
export async function renameExperiment(ctx: TrackingContext, id: string, newName: string): Promise<void> {
  validateExperimentName(newName);
  const n = requireExperimentId(id);
  try {
    await withTransaction(ctx.database, async (trx) => {
      const stage = await experimentStage(trx, n, id);
      if (stage !== "active") {
        // MLflow answers INVALID_STATE (500), which clients retry for minutes; a deterministic
        // refusal is a 400 here.
        throw invalidParameter(`Cannot rename a non-active experiment. Experiment ${id} is ${stage}`);
      }
      await trx.updateTable("experiments").set({ name: newName, last_update_time: ctx.now() }).where("experiment_id", "=", n).execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${newName}) already exists`);
    throw error;
  }
}

/** The lifecycle stage of an experiment, read inside a transaction; 404 when it does not exist. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function experimentStage(trx: Kysely<any>, n: number, id: string): Promise<string> {
  const row = (await trx.selectFrom("experiments").select("lifecycle_stage").where("experiment_id", "=", n).executeTakeFirst()) as { lifecycle_stage: string } | undefined;
  if (!row) throw notFound(`No Experiment with id=${id} exists`);
  return row.lifecycle_stage;
}

/** 404 for an unknown experiment, 400 for one that is not active: what every experiment write checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function requireActiveExperiment(trx: Kysely<any>, n: number, id: string): Promise<void> {
  const stage = await experimentStage(trx, n, id);
  if (stage !== "active") throw invalidParameter(`The experiment ${id} must be in the 'active' state. Current state is ${stage}.`);
}

/** Sets (upserts) a tag on an active experiment. */
export async function setExperimentTag(ctx: TrackingContext, id: string, tag: KeyValue): Promise<void> {
  validateExperimentTag(tag);
  const n = requireExperimentId(id);
  await withTransaction(ctx.database, async (trx) => {
    await requireActiveExperiment(trx, n, id);
    await upsert(trx.insertInto("experiment_tags").values({ experiment_id: n, key: tag.key, value: tag.value }), ctx.database.dialect, ["experiment_id", "key"], {
      value: tag.value,
    }).execute();
  });
}

/** Deletes a tag of an active experiment (404 when the tag is absent). */
export async function deleteExperimentTag(ctx: TrackingContext, id: string, key: string): Promise<void> {
  const n = requireExperimentId(id);
  await withTransaction(ctx.database, async (trx) => {
    await requireActiveExperiment(trx, n, id);
    const result = await trx.deleteFrom("experiment_tags").where("experiment_id", "=", n).where("key", "=", key).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in experiment with id ${id}`);
  });
}

/** The lifecycle stages a view type selects. */
export function stagesFor(viewType: ViewType): readonly string[] {
  if (viewType === "ALL") return ["active", "deleted"];
  return viewType === "DELETED_ONLY" ? ["deleted"] : ["active"];
}
