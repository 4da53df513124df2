import { MlflowError, invalidParameter, notFound, SPANS_LOCATION_TAG, TRACE_ARTIFACT_LOCATION_TAG, type SpanInput } from "@mlflow-ts/protocol";
import { sql } from "kysely";
import { isTransactionConflict, withTransaction } from "../with-transaction.js";
import { insertOrIgnore, upsertIncoming, type TrackingContext } from "../tracking/context.js";
import { requireExperimentId } from "../tracking/experiments.js";
import { traceArtifactLocation, upsertKeyValues } from "./start-trace.js";
import { pyJson, spanJson } from "./py-json.js";
import { truncatedPreview } from "./trace-preview.js";

const TOKEN_USAGE_ATTRIBUTE = "mlflow.chat.tokenUsage";
const TOKEN_USAGE_METADATA = "mlflow.trace.tokenUsage";
const TOKEN_KEYS = ["input_tokens", "output_tokens", "total_tokens"] as const;

type TokenUsage = Partial<Record<(typeof TOKEN_KEYS)[number], number>>;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Adds one token usage to another, key by key (MLflow's `update_token_usage`). */
function addUsage(total: TokenUsage, more: unknown): TokenUsage {
  if (!more || typeof more !== "object") return total;
  const out: TokenUsage = { ...total };
  for (const key of TOKEN_KEYS) {
    const n = Number((more as Record<string, unknown>)[key] ?? 0);
    out[key] = (out[key] ?? 0) + (Number.isFinite(n) ? n : 0);
  }
  return out;
}

/**
 * Stores the spans of one trace, as MLflow 3.3+'s `log_spans` does for OTLP ingest: the trace info
 * is created from the spans when they come first (for the header's experiment, `IN_PROGRESS` until
 * the root arrives), spans are upserted by (trace, span), the trace's start and duration widen to
 * cover them (in SQL, so concurrent batches cannot lose an update), the root sets the status and
 * the previews, and token usage is summed into the trace's metadata. Unlike MLflow, spans for a
 * trace of another experiment are refused: a caller allowed to write one experiment could
 * otherwise change another's trace.
 *
 * @example
 * await logSpans(ctx, "1", spans);
 */
export async function logSpans(ctx: TrackingContext, experimentId: string, spans: readonly SpanInput[]): Promise<void> {
  if (spans.length === 0) return;
  if (!ctx.schema.atLeast("a1b2c3d4e5f6")) {
    throw new MlflowError(
      "NOT_IMPLEMENTED",
      `REST OTLP span logging is not supported by this database: spans are stored from revision a1b2c3d4e5f6 (MLflow 3.3) on, and it is at ${ctx.schema.revision}. Run 'mlflow db upgrade <uri>'.`,
    );
  }
  const traceId = spans[0]!.traceId;
  if (spans.some((s) => s.traceId !== traceId)) throw invalidParameter(`All spans must belong to the same trace. Found trace IDs: ${[...new Set(spans.map((s) => s.traceId))].join(", ")}`);
  if (traceId.length > 50) throw invalidParameter(`Trace ID '${traceId.slice(0, 60)}' is longer than 50 characters`);
  const experiment = requireExperimentId(experimentId);
  let minStart = spans[0]!.startNs;
  let maxEnd: bigint | undefined;
  for (const s of spans) {
    if (s.startNs < minStart) minStart = s.startNs;
    if (s.endNs !== undefined && (maxEnd === undefined || s.endNs > maxEnd)) maxEnd = s.endNs;
  }
  const minStartMs = Number(minStart / 1_000_000n);
  const maxEndMs = maxEnd === undefined ? undefined : Number(maxEnd / 1_000_000n);
  const root = spans.find((s) => s.parentSpanId === undefined);
  const rootStatus = root ? (root.status === "ERROR" ? "ERROR" : "OK") : undefined;
  let usage: TokenUsage | undefined;
  for (const s of spans) {
    const u = parseJson(s.content.attributes[TOKEN_USAGE_ATTRIBUTE]);
    if (u && typeof u === "object") usage = addUsage(usage ?? {}, u);
  }
  const dialect = ctx.database.dialect;
  // OpenTelemetry SDKs export spans of one trace concurrently; on MySQL (gap locks of the upserts)
  // and PostgreSQL two such batches can deadlock. The loser was rolled back whole: run it again.
  await retryDeadlocks(() => withTransaction(ctx.database, async (trx) => {
    const existing = (await trx.selectFrom("trace_info").select(["experiment_id"]).where("request_id", "=", traceId).executeTakeFirst()) as
      | { experiment_id: number | string }
      | undefined;
    if (!existing) {
      const exp = (await trx.selectFrom("experiments").select(["artifact_location"]).where("experiment_id", "=", experiment).executeTakeFirst()) as
        | { artifact_location: string | null }
        | undefined;
      if (!exp) throw notFound(`No Experiment with id=${experimentId} exists`);
      await insertOrIgnore(
        trx.insertInto("trace_info").values({
          request_id: traceId,
          experiment_id: experiment,
          timestamp_ms: minStartMs,
          execution_time_ms: maxEndMs === undefined ? null : maxEndMs - minStartMs,
          status: rootStatus ?? "IN_PROGRESS",
          client_request_id: null,
        }),
        dialect,
      ).execute();
      await upsertKeyValues(ctx, trx, "trace_tags", [{ request_id: traceId, key: TRACE_ARTIFACT_LOCATION_TAG, value: traceArtifactLocation(exp.artifact_location ?? "", traceId) }]);
    } else if (Number(existing.experiment_id) !== experiment) {
      throw invalidParameter(`Trace '${traceId}' belongs to experiment ${existing.experiment_id}, not ${experimentId}`);
    }
    // The spans are in the database now, whoever made the trace: clients need not upload them.
    await upsertKeyValues(ctx, trx, "trace_tags", [{ request_id: traceId, key: SPANS_LOCATION_TAG, value: "TRACKING_STORE" }]);
    const rows = spans.map((s) => ({
      trace_id: traceId,
      experiment_id: experiment,
      span_id: s.spanId,
      parent_span_id: s.parentSpanId ?? null,
      name: s.name,
      type: s.type === undefined ? null : s.type.slice(0, 500),
      status: s.status,
      start_time_unix_nano: s.startNs.toString(),
      end_time_unix_nano: s.endNs === undefined ? null : s.endNs.toString(),
      content: spanJson(s.content),
    }));
    // Later copies of one span in a batch win, as MLflow's session.merge does.
    const unique = [...new Map(rows.map((r) => [r.span_id, r])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      await upsertIncoming(trx.insertInto("spans").values(unique.slice(i, i + 100)), dialect, ["trace_id", "span_id"], [
        "parent_span_id",
        "name",
        "type",
        "status",
        "start_time_unix_nano",
        "end_time_unix_nano",
        "content",
      ]).execute();
    }
    await widenTrace(ctx, trx, traceId, minStartMs, maxEndMs, rootStatus, root);
    if (usage) {
      const stored = (await trx.selectFrom("trace_request_metadata").select(["value"]).where("request_id", "=", traceId).where("key", "=", TOKEN_USAGE_METADATA).executeTakeFirst()) as
        | { value: string | null }
        | undefined;
      const total = addUsage((parseJson(stored?.value ?? undefined) as TokenUsage | undefined) ?? {}, usage);
      await upsertKeyValues(ctx, trx, "trace_request_metadata", [{ request_id: traceId, key: TOKEN_USAGE_METADATA, value: pyJson(total) }]);
    }
  }));
}


async function retryDeadlocks<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts || !(isTransactionConflict(error) || (error as { code?: unknown } | null)?.code === "SQLITE_BUSY")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * i + Math.random() * 10));
    }
  }
}

