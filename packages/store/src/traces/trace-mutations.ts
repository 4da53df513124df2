import { randomUUID } from "node:crypto";
import { invalidParameter, notFound } from "@mlflow-ts/protocol";
import { withTransaction } from "../with-transaction.js";
import { chunk, insertOrIgnore, type TrackingContext } from "../tracking/context.js";
import { requireExperimentId } from "../tracking/experiments.js";
import { traceRow } from "./trace-rows.js";
import { TRACE_LIMITS, upsertKeyValues } from "./start-trace.js";

const TAG_KEY = /^[/\w.\- :]*$/;

function validateTagKey(key: string): void {
  if (!TAG_KEY.test(key)) {
    throw invalidParameter(
      `Invalid value '${key}' for parameter 'key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
  }
  if (key.length > TRACE_LIMITS.key) throw invalidParameter(`'key' exceeds the maximum length of ${TRACE_LIMITS.key} characters`);
}

/**
 * Sets a trace tag (an upsert; values over 8,000 characters are cut, as MLflow does by default).
 *
 * @example
 * await setTraceTag(ctx, "tr-…", "env", "prod");
 */
export async function setTraceTag(ctx: TrackingContext, traceId: string, key: string, value: string): Promise<void> {
  validateTagKey(key);
  await withTransaction(ctx.database, async (trx) => {
    await traceRow(ctx, trx, traceId);
    await upsertKeyValues(ctx, trx, "trace_tags", [{ request_id: traceId, key, value: value.slice(0, TRACE_LIMITS.value) }]);
  });
}

/**
 * Deletes a trace tag: 404 when the trace or the tag does not exist.
 *
 * @example
 * await deleteTraceTag(ctx, "tr-…", "env");
 */
export async function deleteTraceTag(ctx: TrackingContext, traceId: string, key: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    await traceRow(ctx, trx, traceId);
    const result = await trx.deleteFrom("trace_tags").where("request_id", "=", traceId).where("key", "=", key).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(`No trace tag with key '${key}' for trace with ID '${traceId}'`);
  });
}

/** What to delete: by IDs, or by age (with at most `maxTraces` of the oldest). */
export interface DeleteTracesInput {
  readonly experimentId: string;
  readonly maxTimestampMillis?: number;
  readonly maxTraces?: number;
  readonly traceIds?: readonly string[];
}

/**
 * Deletes traces of one experiment with their tags, metadata, assessments and spans; answers how
 * many. MLflow treats `max_timestamp_millis: 0` as absent-but-present and deletes every trace of
 * the experiment; here 0 means what it says (traces at or before the epoch).
 *
 * @example
 * await deleteTraces(ctx, { experimentId: "1", traceIds: ["tr-…"] }); // 1
 */
export async function deleteTraces(ctx: TrackingContext, input: DeleteTracesInput): Promise<number> {
  const byIds = input.traceIds !== undefined && input.traceIds.length > 0;
  if (input.maxTimestampMillis === undefined && !byIds) throw invalidParameter("Either `max_timestamp_millis` or `trace_ids` must be specified.");
  if (input.maxTimestampMillis !== undefined && byIds) throw invalidParameter("Only one of `max_timestamp_millis` and `trace_ids` can be specified.");
  if (input.maxTraces !== undefined && byIds) throw invalidParameter("`max_traces` can't be specified if `trace_ids` is specified.");
  if (input.maxTraces !== undefined && input.maxTraces <= 0) throw invalidParameter(`\`max_traces\` must be a positive integer, received ${input.maxTraces}.`);
  const experiment = requireExperimentId(input.experimentId);
  return withTransaction(ctx.database, async (trx) => {
    let ids: string[] = [];
    if (byIds) {
      for (const part of chunk([...new Set(input.traceIds)], 500)) {
        const rows = (await trx.selectFrom("trace_info").select("request_id").where("experiment_id", "=", experiment).where("request_id", "in", part).execute()) as { request_id: string }[];
        ids.push(...rows.map((r) => r.request_id));
      }
    } else {
      let q = trx.selectFrom("trace_info").select("request_id").where("experiment_id", "=", experiment).where("timestamp_ms", "<=", input.maxTimestampMillis!).orderBy("timestamp_ms").orderBy("request_id");
      if (input.maxTraces !== undefined) q = q.limit(input.maxTraces);
      ids = ((await q.execute()) as { request_id: string }[]).map((r) => r.request_id);
    }
    // Children first: databases from MLflow 2.13.0 have no ON DELETE CASCADE on the trace tables.
    const children: [string, string][] = [
      ["trace_tags", "request_id"],
      ["trace_request_metadata", "request_id"],
    ];
    if (ctx.schema.atLeast("770bee3ae1dd")) children.push(["assessments", "trace_id"]);
    if (ctx.schema.atLeast("a1b2c3d4e5f6")) children.push(["spans", "trace_id"]);
    for (const part of chunk(ids, 500)) {
      for (const [table, column] of children) await trx.deleteFrom(table).where(column, "in", part).execute();
      await trx.deleteFrom("trace_info").where("request_id", "in", part).execute();
    }
    return ids.length;
  });
}

/**
 * Links traces to a run (MLflow 3's `link_traces_to_run`): at most 100 at once, the run must exist,
 * links that exist are kept.
 *
 * @example
 * await linkTracesToRun(ctx, ["tr-…"], runId);
 */
export async function linkTracesToRun(ctx: TrackingContext, traceIds: readonly string[], runId: string): Promise<void> {
  if (traceIds.length === 0) return;
  ctx.schema.require("de4033877273", "Trace-to-run links");
  if (traceIds.length > 100) {
    throw invalidParameter(`Cannot link more than 100 traces to a run in a single request. Provided ${traceIds.length} traces.`);
  }
  for (const id of traceIds) if (id.length > 36) throw invalidParameter(`Trace ID '${id.slice(0, 60)}' is too long to link (at most 36 characters)`);
  await withTransaction(ctx.database, async (trx) => {
    const run = await trx.selectFrom("runs").select("run_uuid").where("run_uuid", "=", runId).executeTakeFirst();
    if (!run) throw notFound(`Run with id=${runId} not found`);
    const now = ctx.now();
    const rows = [...new Set(traceIds)].map((id) => ({
      association_id: randomUUID().replace(/-/g, ""),
      source_type: "trace",
      source_id: id,
      destination_type: "run",
      destination_id: runId,
      created_time: now,
    }));
    await insertOrIgnore(trx.insertInto("entity_associations").values(rows), ctx.database.dialect).execute();
  });
}
