import { MlflowError, invalidParameter, notFound, type KeyValue, type ModelVersion, type RegisteredModel } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { isUniqueViolation, upsert, type TrackingContext } from "../tracking/context.js";
import { loadModels, loadVersions } from "./load-registry.js";
import { DELETED_STAGE, VERSION_COLUMNS, type ModelVersionRow, type RegisteredModelRow } from "./rows.js";
import { LIMITS, rejectLong } from "../validation.js";
import { parseStage, validateModelName, validateRegistryTag } from "./validation.js";

/** Reads a registered-model row; 404 when unknown. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function requireModelRow(db: Kysely<any>, name: string): Promise<RegisteredModelRow> {
  const row = (await db
    .selectFrom("registered_models")
    .select(["name", "creation_time", "last_updated_time", "description"])
    .where("name", "=", name)
    .executeTakeFirst()) as RegisteredModelRow | undefined;
  if (!row) throw notFound(`Registered Model with name=${name} not found`);
  return row;
}

/** Creates a registered model (400 RESOURCE_ALREADY_EXISTS for a taken name). */
export async function createRegisteredModel(
  ctx: TrackingContext,
  input: { name: string; tags?: readonly KeyValue[]; description?: string },
): Promise<RegisteredModel> {
  validateModelName(input.name);
  const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
  [...tags].forEach(([key, value]) => validateRegistryTag({ key, value }, ctx));
  if (input.description) rejectLong(input.description, LIMITS.descriptionLength, "Registered model description");
  const now = ctx.now();
  try {
    await withTransaction(ctx.database, async (trx) => {
      await trx
        .insertInto("registered_models")
        .values({ name: input.name, creation_time: now, last_updated_time: now, description: input.description ?? null })
        .execute();
      if (tags.size > 0) {
        await trx
          .insertInto("registered_model_tags")
          .values([...tags].map(([key, value]) => ({ name: input.name, key, value })))
          .execute();
      }
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${input.name}) already exists.`);
    throw error;
  }
  return getRegisteredModel(ctx, input.name);
}

/** Gets a registered model with its latest versions, tags and aliases. */
export async function getRegisteredModel(ctx: TrackingContext, name: string): Promise<RegisteredModel> {
  const row = await requireModelRow(ctx.database.db, name);
  return (await loadModels(ctx, [row]))[0]!;
}

/**
 * Renames a model; its versions, tags and aliases follow through MLflow's ON UPDATE CASCADE keys,
 * and the versions' update times move, as MLflow's rename does.
 */
export async function renameRegisteredModel(ctx: TrackingContext, name: string, newName: string): Promise<RegisteredModel> {
  validateModelName(newName);
  try {
    await withTransaction(ctx.database, async (trx) => {
      const current = await requireModelRow(trx, name);
      // Taken, as the database compares names (case- and pad-insensitively on MySQL): said before
      // the update, whose cascade into the versions would fail with a less telling error.
      const taken = (await trx.selectFrom("registered_models").select("name").where("name", "=", newName).executeTakeFirst()) as { name: string } | undefined;
      if (taken && taken.name !== current.name) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${newName}) already exists.`);
      const now = ctx.now();
      await trx.updateTable("registered_models").set({ name: newName, last_updated_time: now }).where("name", "=", name).execute();
      await trx.updateTable("model_versions").set({ last_updated_time: now }).where("name", "=", newName).execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${newName}) already exists.`);
    throw error;
  }
  return getRegisteredModel(ctx, newName);
}

/** Updates a model's description. */
export async function updateRegisteredModel(ctx: TrackingContext, name: string, description: string | undefined): Promise<RegisteredModel> {
  if (description) rejectLong(description, LIMITS.descriptionLength, "Registered model description");
  await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, name);
    await trx
      .updateTable("registered_models")
      .set({ last_updated_time: ctx.now(), ...(description !== undefined ? { description } : {}) })
      .where("name", "=", name)
      .execute();
  });
  return getRegisteredModel(ctx, name);
}

/**
 * Deletes a model with its versions, tags and aliases. MLflow's keys cascade only aliases, so the
 * children go first, as MLflow's ORM deletes them.
 */
export async function deleteRegisteredModel(ctx: TrackingContext, name: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, name);
    for (const table of ["model_version_tags", "registered_model_aliases", "model_versions", "registered_model_tags", "registered_models"]) {
      await trx.deleteFrom(table).where("name", "=", name).execute();
    }
  });
}

/** The key of a registry table for an upsert: MLflow 3.10 put `workspace` in front of every one. */
function registryKey(ctx: TrackingContext, columns: readonly string[]): string[] {
  return ctx.schema.hasWorkspaces ? ["workspace", ...columns] : [...columns];
}

/** Sets (upserts) a registered-model tag. */
export async function setRegisteredModelTag(ctx: TrackingContext, name: string, tag: KeyValue): Promise<void> {
  validateRegistryTag(tag, ctx);
  await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, name);
    await upsert(trx.insertInto("registered_model_tags").values({ name, key: tag.key, value: tag.value }), ctx.database.dialect, registryKey(ctx, ["name", "key"]), {
      value: tag.value,
    }).execute();
  });
}

/** Deletes a registered-model tag; an absent tag is not an error, an absent model is 404. */
export async function deleteRegisteredModelTag(ctx: TrackingContext, name: string, key: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, name);
    await trx.deleteFrom("registered_model_tags").where("name", "=", name).where("key", "=", key).execute();
  });
}

/**
 * The highest version in each requested stage (all four when none is given), stage names matched
 * without regard to case.
 */
export async function getLatestVersions(ctx: TrackingContext, name: string, stages: readonly string[] | undefined): Promise<ModelVersion[]> {
  const wanted = stages && stages.length > 0 ? stages.map(parseStage) : ["None", "Staging", "Production", "Archived"];
  await requireModelRow(ctx.database.db, name);
  const rows = (await ctx.database.db
    .selectFrom("model_versions")
    .select(VERSION_COLUMNS)
    .where("name", "=", name)
    .where("current_stage", "in", wanted)
    .orderBy("version", "desc")
    .execute()) as ModelVersionRow[];
  const seen = new Set<string>();
  const latest = rows.filter((r) => (seen.has(r.current_stage ?? "None") ? false : (seen.add(r.current_stage ?? "None"), true)));
  return loadVersions(ctx, latest.sort((a, b) => a.version - b.version));
}

/** Sets (moves) an alias to an existing version. */
export async function setAlias(ctx: TrackingContext, name: string, alias: string, version: number): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, name);
    const exists = await trx
      .selectFrom("model_versions")
      .select("version")
      .where("name", "=", name)
      .where("version", "=", version)
      .where("current_stage", "!=", DELETED_STAGE)
      .executeTakeFirst();
    if (!exists) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    await upsert(trx.insertInto("registered_model_aliases").values({ name, alias, version }), ctx.database.dialect, registryKey(ctx, ["name", "alias"]), { version }).execute();
  });
}

/** Deletes an alias (404 when the model is unknown). */
export async function deleteAlias(ctx: TrackingContext, name: string, alias: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, name);
    await trx.deleteFrom("registered_model_aliases").where("name", "=", name).where("alias", "=", alias).execute();
  });
}

/** The version an alias points at (404 when the alias is unknown). */
export { registryKey };

export async function getVersionByAlias(ctx: TrackingContext, name: string, alias: string): Promise<ModelVersion> {
  await requireModelRow(ctx.database.db, name);
  const row = (await ctx.database.db
    .selectFrom("registered_model_aliases as a")
    .innerJoin("model_versions as v", (j) => j.onRef("v.name", "=", "a.name").onRef("v.version", "=", "a.version"))
    .select(VERSION_COLUMNS.map((c) => `v.${c}` as const))
    .where("a.name", "=", name)
    .where("a.alias", "=", alias)
    .executeTakeFirst()) as ModelVersionRow | undefined;
  if (!row) throw notFound(`Registered model alias ${alias} not found.`);
  if (row.current_stage === DELETED_STAGE) throw invalidParameter(`Alias ${alias} points at a deleted version`);
  return (await loadVersions(ctx, [row]))[0]!;
}
