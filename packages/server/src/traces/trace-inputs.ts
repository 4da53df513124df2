import { f, invalidParameter, type AssessmentInput, type AssessmentUpdate, type Infer, type TraceStartInput } from "@mlflow-ts/protocol";

/** An `Assessment` message as clients send it (proto JSON, snake_case). */
export const assessmentSchema = {
  assessment_name: f.string(),
  trace_id: f.string(),
  span_id: f.string(),
  source: f.object({ source_type: f.string(), source_id: f.string() }),
  create_time: f.json(),
  last_update_time: f.json(),
  feedback: f.object({ value: f.json(), error: f.object({ error_code: f.string(), error_message: f.string(), stack_trace: f.string() }) }),
  expectation: f.object({ value: f.json(), serialized_value: f.object({ serialization_format: f.string(), value: f.string() }) }),
  rationale: f.string(),
  metadata: f.map(),
  overrides: f.string(),
  valid: f.bool(),
};

/** A `TraceInfoV3` message as clients send it. */
export const traceInfoSchema = {
  trace_id: f.string(),
  client_request_id: f.string(),
  trace_location: f.object({ type: f.string(), mlflow_experiment: f.object({ experiment_id: f.string(false, { coerceNumber: true }) }) }),
  request_preview: f.string(),
  response_preview: f.string(),
  request_time: f.json(),
  execution_duration: f.json(),
  state: f.string(),
  trace_metadata: f.map(),
  tags: f.map(),
  assessments: f.objects(assessmentSchema),
};

/**
 * A protobuf JSON Timestamp (`"2025-11-03T10:15:30.123Z"`, or `{seconds, nanos}`) in epoch ms.
 *
 * @example
 * timestampMs("1970-01-01T00:00:01.5Z", "request_time"); // 1500
 */
export function timestampMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    if (Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT/.test(value)) throw invalidParameter(`Invalid value '${value}' for parameter '${name}': expected an RFC 3339 timestamp`);
    // Date.parse keeps milliseconds; finer digits are cut, as MLflow stores milliseconds.
    return ms;
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return Math.floor(s * 1000 + n / 1e6);
  }
  throw invalidParameter(`Invalid value for parameter '${name}': expected an RFC 3339 timestamp`);
}

/**
 * A protobuf JSON Duration (`"0.850s"`) in ms.
 *
 * @example
 * durationMs("1.5s", "execution_duration"); // 1500
 */
export function durationMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    const m = /^(-?\d+(?:\.\d{1,9})?)s$/.exec(value);
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return Math.round(s * 1000 + n / 1e6);
  }
  throw invalidParameter(`Invalid value '${String(value)}' for parameter '${name}': expected a duration such as "1.5s"`);
}

/** An assessment's value: its kind, and whether a value was given (a feedback may carry only an error). */
function valueOf(p: Readonly<Infer<typeof assessmentSchema>>): Pick<AssessmentInput, "feedback" | "expectation"> {
  const out: { feedback?: AssessmentInput["feedback"]; expectation?: AssessmentInput["expectation"] } = {};
  if (p.feedback) {
    const error = p.feedback.error;
    out.feedback = { hasValue: p.feedback.value !== undefined, value: p.feedback.value, ...(error ? { error: { ...error } } : {}) };
  }
  if (p.expectation) {
    const serialized = p.expectation.serialized_value;
    if (serialized) {
      if (serialized.serialization_format !== "JSON_FORMAT") throw invalidParameter(`Unknown expectation serialization format: '${serialized.serialization_format ?? ""}'. Only JSON_FORMAT is supported.`);
      let value: unknown;
      try {
        value = JSON.parse(serialized.value ?? "");
      } catch {
        throw invalidParameter("The expectation's serialized_value is not valid JSON");
      }
      out.expectation = { hasValue: true, value };
    } else out.expectation = { hasValue: p.expectation.value !== undefined, value: p.expectation.value };
  }
  return out;
}

/**
 * A new assessment from its message; the trace named in the path wins over the body's.
 *
 * @example
 * assessmentInput(p.assessment, "tr-…");
 */
