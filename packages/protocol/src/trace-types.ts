/**
 * Trace, span and assessment shapes as this server's stores hand them over (MLflow 3's entities,
 * with times in milliseconds); the routes turn them into v2 or v3 wire JSON.
 */

/** Trace states of MLflow 3 (`TraceState`), plus v2's `TRACE_STATUS_UNSPECIFIED`, which 2.x clients store. */
export const TRACE_STATES = ["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;

/** A v2 trace status (`TraceStatus`). */
export const TRACE_STATUSES = ["TRACE_STATUS_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;

/** Where a trace's spans are, as the tag `mlflow.trace.spansLocation` tells clients. */
export const SPANS_LOCATION_TAG = "mlflow.trace.spansLocation";
/** The tag naming a trace's artifact directory (where `traces.json` lives when spans are not in the database). */
export const TRACE_ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";

/**
 * A trace's info as stored: MLflow's `TraceInfo` (v3) with times in epoch milliseconds.
 *
 * @example
 * const info: TraceRecord = { trace_id: "tr-0af7…", experiment_id: "1", request_time: 1730000000123, state: "OK", trace_metadata: {}, tags: {}, assessments: [] };
 */
export interface TraceRecord {
  readonly trace_id: string;
  readonly experiment_id: string;
  /** Start, epoch ms. */
  readonly request_time: number;
  /** Duration in ms; absent while unknown (NULL). */
  readonly execution_duration?: number;
  /** The stored state name (`OK`, `ERROR`, `IN_PROGRESS`, `STATE_UNSPECIFIED`, or v2's `TRACE_STATUS_UNSPECIFIED`). */
  readonly state: string;
  readonly client_request_id?: string;
  readonly request_preview?: string;
  readonly response_preview?: string;
  readonly trace_metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly assessments: readonly AssessmentRecord[];
}

/** Who made an assessment. */
export interface AssessmentSource {
  readonly source_type: string;
  readonly source_id?: string;
}

/** A feedback or expectation on a trace (MLflow's `Assessment`), times in epoch ms. */
export interface AssessmentRecord {
  readonly assessment_id: string;
  readonly assessment_name: string;
  readonly trace_id: string;
  readonly span_id?: string;
  readonly source: AssessmentSource;
  readonly create_time_ms: number;
  readonly last_update_time_ms: number;
  /** Feedback: a value (any JSON) and/or an error. */
  readonly feedback?: { readonly value?: unknown; readonly error?: AssessmentError };
  /** Expectation: a value (any JSON). */
  readonly expectation?: { readonly value?: unknown };
  readonly rationale?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly overrides?: string;
  readonly valid: boolean;
  readonly run_id?: string;
}

/** The error a feedback carries instead of (or with) a value. */
export interface AssessmentError {
  readonly error_code?: string;
  readonly error_message?: string;
  readonly stack_trace?: string;
}

/**
 * One span as MLflow 3 stores it in `spans.content` (`Span.to_dict`): base64 ids, times in ns as
 * decimal strings here (they exceed 2^53), attribute values as JSON text, event attributes as values.
 *
 * @example
 * const span: SpanContent = { trace_id: "Cvc…", span_id: "AAEC…", parent_span_id: null, name: "retrieve", start_time_unix_nano: "1730000000123000000", end_time_unix_nano: "1730000000456000000", events: [], status: { code: "STATUS_CODE_OK", message: "" }, attributes: { "mlflow.spanType": "\"RETRIEVER\"" } };
 */
export interface SpanContent {
  readonly trace_id: string;
  readonly span_id: string;
  readonly parent_span_id: string | null;
  readonly name: string;
  readonly start_time_unix_nano: string;
  readonly end_time_unix_nano: string | null;
  readonly events: readonly { readonly name: string; readonly time_unix_nano: string; readonly attributes: Readonly<Record<string, unknown>> }[];
  readonly status: { readonly code: string; readonly message: string };
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * One span to store, as OTLP ingest converted it: hex ids, times in ns (they exceed 2^53, hence
 * bigint) and the MLflow span dict that `spans.content` holds.
 */
export interface SpanInput {
  /** The MLflow trace ID (`tr-<32 hex>`, or the span's `mlflow.traceRequestId`). */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  /** The decoded `mlflow.spanType`, if any. */
  readonly type?: string;
  readonly status: "OK" | "ERROR" | "UNSET";
  readonly startNs: bigint;
  readonly endNs?: bigint;
  readonly content: SpanContent;
}

/** A new trace (StartTraceV3): its info as the client built it. */
export interface TraceStartInput {
  readonly traceId: string;
  readonly experimentId: string;
  readonly requestTime: number;
  readonly executionDuration?: number;
  readonly state: string;
  readonly clientRequestId?: string;
  readonly requestPreview?: string;
  readonly responsePreview?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly assessments?: readonly AssessmentInput[];
}

/** A new assessment (feedback or expectation). */
export interface AssessmentInput {
  readonly traceId: string;
  readonly name: string;
  readonly spanId?: string;
  readonly source: { readonly sourceType: string; readonly sourceId?: string };
  readonly createTimeMs?: number;
  readonly lastUpdateTimeMs?: number;
  readonly feedback?: { readonly value?: unknown; readonly hasValue: boolean; readonly error?: AssessmentError };
  readonly expectation?: { readonly value?: unknown; readonly hasValue: boolean };
  readonly rationale?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly overrides?: string;
}

/** The fields an update names (`update_mask`) and their new values. */
export interface AssessmentUpdate {
  readonly name?: string;
  readonly feedback?: AssessmentInput["feedback"];
  readonly expectation?: AssessmentInput["expectation"];
  readonly rationale?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}
