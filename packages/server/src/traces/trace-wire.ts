import type { AssessmentRecord, JsonObjectLike, TraceRecord } from "./wire-types.js";

const cut = (text: string, n: number) => (text.length > n ? text.slice(0, n) : text);

function truncated(map: Readonly<Record<string, string>>, keyLimit: number, valueLimit: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[cut(k, keyLimit)] = cut(v, valueLimit);
  return out;
}

/** Epoch ms as a protobuf JSON Timestamp (RFC 3339). */
export const timestampJson = (ms: number): string => new Date(ms).toISOString();

/** Milliseconds as a protobuf JSON Duration (`"0.850s"`). */
export const durationJson = (ms: number): string => `${(ms / 1000).toFixed(3)}s`;

/**
 * An assessment in MLflow 3's JSON: times as Timestamps; an expectation's value as `value` when
 * it is a string, number or boolean, else as JSON text in `serialized_value`.
 *
 * @example
 * assessmentJson(a).create_time; // "2025-11-03T10:20:00.000Z"
 */
export function assessmentJson(a: AssessmentRecord): JsonObjectLike {
  const out: JsonObjectLike = {
    assessment_id: a.assessment_id,
    assessment_name: a.assessment_name,
    trace_id: a.trace_id,
    ...(a.span_id ? { span_id: a.span_id } : {}),
    source: { ...a.source },
    create_time: timestampJson(a.create_time_ms),
    last_update_time: timestampJson(a.last_update_time_ms),
  };
  if (a.feedback) {
    out.feedback = { ...(a.feedback.value !== null && a.feedback.value !== undefined ? { value: a.feedback.value } : {}), ...(a.feedback.error ? { error: { ...a.feedback.error } } : {}) };
  } else if (a.expectation) {
    const v = a.expectation.value;
    out.expectation = v !== null && ["string", "number", "boolean"].includes(typeof v) ? { value: v } : { serialized_value: { serialization_format: "JSON_FORMAT", value: JSON.stringify(v ?? null) } };
  }
  if (a.rationale !== undefined) out.rationale = a.rationale;
  if (a.metadata) out.metadata = { ...a.metadata };
  if (a.overrides) out.overrides = a.overrides;
  out.valid = a.valid;
  return out;
}

/**
 * A trace info in MLflow 3's JSON (`TraceInfoV3`), maps truncated as MLflow's responses are
 * (keys 250, metadata values 250, tag values 4,096).
 *
 * @example
 * traceInfoV3(record).trace_location; // { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } }
 */
export function traceInfoV3(t: TraceRecord): JsonObjectLike {
  return {
    trace_id: t.trace_id,
    ...(t.client_request_id ? { client_request_id: t.client_request_id } : {}),
    trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: t.experiment_id } },
    ...(t.request_preview !== undefined ? { request_preview: t.request_preview } : {}),
    ...(t.response_preview !== undefined ? { response_preview: t.response_preview } : {}),
    request_time: timestampJson(t.request_time),
    ...(t.execution_duration !== undefined ? { execution_duration: durationJson(t.execution_duration) } : {}),
    state: t.state === "TRACE_STATUS_UNSPECIFIED" ? "STATE_UNSPECIFIED" : t.state,
    trace_metadata: truncated(t.trace_metadata, 250, 250),
    tags: truncated(t.tags, 250, 4096),
    assessments: t.assessments.map(assessmentJson),
  };
}

/**
 * A trace info in MLflow 2's JSON (`TraceInfo`): key/value lists, times in ms, status names of v2.
 *
 * @example
 * traceInfoV2(record).request_id;
 */
export function traceInfoV2(t: TraceRecord): JsonObjectLike {
  const kv = (map: Readonly<Record<string, string>>) => Object.entries(truncated(map, 250, 250)).map(([key, value]) => ({ key, value }));
  return {
    request_id: t.trace_id,
    experiment_id: t.experiment_id,
    timestamp_ms: t.request_time,
    ...(t.execution_duration !== undefined ? { execution_time_ms: t.execution_duration } : {}),
    status: t.state === "STATE_UNSPECIFIED" ? "TRACE_STATUS_UNSPECIFIED" : t.state,
    request_metadata: kv(t.trace_metadata),
    tags: kv(t.tags),
  };
}
