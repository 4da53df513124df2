import { invalidParameter, notFound, type KeyValue, type ModelVersion, type Stage } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { upsert, type TrackingContext } from "../tracking/context.js";
import { LIMITS, rejectLong } from "../validation.js";
import { loadVersions } from "./load-registry.js";
import { registryKey, requireModelRow } from "./registered-models.js";
import { DELETED_STAGE, VERSION_COLUMNS, type ModelVersionRow } from "./rows.js";
import { parseModelSource } from "./model-source.js";
import { isLocalSource, parseStage, validateRegistryTag, validateSource } from "./validation.js";

/** Input of {@link createModelVersion}. */
export interface CreateModelVersionInput {
  readonly name: string;
  readonly source: string;
  readonly runId?: string;
  readonly tags?: readonly KeyValue[];
  readonly runLink?: string;
  readonly description?: string;
  readonly modelId?: string;
  readonly userId?: string;
}

/** Reads a live (not deleted) version row; 404 otherwise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function requireVersionRow(db: Kysely<any>, name: string, version: number): Promise<ModelVersionRow> {
  const row = (await db
    .selectFrom("model_versions")
    .select(VERSION_COLUMNS)
    .where("name", "=", name)
    .where("version", "=", version)
    .where("current_stage", "!=", DELETED_STAGE)
    .executeTakeFirst()) as ModelVersionRow | undefined;
  if (!row) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
  return row;
}

async function touchModel(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  trx: Kysely<any>,
  name: string,
  now: number,
): Promise<void> {
  await trx.updateTable("registered_models").set({ last_updated_time: now }).where("name", "=", name).execute();
}

/**
 * Creates the next version of a model (max + 1, deleted versions counted, so numbers are never
 * reused). It is READY at once: the SQL store registers synchronously.
 */
