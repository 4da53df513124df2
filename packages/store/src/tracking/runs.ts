import { randomUUID } from "node:crypto";
import { invalidParameter, notFound, type KeyValue, type Run, type RunInfo, type RunStatus } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { executeCompiledOnce } from "../compiled-once.js";
import type { DialectName } from "../create-database.js";
import { LIMITS, limitValue, rejectLong, validateKey } from "../validation.js";
import { appendToUri, upsert, type TrackingContext } from "./context.js";
import { requireExperimentId } from "./experiments.js";
import { generateRunName } from "./generate-run-name.js";
import { loadRuns } from "./load-runs.js";
import { RUN_COLUMNS, toRunInfo, type RunRow } from "./rows.js";

/** The tag that mirrors a run's name. */
export const RUN_NAME_TAG = "mlflow.runName";

/** Input of {@link createRun}. */
export interface CreateRunInput {
  readonly experimentId?: string;
  readonly userId?: string;
  readonly runName?: string;
  readonly startTime?: number;
  readonly tags?: readonly KeyValue[];
}

/**
 * Reads a run row inside a transaction or on the root database; 404 when unknown.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function requireRunRow(db: Kysely<any>, runId: string, dialect: DialectName): Promise<RunRow> {
  // Every write to a run starts here: compiled once.
  const { rows } = await executeCompiledOnce(db, `${dialect}:run-row`, () => db.selectFrom("runs").select(RUN_COLUMNS).where("run_uuid", "=", runId), [runId]);
  const row = rows[0] as RunRow | undefined;
  if (!row) throw notFound(`Run with id=${runId} not found`);
  return row;
}

/** Throws 400 unless the run is active, as every write to a run requires. */
export function requireActive(row: RunRow): void {
  if (row.lifecycle_stage !== "active") {
    throw invalidParameter(`The run ${row.run_uuid} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
}

/** Creates a run in an active experiment and returns it with its tags. */
export async function createRun(ctx: TrackingContext, input: CreateRunInput): Promise<Run> {
  const experimentId = requireExperimentId(input.experimentId || "0");
  const tags = new Map<string, string>();
  for (const tag of input.tags ?? []) {
    validateKey(tag.key, "tag");
    tags.set(tag.key, limitValue(tag.value, ctx.schema.runTagValueLimit, "tag", tag.key, ctx.truncateLongValues));
  }
  const tagName = tags.get(RUN_NAME_TAG);
  if (input.runName && tagName !== undefined && tagName !== input.runName) {
    throw invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const name = input.runName || tagName || generateRunName();
  rejectLong(name, LIMITS.runNameLength, "Run name");
  if (input.userId) rejectLong(input.userId, LIMITS.userIdLength, "Run user_id");
  tags.set(RUN_NAME_TAG, name);
  const runId = randomUUID().replace(/-/g, "");
  const row = await withTransaction(ctx.database, async (trx) => {
    const experiment = (await trx
      .selectFrom("experiments")
      .select(["lifecycle_stage", "artifact_location"])
      .where("experiment_id", "=", experimentId)
      .executeTakeFirst()) as { lifecycle_stage: string; artifact_location: string | null } | undefined;
    if (!experiment) throw notFound(`No Experiment with id=${input.experimentId || "0"} exists`);
    if (experiment.lifecycle_stage !== "active") {
      throw invalidParameter(`The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
    }
    const artifactUri = appendToUri(appendToUri(experiment.artifact_location ?? appendToUri(ctx.defaultArtifactRoot, String(experimentId)), runId), "artifacts");
    if (artifactUri.length > LIMITS.runArtifactUriLength) {
      throw invalidParameter(`The run's artifact URI '${artifactUri}' is longer than the ${LIMITS.runArtifactUriLength} characters MLflow's schema holds; use a shorter experiment artifact location`);
    }
    const runRow: RunRow = {
      run_uuid: runId,
      name,
      experiment_id: experimentId,
      user_id: input.userId ?? "",
      status: "RUNNING",
      start_time: input.startTime ?? ctx.now(),
      end_time: null,
      deleted_time: null,
      lifecycle_stage: "active",
      artifact_uri: artifactUri,
    };
    // The source columns of MLflow's table, filled as MLflow fills them for REST-created runs.
    await trx.insertInto("runs").values({ ...runRow, source_type: "UNKNOWN", source_name: "", entry_point_name: "", source_version: "" }).execute();
    await trx
      .insertInto("tags")
      .values([...tags].map(([key, value]) => ({ run_uuid: runId, key, value })))
      .execute();
    return runRow;
  });
  return {
    info: toRunInfo(row),
    data: { tags: [...tags].map(([key, value]) => ({ key, value })) },
    inputs: {},
  };
}

/** Gets a run's info only (one query): what authorization needs to find its experiment. */
export async function getRunInfo(ctx: TrackingContext, runId: string): Promise<RunInfo> {
  return toRunInfo(await requireRunRow(ctx.database.db, runId, ctx.database.dialect));
}

/** Gets a run (deleted ones too) with its latest metrics, params, tags and inputs. */
export async function getRun(ctx: TrackingContext, runId: string): Promise<Run> {
  const row = await requireRunRow(ctx.database.db, runId, ctx.database.dialect);
  return (await loadRuns(ctx, [row]))[0]!;
}

/** Updates the fields given of an active run and returns its info. */
export async function updateRun(
  ctx: TrackingContext,
  runId: string,
  input: { readonly status?: RunStatus; readonly endTime?: number; readonly runName?: string },
): Promise<RunInfo> {
  return withTransaction(ctx.database, async (trx) => {
    const row = await requireRunRow(trx, runId, ctx.database.dialect);
    requireActive(row);
    const changes: Partial<RunRow> = {};
    if (input.status !== undefined) changes.status = input.status;
    if (input.endTime !== undefined) changes.end_time = input.endTime;
    if (input.runName) {
      rejectLong(input.runName, LIMITS.runNameLength, "Run name");
      changes.name = input.runName;
      await upsert(trx.insertInto("tags").values({ run_uuid: runId, key: RUN_NAME_TAG, value: input.runName }), ctx.database.dialect, ["run_uuid", "key"], {
        value: input.runName,
      }).execute();
    }
    if (Object.keys(changes).length > 0) await trx.updateTable("runs").set(changes).where("run_uuid", "=", runId).execute();
    return toRunInfo({ ...row, ...changes });
  });
}

async function setRunLifecycle(ctx: TrackingContext, runId: string, stage: "active" | "deleted"): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await requireRunRow(trx, runId, ctx.database.dialect);
    await trx
      .updateTable("runs")
      .set({ lifecycle_stage: stage, deleted_time: stage === "deleted" ? ctx.now() : null })
      .where("run_uuid", "=", runId)
      .execute();
  });
}

/** Soft-deletes a run. */
export function deleteRun(ctx: TrackingContext, runId: string): Promise<void> {
  return setRunLifecycle(ctx, runId, "deleted");
}

/** Restores a deleted run. */
export function restoreRun(ctx: TrackingContext, runId: string): Promise<void> {
  return setRunLifecycle(ctx, runId, "active");
}