export function assessmentInput(p: Readonly<Infer<typeof assessmentSchema>>, traceId: string): AssessmentInput {
  return {
    traceId,
    name: p.assessment_name ?? "",
    ...(p.span_id ? { spanId: p.span_id } : {}),
    source: { sourceType: p.source?.source_type ?? "SOURCE_TYPE_UNSPECIFIED", ...(p.source?.source_id ? { sourceId: p.source.source_id } : {}) },
    createTimeMs: timestampMs(p.create_time, "create_time"),
    lastUpdateTimeMs: timestampMs(p.last_update_time, "last_update_time"),
    ...valueOf(p),
    ...(p.rationale !== undefined ? { rationale: p.rationale } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    ...(p.overrides ? { overrides: p.overrides } : {}),
  };
}

const MASK_PATHS = new Set(["assessmentName", "feedback", "expectation", "rationale", "metadata", "valid"]);

/**
 * The fields an `update_mask` (a comma-separated string of lowerCamelCase paths, as protobuf JSON
 * writes a FieldMask) names, with their new values.
 *
 * @example
 * assessmentUpdate(p.assessment, "assessmentName,rationale");
 */
export function assessmentUpdate(p: Readonly<Infer<typeof assessmentSchema>>, mask: string): AssessmentUpdate {
  const paths = mask.split(",").map((s) => s.trim()).filter(Boolean);
  for (const path of paths) {
    if (!MASK_PATHS.has(path)) throw invalidParameter(`Invalid update_mask path '${path}'. Valid paths are: ${[...MASK_PATHS].join(", ")}`);
  }
  if (paths.includes("valid")) throw invalidParameter("An assessment's validity changes only through overrides; 'valid' cannot be updated");
  const value = valueOf(p);
  return {
    ...(paths.includes("assessmentName") ? { name: p.assessment_name ?? "" } : {}),
    ...(paths.includes("feedback") ? { feedback: value.feedback ?? { hasValue: false } } : {}),
    ...(paths.includes("expectation") ? { expectation: value.expectation ?? { hasValue: false } } : {}),
    ...(paths.includes("rationale") ? { rationale: p.rationale ?? "" } : {}),
    ...(paths.includes("metadata") ? { metadata: p.metadata ?? {} } : {}),
  };
}

/**
 * StartTraceV3's trace info as the store takes it.
 *
 * @example
 * traceStartInput(p.trace.trace_info);
 */
export function traceStartInput(info: Readonly<Infer<typeof traceInfoSchema>>): TraceStartInput {
  const experimentId = info.trace_location?.mlflow_experiment?.experiment_id;
  if (info.trace_location?.type && info.trace_location.type !== "MLFLOW_EXPERIMENT") {
    throw invalidParameter(`Unsupported trace location type '${info.trace_location.type}': this server stores traces in MLflow experiments (MLFLOW_EXPERIMENT)`);
  }
  if (!experimentId) throw invalidParameter("Missing value for required parameter 'trace.trace_info.trace_location.mlflow_experiment.experiment_id'.");
  if (!info.trace_id) throw invalidParameter("Missing value for required parameter 'trace.trace_info.trace_id'.");
  const state = info.state ?? "STATE_UNSPECIFIED";
  if (!["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"].includes(state)) throw invalidParameter(`Invalid value '${state}' for parameter 'state'`);
  return {
    traceId: info.trace_id,
    experimentId,
    requestTime: timestampMs(info.request_time, "request_time") ?? Date.now(),
    executionDuration: durationMs(info.execution_duration, "execution_duration"),
    state,
    ...(info.client_request_id ? { clientRequestId: info.client_request_id } : {}),
    ...(info.request_preview !== undefined ? { requestPreview: info.request_preview } : {}),
    ...(info.response_preview !== undefined ? { responsePreview: info.response_preview } : {}),
    metadata: info.trace_metadata ?? {},
    tags: info.tags ?? {},
    assessments: (info.assessments ?? []).map((a) => assessmentInput(a, info.trace_id!)),
  };
}