export async function createModelVersion(
  ctx: TrackingContext,
  input: CreateModelVersionInput,
  runArtifactUriOf?: (runId: string) => Promise<string>,
): Promise<ModelVersion> {
  const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
  [...tags].forEach(([key, value]) => validateRegistryTag({ key, value }, ctx));
  // MLflow's columns: source, run_link and status_message VARCHAR(500), description VARCHAR(5000),
  // user_id VARCHAR(256), run_id VARCHAR(32).
  rejectLong(input.source, 500, "Model version source");
  if (input.runLink) rejectLong(input.runLink, 500, "Model version run_link");
  if (input.description) rejectLong(input.description, LIMITS.descriptionLength, "Model version description");
  if (input.userId) rejectLong(input.userId, LIMITS.userIdLength, "Model version user_id");
  if (input.runId) rejectLong(input.runId, LIMITS.runIdColumnLength, "Model version run_id");
  const now = ctx.now();
  const row = await withTransaction(ctx.database, async (trx) => {
    await requireModelRow(trx, input.name);
    // The run matters only to check a local source, which must lie in its artifact directory; a
    // version may otherwise name a run this database does not hold (MLflow accepts that).
    let runArtifactUri: string | undefined;
    if (input.modelId && isLocalSource(input.source)) {
      // MLflow 3: with a model_id, a local source must lie in that logged model's artifact directory.
      const model = ctx.schema.atLeast("400f98739977")
        ? ((await trx.selectFrom("logged_models").select("artifact_location").where("model_id", "=", input.modelId).executeTakeFirst()) as { artifact_location: string } | undefined)
        : undefined;
      validateSource(input.source, model?.artifact_location, ctx.cwd, "model_id");
    } else if (!input.runId || !isLocalSource(input.source)) runArtifactUri = undefined;
    else if (runArtifactUriOf) runArtifactUri = await runArtifactUriOf(input.runId);
    else {
      const run = (await trx.selectFrom("runs").select("artifact_uri").where("run_uuid", "=", input.runId).executeTakeFirst()) as
        | { artifact_uri: string }
        | undefined;
      if (!run) throw notFound(`Run with id=${input.runId} not found`);
      runArtifactUri = run.artifact_uri;
    }
    if (!(input.modelId && isLocalSource(input.source))) validateSource(input.source, runArtifactUri, ctx.cwd);
    // A copy (`models:/<name>/<version>`) stores where the copied version's files are, as MLflow does.
    const parsed = parseModelSource(input.source);
    const storageLocation = parsed.kind === "copy" ? await downloadUriOf(trx, parsed.name, parsed.version) : input.source;
    const { max } = (await trx
      .selectFrom("model_versions")
      .select((eb) => eb.fn.max("version").as("max"))
      .where("name", "=", input.name)
      .executeTakeFirstOrThrow()) as { max: number | null };
    const versionRow: ModelVersionRow = {
      name: input.name,
      version: Number(max ?? 0) + 1,
      creation_time: now,
      last_updated_time: now,
      description: input.description ?? null,
      user_id: input.userId ?? null,
      current_stage: "None",
      source: input.source,
      run_id: input.runId || null,
      run_link: input.runLink || null,
      status: "READY",
      status_message: null,
      storage_location: storageLocation,
    };
    await trx.insertInto("model_versions").values(versionRow).execute();
    if (tags.size > 0) {
      await trx
        .insertInto("model_version_tags")
        .values([...tags].map(([key, value]) => ({ name: input.name, version: versionRow.version, key, value })))
        .execute();
    }
    await touchModel(trx, input.name, now);
    if (input.modelId) await recordVersionOnLoggedModel(ctx, trx, input.modelId, input.name, versionRow.version);
    return versionRow;
  });
  return (await loadVersions(ctx, [row]))[0]!;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function downloadUriOf(db: Kysely<any>, name: string, version: number): Promise<string> {
  const row = await requireVersionRow(db, name, version);
  return row.storage_location || row.source || "";
}

/**
 * Where a live version's files are: its storage location (for a copy, the copied version's),
 * else its source.
 *
 * @example
 * await getDownloadUri(ctx, "churn", 2); // "runs:/abc/model"
 */
export function getDownloadUri(ctx: TrackingContext, name: string, version: number): Promise<string> {
  return downloadUriOf(ctx.database.db, name, version);
}

/** Gets a live version (404 for unknown or deleted ones). */
export async function getModelVersion(ctx: TrackingContext, name: string, version: number): Promise<ModelVersion> {
  return (await loadVersions(ctx, [await requireVersionRow(ctx.database.db, name, version)]))[0]!;
}

/** Updates a version's description. */
export async function updateModelVersion(ctx: TrackingContext, name: string, version: number, description: string | undefined): Promise<ModelVersion> {
  if (description) rejectLong(description, LIMITS.descriptionLength, "Model version description");
  await withTransaction(ctx.database, async (trx) => {
    await requireVersionRow(trx, name, version);
    await trx
      .updateTable("model_versions")
      .set({ last_updated_time: ctx.now(), ...(description !== undefined ? { description } : {}) })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
  });
  return getModelVersion(ctx, name, version);
}

/**
 * Moves a version to a stage; with `archiveExisting` (Staging and Production only) the other
 * versions in that stage go to Archived.
 */
export async function transitionStage(ctx: TrackingContext, name: string, version: number, stageName: string, archiveExisting: boolean): Promise<ModelVersion> {
  const stage: Stage = parseStage(stageName);
  if (archiveExisting && stage !== "Staging" && stage !== "Production") {
    throw invalidParameter(`Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging and Production.`);
  }
  const now = ctx.now();
  await withTransaction(ctx.database, async (trx) => {
    await requireVersionRow(trx, name, version);
    if (archiveExisting) {
      await trx
        .updateTable("model_versions")
        .set({ current_stage: "Archived", last_updated_time: now })
        .where("name", "=", name)
        .where("current_stage", "=", stage)
        .where("version", "!=", version)
        .execute();
    }
    await trx.updateTable("model_versions").set({ current_stage: stage, last_updated_time: now }).where("name", "=", name).where("version", "=", version).execute();
    await touchModel(trx, name, now);
  });
  return getModelVersion(ctx, name, version);
}

/** Soft-deletes a version: hidden from every read, its source and run redacted, its aliases removed. */
export async function deleteModelVersion(ctx: TrackingContext, name: string, version: number): Promise<void> {
  const now = ctx.now();
  await withTransaction(ctx.database, async (trx) => {
    await requireVersionRow(trx, name, version);
    // MLflow's soft delete: the row stays (numbers are never reused), its details redacted; its tags
    // are kept, aliases pointing at it removed.
    await trx
      .updateTable("model_versions")
      .set({
        current_stage: DELETED_STAGE,
        source: "REDACTED-SOURCE-PATH",
        run_id: "REDACTED-RUN-ID",
        run_link: "REDACTED-RUN-LINK",
        description: null,
        user_id: null,
        status_message: null,
        last_updated_time: now,
      })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
    await trx.deleteFrom("registered_model_aliases").where("name", "=", name).where("version", "=", version).execute();
    await touchModel(trx, name, now);
  });
}

/** Sets (upserts) a version tag. */
export async function setModelVersionTag(ctx: TrackingContext, name: string, version: number, tag: KeyValue): Promise<void> {
  validateRegistryTag(tag, ctx, true);
  await withTransaction(ctx.database, async (trx) => {
    await requireVersionRow(trx, name, version);
    await upsert(trx.insertInto("model_version_tags").values({ name, version, key: tag.key, value: tag.value }), ctx.database.dialect, registryKey(ctx, ["name", "version", "key"]), {
      value: tag.value,
    }).execute();
  });
}

/** Deletes a version tag (an absent tag is not an error). */
export async function deleteModelVersionTag(ctx: TrackingContext, name: string, version: number, key: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await requireVersionRow(trx, name, version);
    await trx.deleteFrom("model_version_tags").where("name", "=", name).where("version", "=", version).where("key", "=", key).execute();
  });
}