/** The UPDATE that widens a trace's time range to its spans and lets the root set status and previews. */
async function widenTrace(
  ctx: TrackingContext,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  trx: any,
  traceId: string,
  minStartMs: number,
  maxEndMs: number | undefined,
  rootStatus: string | undefined,
  root: SpanInput | undefined,
): Promise<void> {
  const start = sql`case when timestamp_ms > ${minStartMs} then ${minStartMs} else timestamp_ms end`;
  // execution_time_ms is assigned before timestamp_ms: MySQL evaluates SET left to right with the
  // new values, the other dialects with the old ones; in this order both read the old start.
  const set: Record<string, unknown> = {};
  if (maxEndMs !== undefined) {
    set.execution_time_ms = sql`case when timestamp_ms + execution_time_ms > ${maxEndMs} then timestamp_ms + execution_time_ms else ${maxEndMs} end - ${start}`;
  }
  set.timestamp_ms = start;
  if (rootStatus) set.status = sql`case when status in ('IN_PROGRESS', 'STATE_UNSPECIFIED') then ${rootStatus} else status end`;
  if (root && ctx.schema.atLeast("cbc13b556ace")) {
    const inputs = root.content.attributes["mlflow.spanInputs"];
    const outputs = root.content.attributes["mlflow.spanOutputs"];
    if (inputs) set.request_preview = sql`coalesce(request_preview, ${truncatedPreview(inputs, "user")})`;
    if (outputs) set.response_preview = sql`coalesce(response_preview, ${truncatedPreview(outputs, "assistant")})`;
  }
  await trx.updateTable("trace_info").set(set).where("request_id", "=", traceId).execute();
}
