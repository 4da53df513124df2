import type { SpanContent, SpanInput } from "@mlflow-ts/protocol";
import { pyJson } from "@mlflow-ts/store";
import type { OtlpSpan } from "./otlp-decode.js";
import { jsonOrText } from "../traces/span-wire.js";

const REQUEST_ID = "mlflow.traceRequestId";
const SPAN_TYPE = "mlflow.spanType";
const INPUTS = "mlflow.spanInputs";
const OUTPUTS = "mlflow.spanOutputs";
const TOKEN_USAGE = "mlflow.chat.tokenUsage";

/**
 * An attribute value as MLflow stores it: dumped as JSON text, except that a string holding the
 * JSON of a string or an object is kept as that JSON (MLflow's `sanitize_attributes`: clients
 * send their attributes already dumped, and a second dump would hide them).
 */
function storedAttribute(value: unknown): string {
  const dumped = pyJson(value);
  if (typeof value === "string") {
    try {
      const inner: unknown = JSON.parse(value);
      if (typeof inner === "string" || (typeof inner === "object" && inner !== null && !Array.isArray(inner))) return value;
    } catch {
      // A plain string: stored dumped.
    }
  }
  return dumped;
}

// Where other OpenTelemetry conventions keep a span's inputs and outputs (MLflow's translators:
// OpenInference, GenAI semantic conventions, Traceloop), first match wins.
const INPUT_KEYS = ["input.value", "gen_ai.input.messages", "gen_ai.tool.call.arguments", "traceloop.entity.input", "gen_ai.prompt.0.content"];
const OUTPUT_KEYS = ["output.value", "gen_ai.output.messages", "gen_ai.tool.call.result", "traceloop.entity.output", "gen_ai.completion.0.content"];
const TOKEN_CONVENTIONS: readonly (readonly [string, string, string | undefined])[] = [
  ["llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.total"],
  ["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", undefined],
  ["gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens"],
];

function tokenUsage(attributes: Record<string, string>): string | undefined {
  for (const [input, output, total] of TOKEN_CONVENTIONS) {
    const i = Number(jsonOrText(attributes[input]));
    const o = Number(jsonOrText(attributes[output]));
    if (!(i > 0) || !(o > 0)) continue;
    const t = total !== undefined && attributes[total] !== undefined ? Number(jsonOrText(attributes[total])) : i + o;
    if (!(t > 0)) continue;
    return pyJson({ input_tokens: Math.trunc(i), output_tokens: Math.trunc(o), total_tokens: Math.trunc(t) });
  }
  return undefined;
}

const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/**
 * An OTLP span as MLflow 3 stores it (`Span.from_otel_proto` then `translate_span_when_storing`):
 * the MLflow trace ID from `mlflow.traceRequestId` or `tr-<trace id>`, attributes as JSON text,
 * inputs, outputs and token usage filled from other conventions when MLflow's own are absent.
 *
 * @example
 * const span = spanFromOtlp(decodeOtlpSpans(body, "protobuf")[0]);
 * span.traceId; // "tr-0af7651916cd43dd8448eb211c80319c"
 */
export function spanFromOtlp(span: OtlpSpan): SpanInput {
  const requested = span.attributes[REQUEST_ID];
  let traceId = `tr-${span.traceId}`;
  if (typeof requested === "string" && requested !== "") {
    const inner = jsonOrText(requested);
    traceId = typeof inner === "string" && inner !== "" ? inner : requested;
  }
  const attributes: Record<string, string> = { [REQUEST_ID]: pyJson(traceId) };
  for (const [key, value] of Object.entries(span.attributes)) if (key !== REQUEST_ID) attributes[key] = storedAttribute(value);
  if (attributes[INPUTS] === undefined) {
    const key = INPUT_KEYS.find((k) => attributes[k] !== undefined);
    if (key) attributes[INPUTS] = attributes[key]!;
  }
  if (attributes[OUTPUTS] === undefined) {
    const key = OUTPUT_KEYS.find((k) => attributes[k] !== undefined);
    if (key) attributes[OUTPUTS] = attributes[key]!;
  }
  if (attributes[TOKEN_USAGE] === undefined) {
    const usage = tokenUsage(attributes);
    if (usage) attributes[TOKEN_USAGE] = usage;
  }
  const type = jsonOrText(attributes[SPAN_TYPE]);
  const status = span.statusCode === 2 ? "ERROR" : span.statusCode === 1 ? "OK" : "UNSET";
  // An end time of 0 is a span that has not ended.
  const ended = span.endNs > 0n;
  const content: SpanContent = {
    trace_id: b64(span.traceId),
    span_id: b64(span.spanId),
    parent_span_id: span.parentSpanId ? b64(span.parentSpanId) : null,
    name: span.name,
    start_time_unix_nano: span.startNs.toString(),
    end_time_unix_nano: ended ? span.endNs.toString() : null,
    events: span.events.map((e) => ({ name: e.name, time_unix_nano: e.timeNs.toString(), attributes: e.attributes })),
    status: { code: `STATUS_CODE_${status}`, message: span.statusMessage },
    attributes,
  };
  return {
    traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    ...(typeof type === "string" ? { type } : {}),
    status,
    startNs: span.startNs,
    ...(ended ? { endNs: span.endNs } : {}),
    content,
  };
}