const MODEL_VERSIONS_TAG = "mlflow.modelVersions";

/**
 * MLflow 3's `set_model_versions_tags`: the logged model a version was registered from lists its
 * versions in the tag `mlflow.modelVersions`, as `json.dumps` writes `[{"name": …, "version": n}]`
 * (duplicates skipped). Only where the logged model is in this database (a separate registry
 * database holds no logged models).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function recordVersionOnLoggedModel(ctx: TrackingContext, trx: Kysely<any>, modelId: string, name: string, version: number): Promise<void> {
  if (!ctx.schema.atLeast("400f98739977")) return;
  const model = (await trx.selectFrom("logged_models").select("experiment_id").where("model_id", "=", modelId).executeTakeFirst()) as { experiment_id: number } | undefined;
  if (!model) return;
  const existing = (await trx.selectFrom("logged_model_tags").select("tag_value").where("model_id", "=", modelId).where("tag_key", "=", MODEL_VERSIONS_TAG).executeTakeFirst()) as
    | { tag_value: string }
    | undefined;
  let list: { name: unknown; version: unknown }[] = [];
  try {
    const parsed: unknown = existing ? JSON.parse(existing.tag_value) : [];
    if (Array.isArray(parsed)) list = parsed as { name: unknown; version: unknown }[];
  } catch {
    // A tag another writer left unreadable is replaced by the list of this version.
  }
  if (list.some((v) => v?.name === name && Number(v?.version) === version)) return;
  list.push({ name, version });
  const value = `[${list.map((v) => `{"name": ${JSON.stringify(v.name)}, "version": ${JSON.stringify(v.version)}}`).join(", ")}]`;
  await upsert(trx.insertInto("logged_model_tags").values({ model_id: modelId, experiment_id: model.experiment_id, tag_key: MODEL_VERSIONS_TAG, tag_value: value }), ctx.database.dialect, ["model_id", "tag_key"], { tag_value: value }).execute();
}
