import { randomUUID } from "node:crypto";
import { invalidParameter, notFound, SPANS_LOCATION_TAG, TRACE_ARTIFACT_LOCATION_TAG, type KeyValue, type TraceRecord, type TraceStartInput } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { appendToUri, insertOrIgnore, upsertIncoming, type TrackingContext } from "../tracking/context.js";
import { requireExperimentId } from "../tracking/experiments.js";
import { loadTraces, traceNotFound, traceRow } from "./trace-rows.js";
import { assessmentRow, insertAssessments } from "./assessments.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/** Column limits of MLflow's trace tables. */
export const TRACE_LIMITS = { id: 50, key: 250, value: 8000, preview: 1000 } as const;

/**
 * The experiment a new trace goes to: it must exist (404) and be active (400).
 *
 * @example
 * const { id, artifactLocation } = await activeExperiment(trx, "1");
 */
export async function activeExperiment(db: Db, experimentId: string): Promise<{ id: number; artifactLocation: string }> {
  const id = requireExperimentId(experimentId);
  const row = (await db.selectFrom("experiments").select(["lifecycle_stage", "artifact_location"]).where("experiment_id", "=", id).executeTakeFirst()) as
    | { lifecycle_stage: string; artifact_location: string | null }
    | undefined;
  if (!row) throw notFound(`No Experiment with id=${experimentId} exists`);
  if (row.lifecycle_stage !== "active") {
    throw invalidParameter(`The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return { id, artifactLocation: row.artifact_location ?? "" };
}

/**
 * Where a trace's `traces.json` goes: `<experiment location>/traces/<id>/artifacts`, as MLflow
 * tags it (`mlflow.artifactLocation`).
 *
 * @example
 * traceArtifactLocation("mlflow-artifacts:/1", "tr-0af7"); // "mlflow-artifacts:/1/traces/tr-0af7/artifacts"
 */
export function traceArtifactLocation(experimentLocation: string, traceId: string): string {
  return appendToUri(appendToUri(appendToUri(experimentLocation, "traces"), traceId), "artifacts");
}

/** Key/value rows of a trace's tags or metadata: keys checked, values cut to the column (as MLflow truncates). */
function kvRows(traceId: string, entries: Iterable<readonly [string, string]>, what: string): { request_id: string; key: string; value: string }[] {
  const rows = new Map<string, { request_id: string; key: string; value: string }>();
  for (const [key, value] of entries) {
    if (key === "") throw invalidParameter(`Invalid trace ${what} key: keys may not be empty`);
    if (key.length > TRACE_LIMITS.key) throw invalidParameter(`Trace ${what} key '${key.slice(0, 50)}...' had length ${key.length}, which exceeded length limit of ${TRACE_LIMITS.key}`);
    rows.set(key, { request_id: traceId, key, value: value.length > TRACE_LIMITS.value ? value.slice(0, TRACE_LIMITS.value) : value });
  }
  return [...rows.values()];
}

/**
 * Upserts tag or metadata rows by (key, request_id).
 *
 * @example
 * await upsertKeyValues(ctx, trx, "trace_tags", [{ request_id: "tr-…", key: "env", value: "prod" }]);
 */
export async function upsertKeyValues(ctx: TrackingContext, db: Db, table: "trace_tags" | "trace_request_metadata", rows: readonly { request_id: string; key: string; value: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await upsertIncoming(db.insertInto(table).values(rows as never), ctx.database.dialect, ["key", "request_id"], ["value"]).execute();
}

function preview(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > TRACE_LIMITS.preview ? `${text.slice(0, TRACE_LIMITS.preview - 3)}...` : text;
}

const pairs = (list: readonly KeyValue[] | undefined) => (list ?? []).map((kv) => [kv.key, kv.value ?? ""] as const);

/**
 * StartTrace (v2, MLflow 2.14+ clients at the root span's start): a new trace with a server-made
 * ID, `IN_PROGRESS`, tagged with its artifact location (its spans go to `traces.json` there).
 *
 * @example
 * const info = await startTraceV2(ctx, { experimentId: "1", timestampMs: Date.now() });
 */
export async function startTraceV2(ctx: TrackingContext, input: { experimentId: string; timestampMs: number; metadata?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<TraceRecord> {
  const traceId = randomUUID().replace(/-/g, "");
  await withTransaction(ctx.database, async (trx) => {
    const experiment = await activeExperiment(trx, input.experimentId);
    await trx.insertInto("trace_info").values({ request_id: traceId, experiment_id: experiment.id, timestamp_ms: input.timestampMs, execution_time_ms: null, status: "IN_PROGRESS" }).execute();
    const tags = kvRows(traceId, [...pairs(input.tags), [TRACE_ARTIFACT_LOCATION_TAG, traceArtifactLocation(experiment.artifactLocation, traceId)]], "tag");
    await upsertKeyValues(ctx, trx, "trace_tags", tags);
    await upsertKeyValues(ctx, trx, "trace_request_metadata", kvRows(traceId, pairs(input.metadata), "metadata"));
  });
  return (await loadTraces(ctx, [traceId]))[0]!;
}

/**
 * EndTrace (v2): the duration from the stored start, the status as sent, tags and metadata upserted.
 *
 * @example
 * await endTraceV2(ctx, id, { timestampMs: Date.now(), status: "OK" });
 */
export async function endTraceV2(ctx: TrackingContext, traceId: string, input: { timestampMs: number; status: string; metadata?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<TraceRecord> {
  await withTransaction(ctx.database, async (trx) => {
    const row = await traceRow(ctx, trx, traceId);
    await trx
      .updateTable("trace_info")
      .set({ execution_time_ms: input.timestampMs - Number(row.timestamp_ms), status: input.status })
      .where("request_id", "=", traceId)
      .execute();
    await upsertKeyValues(ctx, trx, "trace_tags", kvRows(traceId, pairs(input.tags), "tag"));
    await upsertKeyValues(ctx, trx, "trace_request_metadata", kvRows(traceId, pairs(input.metadata), "metadata"));
  });
  return (await loadTraces(ctx, [traceId]))[0]!;
}

/**
 * Whether the database holds span rows of this trace.
 *
 * @example
 * if (await hasSpanRows(ctx, trx, "tr-…")) tags.push([SPANS_LOCATION_TAG, "TRACKING_STORE"]);
 */
export async function hasSpanRows(ctx: TrackingContext, db: Db, traceId: string): Promise<boolean> {
  if (!ctx.schema.atLeast("a1b2c3d4e5f6")) return false;
  return (await db.selectFrom("spans").select("span_id").where("trace_id", "=", traceId).limit(1).executeTakeFirst()) !== undefined;
}

/**
 * StartTraceV3 (3.x clients and MLflow's TypeScript SDK, when the root span ends): the trace info
 * as the client built it. When OTLP spans came first the row exists: it is merged with the client's
 * values (tags and metadata upserted, none removed). Unlike MLflow, `spansLocation=TRACKING_STORE`
 * is set only when span rows exist: a client that sent no spans over OTLP (the TypeScript SDK, a
 * 3.x client that could not reach `/v1/traces`) is then told to upload `traces.json`, which reads
 * serve; MLflow's tag there would lose those spans.
 *
 * @example
 * await startTrace(ctx, { traceId: "tr-…", experimentId: "1", requestTime: Date.now(), state: "OK", metadata: {}, tags: {} });
 */
export async function startTrace(ctx: TrackingContext, input: TraceStartInput): Promise<TraceRecord> {
  if (input.traceId === "") throw invalidParameter("Missing value for required parameter 'trace_id'.");
  if (input.traceId.length > TRACE_LIMITS.id) throw invalidParameter(`Trace ID '${input.traceId.slice(0, 60)}' is longer than ${TRACE_LIMITS.id} characters`);
  if (input.clientRequestId !== undefined && input.clientRequestId.length > TRACE_LIMITS.id) {
    throw invalidParameter(`client_request_id had length ${input.clientRequestId.length}, which exceeded length limit of ${TRACE_LIMITS.id}`);
  }
  if (input.assessments?.length) ctx.schema.require("770bee3ae1dd", "Assessments");
  const v3 = ctx.schema.atLeast("cbc13b556ace");
  const assessments = (input.assessments ?? []).map((a) => assessmentRow(ctx, { ...a, traceId: input.traceId }));
  await withTransaction(ctx.database, async (trx) => {
    const experiment = await activeExperiment(trx, input.experimentId);
    const row = {
      request_id: input.traceId,
      experiment_id: experiment.id,
      timestamp_ms: input.requestTime,
      execution_time_ms: input.executionDuration ?? null,
      status: input.state,
      ...(v3 ? { client_request_id: input.clientRequestId ?? null, request_preview: preview(input.requestPreview) ?? null, response_preview: preview(input.responsePreview) ?? null } : {}),
    };
    // Spans sent over OTLP usually come first and made the row: then it is merged (as MLflow does).
    const inserted = await insertOrIgnore(trx.insertInto("trace_info").values(row), ctx.database.dialect).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const existing = (await trx.selectFrom("trace_info").select(["experiment_id"]).where("request_id", "=", input.traceId).executeTakeFirstOrThrow()) as { experiment_id: number | string };
      if (Number(existing.experiment_id) !== experiment.id) {
        // A trace never moves: its experiment decides who may read and change it.
        throw invalidParameter(`Trace '${input.traceId}' belongs to experiment ${existing.experiment_id}, not ${input.experimentId}`);
      }
      const { request_id: _id, experiment_id: _exp, ...set } = row;
      await trx.updateTable("trace_info").set(set).where("request_id", "=", input.traceId).execute();
    }
    // The spans' location is the server's to say, from what it holds.
    const tags = Object.entries(input.tags).filter(([k]) => k !== SPANS_LOCATION_TAG && k !== TRACE_ARTIFACT_LOCATION_TAG);
    tags.push([TRACE_ARTIFACT_LOCATION_TAG, traceArtifactLocation(experiment.artifactLocation, input.traceId)]);
    if (await hasSpanRows(ctx, trx, input.traceId)) tags.push([SPANS_LOCATION_TAG, "TRACKING_STORE"]);
    await upsertKeyValues(ctx, trx, "trace_tags", kvRows(input.traceId, tags, "tag"));
    await upsertKeyValues(ctx, trx, "trace_request_metadata", kvRows(input.traceId, Object.entries(input.metadata), "metadata"));
    await insertAssessments(ctx, trx, assessments);
  });
  return (await loadTraces(ctx, [input.traceId]))[0]!;
}

/**
 * The experiment a trace belongs to, or 404.
 *
 * @example
 * await traceExperiment(ctx, "tr-…"); // "1"
 */
export async function traceExperiment(ctx: TrackingContext, traceId: string): Promise<string> {
  const row = (await ctx.database.db.selectFrom("trace_info").select(["experiment_id"]).where("request_id", "=", traceId).executeTakeFirst()) as
    | { experiment_id: number | string }
    | undefined;
  if (!row) throw traceNotFound(traceId);
  return String(row.experiment_id);
}

