import type { AssessmentError, AssessmentRecord } from "@mlflow-ts/protocol";

/** An `assessments` row. */
export interface AssessmentRow {
  assessment_id: string;
  trace_id: string;
  name: string;
  assessment_type: string;
  value: string;
  error: string | null;
  created_timestamp: number | string;
  last_updated_timestamp: number | string;
  source_type: string;
  source_id: string | null;
  run_id: string | null;
  span_id: string | null;
  rationale: string | null;
  overrides: string | null;
  valid: boolean | number;
  assessment_metadata: string | null;
}

function parseOr<T>(text: string | null, fallback: T): unknown {
  if (text === null) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    // MLflow writes json.dumps; a row another writer left unparseable is shown as its text.
    return text;
  }
}

/**
 * An assessment as stored, read back: `value`, `error` and `assessment_metadata` are JSON text.
 *
 * @example
 * toAssessment(row).feedback?.value;
 */
export function toAssessment(row: AssessmentRow): AssessmentRecord {
  const value = parseOr(row.value, null);
  const error = row.error === null ? undefined : (parseOr(row.error, undefined) as AssessmentError);
  const metadata = row.assessment_metadata === null ? undefined : (parseOr(row.assessment_metadata, undefined) as Record<string, string>);
  const feedback = row.assessment_type === "feedback";
  return {
    assessment_id: row.assessment_id,
    assessment_name: row.name,
    trace_id: row.trace_id,
    ...(row.span_id ? { span_id: row.span_id } : {}),
    source: { source_type: row.source_type, ...(row.source_id ? { source_id: row.source_id } : {}) },
    create_time_ms: Number(row.created_timestamp),
    last_update_time_ms: Number(row.last_updated_timestamp),
    ...(feedback ? { feedback: { value, ...(error && typeof error === "object" ? { error } : {}) } } : { expectation: { value } }),
    ...(row.rationale !== null ? { rationale: row.rationale } : {}),
    ...(metadata && typeof metadata === "object" ? { metadata } : {}),
    ...(row.overrides ? { overrides: row.overrides } : {}),
    valid: row.valid === true || row.valid === 1 || (row.valid as unknown) === "1",
    ...(row.run_id ? { run_id: row.run_id } : {}),
  };
}
