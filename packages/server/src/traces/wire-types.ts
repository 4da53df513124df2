/** The stores' trace shapes the wire conversions read. */
export type { AssessmentRecord, TraceRecord, SpanContent } from "@mlflow-ts/protocol";

/** A JSON object being built for a reply. */
export type JsonObjectLike = Record<string, unknown>;
