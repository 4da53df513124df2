import type { JsonObjectLike } from "./wire-types.js";

const HEX = /^(?:0x)?([0-9a-fA-F]+)$/;

/** An ID as base64 of its big-endian bytes: hex (with or without `0x`, as 2.x and 3.5.0 wrote them) is converted, base64 kept. */
function idB64(id: unknown, bytes: number): string | undefined {
  if (typeof id !== "string" || id === "") return undefined;
  const hex = HEX.exec(id)?.[1];
  if (hex !== undefined && hex.length <= bytes * 2 && (id.startsWith("0x") || hex.length === bytes * 2)) {
    return Buffer.from(hex.padStart(bytes * 2, "0"), "hex").toString("base64");
  }
  return id;
}

/**
 * A JS value as an OTLP `AnyValue` in proto JSON: null → `{}`, arrays and objects recursively.
 *
 * @example
 * anyValue({ q: "hi" }); // { kvlist_value: { values: [{ key: "q", value: { string_value: "hi" } }] } }
 */
export function anyValue(value: unknown): JsonObjectLike {
  if (value === null || value === undefined) return {};
  if (typeof value === "boolean") return { bool_value: value };
  if (typeof value === "string") return { string_value: value };
  if (typeof value === "bigint") return { int_value: value.toString() };
  if (typeof value === "number") return Number.isInteger(value) ? { int_value: value } : { double_value: value };
  if (Array.isArray(value)) return { array_value: { values: value.map(anyValue) } };
  if (typeof value === "object") return { kvlist_value: { values: Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: anyValue(v) })) } };
  return { string_value: String(value) };
}

/**
 * A span attribute value decoded: JSON text (MLflow's rows, Python's files, OTLP attributes Python
 * dumped) parsed, anything else (a plain value of the TypeScript SDK, text that is not JSON) as it is.
 *
 * @example
 * jsonOrText('{"q": "hi"}'); // { q: "hi" }
 * jsonOrText("CHAIN");       // "CHAIN"
 */
export function jsonOrText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const STATUS: Readonly<Record<string, string>> = {
  OK: "STATUS_CODE_OK",
  ERROR: "STATUS_CODE_ERROR",
  UNSET: "STATUS_CODE_UNSET",
  STATUS_CODE_OK: "STATUS_CODE_OK",
  STATUS_CODE_ERROR: "STATUS_CODE_ERROR",
  STATUS_CODE_UNSET: "STATUS_CODE_UNSET",
};

const ns = (v: unknown): string | number | undefined => (typeof v === "string" || typeof v === "number" ? v : typeof v === "bigint" ? v.toString() : undefined);

/**
 * A span in OTLP proto JSON (what GetTrace and BatchGetTraces answer), from any form MLflow's
 * writers stored: a `spans.content` row, a 3.x `traces.json` (Python's JSON-text attributes or the
 * TypeScript SDK's plain values), 3.5.0's hex IDs, or a 2.x `traces.json` span. Nanosecond times
 * stay exact (decimal strings are valid proto JSON for 64-bit integers).
 *
 * @example
 * otlpSpanJson(JSON.parse(row.content)).span_id; // base64 of 8 bytes
 */
export function otlpSpanJson(span: Readonly<Record<string, unknown>>): JsonObjectLike {
  // Built by assignment, not spreads: a 1,000-span trace converts in a few ms.
  const v2 = typeof span.context === "object" && span.context !== null;
  const context = (span.context ?? {}) as Record<string, unknown>;
  const out: JsonObjectLike = {};
  const traceId = idB64(v2 ? context.trace_id : span.trace_id, 16);
  if (traceId) out.trace_id = traceId;
  const spanId = idB64(v2 ? context.span_id : span.span_id, 8);
  if (spanId) out.span_id = spanId;
  const parent = idB64(v2 ? span.parent_id : span.parent_span_id, 8);
  if (parent) out.parent_span_id = parent;
  out.name = span.name ?? "";
  out.start_time_unix_nano = ns(v2 ? span.start_time : span.start_time_unix_nano);
  const end = ns(v2 ? span.end_time : span.end_time_unix_nano);
  if (end !== undefined) out.end_time_unix_nano = end;
  const attributes: { key: string; value: JsonObjectLike }[] = [];
  const attrs = (span.attributes ?? {}) as Record<string, unknown>;
  for (const key in attrs) attributes.push({ key, value: anyValue(jsonOrText(attrs[key])) });
  out.attributes = attributes;
  const events: JsonObjectLike[] = [];
  for (const e of (span.events ?? []) as Record<string, unknown>[]) {
    const eventAttributes: { key: string; value: JsonObjectLike }[] = [];
    const ea = (e.attributes ?? {}) as Record<string, unknown>;
    for (const key in ea) eventAttributes.push({ key, value: anyValue(ea[key]) });
    events.push({ time_unix_nano: ns(e.time_unix_nano ?? e.timestamp), name: e.name, attributes: eventAttributes });
  }
  out.events = events;
  const status = (span.status ?? {}) as Record<string, unknown>;
  const code = STATUS[String(v2 ? span.status_code : (status.code ?? "UNSET"))] ?? "STATUS_CODE_UNSET";
  const message = v2 ? span.status_message : status.message;
  out.status = typeof message === "string" && message !== "" ? { code, message } : { code };
  return out;
}
