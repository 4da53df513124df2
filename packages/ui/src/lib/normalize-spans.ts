import type { AnyValue, KeyValue } from "./trace-types.js";

/** A span event, its attributes decoded. */
export interface SpanEvent {
  readonly name: string;
  readonly timeNs: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/**
 * One span, whichever format it came in: hex ids, ns times (as doubles: ~250 ns of precision at
 * today's epoch, plenty for a timeline), the status as MLflow stores it, attributes decoded.
 */
export interface SpanView {
  readonly spanId: string;
  /** The parent's hex id; `undefined` on a root. */
  readonly parentId: string | undefined;
  readonly name: string;
  readonly type: string | undefined;
  readonly status: "OK" | "ERROR" | "UNSET";
  readonly statusMessage: string | undefined;
  readonly startNs: number;
  readonly endNs: number;
  readonly inputs: unknown;
  readonly outputs: unknown;
  /** Every attribute but inputs and outputs, decoded. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly SpanEvent[];
}

/**
 * An attribute value as MLflow readers take it: JSON text is decoded, anything else (a plain
 * string, or a value the TS SDK wrote already decoded) is kept — Python's own fallback.
 *
 * @example
 * decodeAttribute('"CHAIN"'); // "CHAIN"
 * decodeAttribute("CHAIN"); // "CHAIN"
 * decodeAttribute({ q: "hi" }); // { q: "hi" }
 */
export function decodeAttribute(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * An OTel AnyValue as a plain value (kvlists become objects, arrays lists, `{}` null).
 *
 * @example
 * fromAnyValue(value);
 */
export function fromAnyValue(value: AnyValue | undefined): unknown {
  if (!value) return null;
  if (value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== undefined) return Number(value.double_value);
  if (value.bytes_value !== undefined) return value.bytes_value;
  if (value.array_value) return (value.array_value.values ?? []).map(fromAnyValue);
  if (value.kvlist_value) return fromKeyValues(value.kvlist_value.values ?? []);
  return null;
}

function fromKeyValues(values: readonly KeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of values) out[kv.key] = fromAnyValue(kv.value);
  return out;
}

const HEX = /^[0-9a-f]+$/i;

/**
 * A span or trace id in any of MLflow's spellings as lowercase hex: base64 (v3 JSON and OTLP),
 * `0x…` (2.x traces.json), or hex already (the DB, 3.5.0's variant).
 *
 * @example
 * toHexId("ASNFZ4mrze8="); // "0123456789abcdef"
 */
export function toHexId(id: string | null | undefined): string | undefined {
  if (!id) return undefined;
  if (/^0x/i.test(id)) return id.slice(2).toLowerCase();
  // Base64 of 8 or 16 bytes is 12 or 24 characters: a 16- or 32-character id is hex.
  if ((id.length === 16 || id.length === 32) && HEX.test(id)) return id.toLowerCase();
  try {
    const bytes = atob(id);
    let hex = "";
    for (let i = 0; i < bytes.length; i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, "0");
    return hex || undefined;
  } catch {
    return id;
  }
}

function toStatus(code: unknown): SpanView["status"] {
  const text = String(code ?? "").toUpperCase();
  // OTLP's numeric codes: 1 OK, 2 ERROR.
  if (text === "OK" || text === "STATUS_CODE_OK" || text === "1") return "OK";
  if (text === "ERROR" || text === "STATUS_CODE_ERROR" || text === "2") return "ERROR";
  return "UNSET";
}

function build(fields: { spanId: string | undefined; parentId: string | undefined; name: unknown; start: unknown; end: unknown; status: unknown; statusMessage: unknown; attributes: Record<string, unknown>; events: SpanEvent[] }): SpanView {
  const { "mlflow.spanInputs": inputs, "mlflow.spanOutputs": outputs, ...attributes } = fields.attributes;
  const type = attributes["mlflow.spanType"];
  const start = Number(fields.start ?? 0);
  const end = Number(fields.end ?? 0);
  return {
    spanId: fields.spanId ?? "",
    parentId: fields.parentId,
    name: String(fields.name ?? ""),
    type: typeof type === "string" && type ? type : undefined,
    status: toStatus(fields.status),
    statusMessage: typeof fields.statusMessage === "string" && fields.statusMessage ? fields.statusMessage : undefined,
    startNs: start,
    // An unset end (0) counts as ended at the start, as MLflow reads OTLP.
    endNs: end >= start ? end : start,
    inputs,
    outputs,
    attributes,
    events: fields.events,
  };
}

type Dict = Record<string, unknown>;

function decodeDict(attributes: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attributes && typeof attributes === "object" && !Array.isArray(attributes)) {
    for (const [k, v] of Object.entries(attributes as Dict)) out[k] = decodeAttribute(v);
  } else if (Array.isArray(attributes)) {
    // OTel proto-JSON attributes; a string_value may still be JSON text (DB content served as is).
    for (const kv of attributes as KeyValue[]) out[kv.key] = decodeAttribute(fromAnyValue(kv.value));
  }
  return out;
}

function plainDict(attributes: unknown): Record<string, unknown> {
  if (Array.isArray(attributes)) return fromKeyValues(attributes as KeyValue[]);
  return attributes && typeof attributes === "object" ? { ...(attributes as Dict) } : {};
}

/** One span object of any writer (§4.5: 2.x `context`/`parent_id`, 3.x dict, TS SDK, OTel proto JSON). */
function normalizeSpan(raw: Dict): SpanView {
  const events = ((raw.events as Dict[] | undefined) ?? []).map((e) => ({
    name: String(e.name ?? ""),
    timeNs: Number(e.time_unix_nano ?? e.timestamp ?? 0),
    attributes: plainDict(e.attributes),
  }));
  if (raw.context && typeof raw.context === "object") {
    const context = raw.context as Dict;
    return build({ spanId: toHexId(context.span_id as string), parentId: toHexId(raw.parent_id as string | null), name: raw.name, start: raw.start_time, end: raw.end_time, status: raw.status_code, statusMessage: raw.status_message, attributes: decodeDict(raw.attributes), events });
  }
  const status = (raw.status ?? {}) as Dict;
  return build({
    spanId: toHexId(raw.span_id as string),
    parentId: toHexId(raw.parent_span_id as string | null),
    name: raw.name,
    start: raw.start_time_unix_nano,
    end: raw.end_time_unix_nano,
    status: status.code,
    statusMessage: status.message,
    attributes: decodeDict(raw.attributes),
    events,
  });
}

/**
 * The spans of a trace in whatever shape the server sent: a BatchGetTraces span list, or a
 * `traces.json` document (`{spans: [...]}`) of any writer.
 *
 * @example
 * normalizeSpans(await request("GET", "ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id } }));
 */
export function normalizeSpans(data: unknown): SpanView[] {
  const list = Array.isArray(data) ? data : data && typeof data === "object" ? ((data as Dict).spans ?? []) : [];
  if (!Array.isArray(list)) return [];
  return list.filter((s): s is Dict => !!s && typeof s === "object").map(normalizeSpan);
}
