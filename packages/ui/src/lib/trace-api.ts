// The trace endpoints the UI calls: the ones MLflow 3.6's own UI uses (spec §8.4), v3 where MLflow
// has one, v2 where its UI stays on v2 (tags, delete, the traces.json fetch).
import { request } from "./api.js";
import { normalizeSpans, type SpanView } from "./normalize-spans.js";
import type { Assessment, TraceInfo, TraceWithSpans } from "./trace-types.js";

const V3 = "ajax-api/3.0/mlflow/traces";
const V2 = "ajax-api/2.0/mlflow";

/** A page of a trace search. */
export interface TracePage {
  readonly traces: readonly TraceInfo[];
  readonly nextPageToken: string | undefined;
}

/**
 * One page of an experiment's traces, with MLflow's filter syntax and order.
 *
 * @example
 * const page = await searchTraces("1", { filter: "tags.env = 'prod'", orderBy: ["timestamp_ms DESC"], maxResults: 100 });
 */
export async function searchTraces(experimentId: string, options: { filter?: string; orderBy?: readonly string[]; maxResults?: number; pageToken?: string; signal?: AbortSignal }): Promise<TracePage> {
  const body = {
    locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }],
    filter: options.filter || undefined,
    max_results: options.maxResults ?? 100,
    order_by: options.orderBy ?? [],
    page_token: options.pageToken,
  };
  const answer = await request<{ traces?: TraceInfo[]; next_page_token?: string }>("POST", `${V3}/search`, { body, signal: options.signal });
  return { traces: answer.traces ?? [], nextPageToken: answer.next_page_token || undefined };
}

/**
 * A trace's info with its assessments (GetTraceInfoV3).
 *
 * @example
 * const info = await getTraceInfo("tr-0af7…");
 */
export async function getTraceInfo(traceId: string, signal?: AbortSignal): Promise<TraceInfo> {
  const answer = await request<{ trace?: { trace_info: TraceInfo } }>("GET", `${V3}/${encodeURIComponent(traceId)}`, { signal });
  if (!answer.trace?.trace_info) throw new Error(`Trace ${traceId} has no info`);
  return answer.trace.trace_info;
}

/**
 * A trace's spans: from the tracking store (BatchGetTraces) when the trace is tagged
 * `mlflow.trace.spansLocation = TRACKING_STORE`, else — or when the store holds none, as for TS-SDK
 * traces on MLflow's own server — from its `traces.json` through `get-trace-artifact`.
 *
 * @example
 * const spans = await getTraceSpans(await getTraceInfo(id));
 */
export async function getTraceSpans(info: TraceInfo, signal?: AbortSignal): Promise<SpanView[]> {
  if (info.tags?.["mlflow.trace.spansLocation"] === "TRACKING_STORE") {
    const answer = await request<{ traces?: TraceWithSpans[] }>("GET", `${V3}/batchGet`, { query: { trace_ids: [info.trace_id] }, signal });
    const spans = answer.traces?.find((t) => t.trace_info?.trace_id === info.trace_id)?.spans ?? answer.traces?.[0]?.spans ?? [];
    if (spans.length) return normalizeSpans(spans);
  }
  const data = await request<unknown>("GET", `${V2}/get-trace-artifact`, { query: { request_id: info.trace_id }, signal });
  return normalizeSpans(data);
}

/**
 * Sets a tag on a trace (SetTraceTag, v2 path, as every MLflow client does).
 *
 * @example
 * await setTraceTag("tr-…", "env", "prod");
 */
export async function setTraceTag(traceId: string, key: string, value: string): Promise<void> {
  await request("PATCH", `${V2}/traces/${encodeURIComponent(traceId)}/tags`, { body: { key, value } });
}

/**
 * Deletes a tag of a trace. The key goes in the body, which is what MLflow's handler reads (its own
 * UI's `?key=` is refused by 3.6, spec §9 item 12).
 *
 * @example
 * await deleteTraceTag("tr-…", "env");
 */
export async function deleteTraceTag(traceId: string, key: string): Promise<void> {
  await request("DELETE", `${V2}/traces/${encodeURIComponent(traceId)}/tags`, { body: { key } });
}

/**
 * Deletes traces of an experiment by id, 100 per call (MLflow's client batch).
 *
 * @example
 * const deleted = await deleteTraces("1", ["tr-a", "tr-b"]);
 */
export async function deleteTraces(experimentId: string, traceIds: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < traceIds.length; i += 100) {
    const answer = await request<{ traces_deleted?: number }>("POST", `${V2}/traces/delete-traces`, { body: { experiment_id: experimentId, request_ids: traceIds.slice(i, i + 100) } });
    deleted += answer.traces_deleted ?? 0;
  }
  return deleted;
}

/** What a new or edited assessment says: its kind, name, value and (feedback only) rationale. */
export interface AssessmentDraft {
  readonly kind: "feedback" | "expectation";
  readonly name: string;
  readonly value: unknown;
  readonly rationale?: string;
}

// An expectation carries primitives as `value`, anything else as JSON text (spec §2.5).
function valueField(draft: AssessmentDraft): Record<string, unknown> {
  if (draft.kind === "feedback") return { feedback: { value: draft.value } };
  const v = draft.value;
  const primitive = typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  return { expectation: primitive ? { value: v } : { serialized_value: { serialization_format: "JSON_FORMAT", value: JSON.stringify(v) } } };
}

/**
 * Adds an assessment by a human (`source_id` is the signed-in user, or empty).
 *
 * @example
 * await createAssessment("tr-…", { kind: "feedback", name: "correct", value: true, rationale: "cites the doc" }, "alice");
 */
export async function createAssessment(traceId: string, draft: AssessmentDraft, user: string): Promise<Assessment> {
  const assessment = {
    assessment_name: draft.name,
    trace_id: traceId,
    source: { source_type: "HUMAN", source_id: user },
    ...valueField(draft),
    ...(draft.kind === "feedback" && draft.rationale ? { rationale: draft.rationale } : {}),
  };
  const answer = await request<{ assessment: Assessment }>("POST", `${V3}/${encodeURIComponent(traceId)}/assessments`, { body: { assessment } });
  return answer.assessment;
}

/**
 * Changes an assessment's value (and a feedback's rationale); the mask names only those fields, so
 * name, source and the rest stay.
 *
 * @example
 * await updateAssessment("tr-…", "a-3f…", { kind: "feedback", name: "correct", value: false, rationale: "wrong year" });
 */
export async function updateAssessment(traceId: string, assessmentId: string, draft: AssessmentDraft): Promise<Assessment> {
  const mask = draft.kind === "feedback" ? "feedback,rationale" : "expectation";
  const assessment = { assessment_id: assessmentId, trace_id: traceId, assessment_name: draft.name, ...valueField(draft), ...(draft.kind === "feedback" ? { rationale: draft.rationale ?? "" } : {}) };
  const answer = await request<{ assessment: Assessment }>("PATCH", `${V3}/${encodeURIComponent(traceId)}/assessments/${encodeURIComponent(assessmentId)}`, { body: { assessment, update_mask: mask } });
  return answer.assessment;
}

/**
 * Deletes an assessment (the body repeats the ids, as MLflow's Python client sends them).
 *
 * @example
 * await deleteAssessment("tr-…", "a-3f…");
 */
export async function deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
  await request("DELETE", `${V3}/${encodeURIComponent(traceId)}/assessments/${encodeURIComponent(assessmentId)}`, { body: { trace_id: traceId, assessment_id: assessmentId } });
}
