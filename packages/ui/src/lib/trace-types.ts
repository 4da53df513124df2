// MLflow 3.6's trace wire format as the UI reads it (spec §2.5): TraceInfoV3, assessments, and the
// OTel proto-JSON span that BatchGetTraces answers. Only what the UI uses is typed; every field the
// server may leave out ("unset fields are omitted") is optional.

/** A trace's state in v3 JSON. */
export type TraceState = "STATE_UNSPECIFIED" | "OK" | "ERROR" | "IN_PROGRESS";

/** Where a trace lives: an experiment (the only kind this server serves). */
export interface TraceLocation {
  readonly type: string;
  readonly mlflow_experiment?: { readonly experiment_id: string };
}

/** Who or what made an assessment. */
export interface AssessmentSource {
  readonly source_type: "HUMAN" | "LLM_JUDGE" | "CODE" | "SOURCE_TYPE_UNSPECIFIED" | string;
  readonly source_id?: string;
}

/** A feedback's value (any JSON) or its error. */
export interface FeedbackValue {
  readonly value?: unknown;
  readonly error?: { readonly error_code?: string; readonly error_message?: string; readonly stack_trace?: string };
}

/** An expectation's value: a primitive as is, anything else as JSON text. */
export interface ExpectationValue {
  readonly value?: unknown;
  readonly serialized_value?: { readonly serialization_format: string; readonly value: string };
}

/**
 * An assessment of a trace: exactly one of `feedback` and `expectation`.
 *
 * @example
 * { assessment_id: "a-3f…", assessment_name: "correct", trace_id: "tr-…", source: { source_type: "HUMAN" }, feedback: { value: true }, valid: true }
 */
export interface Assessment {
  readonly assessment_id: string;
  readonly assessment_name: string;
  readonly trace_id: string;
  readonly span_id?: string;
  readonly source?: AssessmentSource;
  readonly create_time?: string;
  readonly last_update_time?: string;
  readonly feedback?: FeedbackValue;
  readonly expectation?: ExpectationValue;
  readonly rationale?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly overrides?: string;
  readonly valid?: boolean;
}

/**
 * A trace's summary row (TraceInfoV3): ids, previews, time (RFC 3339) and duration (`"0.850s"`),
 * state, metadata, tags and assessments.
 */
export interface TraceInfo {
  readonly trace_id: string;
  readonly client_request_id?: string;
  readonly trace_location?: TraceLocation;
  readonly request_preview?: string;
  readonly response_preview?: string;
  readonly request_time?: string;
  readonly execution_duration?: string;
  readonly state?: TraceState;
  readonly trace_metadata?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly assessments?: readonly Assessment[];
}

/** An OTel `AnyValue` in proto JSON; an empty object is null. */
export interface AnyValue {
  readonly string_value?: string;
  readonly bool_value?: boolean;
  readonly int_value?: number | string;
  readonly double_value?: number | string;
  readonly bytes_value?: string;
  readonly array_value?: { readonly values?: readonly AnyValue[] };
  readonly kvlist_value?: { readonly values?: readonly KeyValue[] };
}

/** An OTel attribute in proto JSON. */
export interface KeyValue {
  readonly key: string;
  readonly value?: AnyValue;
}

/** An OTel `trace.v1.Span` in proto JSON (ids base64, times ns as numbers). */
export interface OtelSpan {
  readonly trace_id?: string;
  readonly span_id: string;
  readonly parent_span_id?: string;
  readonly name: string;
  readonly start_time_unix_nano?: number | string;
  readonly end_time_unix_nano?: number | string;
  readonly attributes?: readonly KeyValue[];
  readonly events?: readonly { readonly name: string; readonly time_unix_nano?: number | string; readonly attributes?: readonly KeyValue[] }[];
  readonly status?: { readonly code?: string | number; readonly message?: string };
}

/** A trace with its spans, as BatchGetTraces answers. */
export interface TraceWithSpans {
  readonly trace_info: TraceInfo;
  readonly spans?: readonly OtelSpan[];
}
