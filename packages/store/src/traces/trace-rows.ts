import { notFound, type AssessmentRecord, type TraceRecord } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import type { TrackingContext } from "../tracking/context.js";
import { chunk } from "../tracking/context.js";
import { toAssessment, type AssessmentRow } from "./assessment-rows.js";

/** A `trace_info` row (the v3 columns are absent before revision cbc13b556ace). */
export interface TraceInfoRow {
  request_id: string;
  experiment_id: number | string;
  timestamp_ms: number | string;
  execution_time_ms: number | string | null;
  status: string;
  client_request_id?: string | null;
  request_preview?: string | null;
  response_preview?: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/** The message MLflow 3 answers for an unknown trace. */
export const traceNotFound = (traceId: string) => notFound(`Trace with ID '${traceId}' not found.`);

/**
 * The trace_info columns this database has (the v3 ones from revision cbc13b556ace on).
 *
 * @example
 * db.selectFrom("trace_info").select(traceColumns(ctx));
 */
export function traceColumns(ctx: TrackingContext): string[] {
  const base = ["request_id", "experiment_id", "timestamp_ms", "execution_time_ms", "status"];
  return ctx.schema.atLeast("cbc13b556ace") ? [...base, "client_request_id", "request_preview", "response_preview"] : base;
}

async function keyValues(db: Db, table: string, ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const part of chunk(ids, 500)) {
    const rows = (await db.selectFrom(table).select(["request_id", "key", "value"]).where("request_id", "in", part).execute()) as {
      request_id: string;
      key: string;
      value: string | null;
    }[];
    for (const row of rows) {
      let map = out.get(row.request_id);
      if (!map) out.set(row.request_id, (map = {}));
      map[row.key] = row.value ?? "";
    }
  }
  return out;
}

async function assessmentsOf(ctx: TrackingContext, db: Db, ids: readonly string[]): Promise<Map<string, AssessmentRecord[]>> {
  const out = new Map<string, AssessmentRecord[]>();
  if (!ctx.schema.atLeast("770bee3ae1dd")) return out;
  for (const part of chunk(ids, 500)) {
    const rows = (await db.selectFrom("assessments").selectAll().where("trace_id", "in", part).orderBy("created_timestamp").execute()) as AssessmentRow[];
    for (const row of rows) {
      let list = out.get(row.trace_id);
      if (!list) out.set(row.trace_id, (list = []));
      list.push(toAssessment(row));
    }
  }
  return out;
}

/**
 * Trace records from their rows: tags, metadata and assessments read in one query each.
 *
 * @example
 * const [trace] = await withTraceDetails(ctx, db, [row]);
 */
export async function withTraceDetails(ctx: TrackingContext, db: Db, rows: readonly TraceInfoRow[]): Promise<TraceRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.request_id);
  const [tags, metadata, assessments] = await Promise.all([
    keyValues(db, "trace_tags", ids),
    keyValues(db, "trace_request_metadata", ids),
    assessmentsOf(ctx, db, ids),
  ]);
  return rows.map((row) => ({
    trace_id: row.request_id,
    experiment_id: String(row.experiment_id),
    request_time: Number(row.timestamp_ms),
    ...(row.execution_time_ms === null || row.execution_time_ms === undefined ? {} : { execution_duration: Number(row.execution_time_ms) }),
    state: row.status,
    ...(row.client_request_id ? { client_request_id: row.client_request_id } : {}),
    ...(row.request_preview !== null && row.request_preview !== undefined ? { request_preview: row.request_preview } : {}),
    ...(row.response_preview !== null && row.response_preview !== undefined ? { response_preview: row.response_preview } : {}),
    trace_metadata: metadata.get(row.request_id) ?? {},
    tags: tags.get(row.request_id) ?? {},
    assessments: assessments.get(row.request_id) ?? [],
  }));
}

/**
 * One trace's row, or 404 "Trace with ID '…' not found.".
 *
 * @example
 * const row = await traceRow(ctx, db, "tr-0af7…");
 */
export async function traceRow(ctx: TrackingContext, db: Db, traceId: string): Promise<TraceInfoRow> {
  const row = (await db.selectFrom("trace_info").select(traceColumns(ctx)).where("request_id", "=", traceId).executeTakeFirst()) as TraceInfoRow | undefined;
  if (!row) throw traceNotFound(traceId);
  return row;
}

/**
 * The trace records of these IDs, in the order given; unknown IDs are left out.
 *
 * @example
 * const traces = await loadTraces(ctx, ["tr-1", "tr-2"]);
 */
export async function loadTraces(ctx: TrackingContext, ids: readonly string[], db: Db = ctx.database.db): Promise<TraceRecord[]> {
  const rows: TraceInfoRow[] = [];
  for (const part of chunk([...new Set(ids)], 500)) {
    rows.push(...((await db.selectFrom("trace_info").select(traceColumns(ctx)).where("request_id", "in", part).execute()) as TraceInfoRow[]));
  }
  const byId = new Map((await withTraceDetails(ctx, db, rows)).map((t) => [t.trace_id, t]));
  return ids.map((id) => byId.get(id)).filter((t): t is TraceRecord => t !== undefined);
}
