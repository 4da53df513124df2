import protobuf from "protobufjs";
import { EXPORT_TRACE_REQUEST } from "./otlp-schema.js";

/** One OTLP span, decoded: hex IDs, ns times as bigint, attribute values as plain JS values. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; timeNs: bigint; attributes: Record<string, unknown> }[];
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly statusMessage: string;
}

/**
 * Why a request could not be read (400 "Invalid OpenTelemetry protobuf format").
 *
 * @example
 * if (error instanceof OtlpFormatError) return detail(400, error.message);
 */
export class OtlpFormatError extends Error {
  override readonly name = "OtlpFormatError";
}

type Long = { low: number; high: number; unsigned: boolean };

function big(value: unknown): bigint {
  if (value === undefined || value === null || value === "") return 0n;
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (typeof value === "string") {
    if (!/^-?\d+$/.test(value)) throw new OtlpFormatError(`not an integer: '${value.slice(0, 40)}'`);
    return BigInt(value);
  }
  const long = value as Long;
  if (typeof long.low === "number" && typeof long.high === "number") {
    const v = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
    return long.unsigned ? v : BigInt.asIntN(64, v);
  }
  throw new OtlpFormatError("not an integer");
}

function hex(value: unknown, bytes: number, what: string, json: boolean): string {
  // protobufjs leaves an absent bytes field as its empty default (an empty array).
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) return "";
  let out: string;
  if (value instanceof Uint8Array) out = Buffer.from(value).toString("hex");
  // OTLP/JSON writes trace and span IDs as hex strings (not base64, unlike proto3's JSON).
  else if (typeof value === "string" && json && /^[0-9a-fA-F]*$/.test(value)) out = value.toLowerCase();
  else if (typeof value === "string") out = Buffer.from(value, "base64").toString("hex");
  else throw new OtlpFormatError(`${what} is not bytes`);
  if (out.length !== bytes * 2) throw new OtlpFormatError(`${what} must be ${bytes} bytes, got ${out.length / 2}`);
  return out;
}

/** An AnyValue as its plain value (MLflow's `_decode_otel_proto_anyvalue`); protobufjs objects or OTLP/JSON alike. */
function plain(any: unknown, depth = 0): unknown {
  if (depth > 64) throw new OtlpFormatError("attribute values nest too deep");
  if (any === null || typeof any !== "object") return null;
  const v = any as Record<string, unknown>;
  // Only fields present count: protobufjs keeps absent ones as defaults on the prototype ("" for
  // a string, 0 for an int), which would make every value look like an empty string.
  const has = (k: string) => Object.hasOwn(v, k) && v[k] !== null && v[k] !== undefined;
  if (has("stringValue")) return String(v.stringValue);
  if (has("boolValue")) return Boolean(v.boolValue);
  if (has("intValue")) {
    const n = big(v.intValue);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if (has("doubleValue")) return Number(v.doubleValue);
  if (has("arrayValue")) return (((v.arrayValue as Record<string, unknown>).values ?? []) as unknown[]).map((x) => plain(x, depth + 1));
  if (has("kvlistValue")) return keyValues((v.kvlistValue as Record<string, unknown>).values, depth + 1);
  if (has("bytesValue")) return v.bytesValue instanceof Uint8Array ? Buffer.from(v.bytesValue).toString("base64") : String(v.bytesValue);
  return null;
}

function keyValues(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (Array.isArray(list) ? list : []) as { key?: unknown; value?: unknown }[]) {
    if (typeof kv?.key !== "string") throw new OtlpFormatError("attribute without a key");
    out[kv.key] = plain(kv.value, depth);
  }
  return out;
}

const STATUS_NAMES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** The spans of a decoded request (protobufjs message or parsed OTLP/JSON, whose names are the same camelCase). */
function spansOf(request: Record<string, unknown>, json: boolean): OtlpSpan[] {
  const out: OtlpSpan[] = [];
  const resourceSpans = request.resourceSpans ?? request.resource_spans;
  if (!Array.isArray(resourceSpans)) throw new OtlpFormatError("no resource_spans");
  for (const rs of resourceSpans as Record<string, unknown>[]) {
    for (const ss of ((rs.scopeSpans ?? rs.scope_spans ?? []) as Record<string, unknown>[])) {
      for (const s of (ss.spans ?? []) as Record<string, unknown>[]) {
        const status = (s.status ?? {}) as Record<string, unknown>;
        const code = typeof status.code === "string" ? (STATUS_NAMES[status.code] ?? 0) : Number(status.code ?? 0);
        out.push({
          traceId: hex(s.traceId ?? s.trace_id, 16, "trace_id", json),
          spanId: hex(s.spanId ?? s.span_id, 8, "span_id", json),
          parentSpanId: hex(s.parentSpanId ?? s.parent_span_id, 8, "parent_span_id", json) || undefined,
          name: typeof s.name === "string" ? s.name : "",
          startNs: big(s.startTimeUnixNano ?? s.start_time_unix_nano),
          endNs: big(s.endTimeUnixNano ?? s.end_time_unix_nano),
          attributes: keyValues(s.attributes),
          events: ((s.events ?? []) as Record<string, unknown>[]).map((e) => ({
            name: typeof e.name === "string" ? e.name : "",
            timeNs: big(e.timeUnixNano ?? e.time_unix_nano),
            attributes: keyValues(e.attributes),
          })),
          statusCode: code,
          statusMessage: typeof status.message === "string" ? status.message : "",
        });
      }
    }
  }
  return out;
}

/**
 * The spans of an OTLP/HTTP trace export: protobuf (`application/x-protobuf`, what MLflow's
 * clients send) or OTLP/JSON (`application/json`, hex IDs). Throws {@link OtlpFormatError} for a
 * body that is neither.
 *
 * @example
 * const spans = decodeOtlpSpans(body, "protobuf");
 */
export function decodeOtlpSpans(body: Buffer, encoding: "protobuf" | "json"): OtlpSpan[] {
  let request: Record<string, unknown>;
  try {
    if (encoding === "json") {
      const parsed: unknown = JSON.parse(body.toString("utf8"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new OtlpFormatError("not a JSON object");
      request = parsed as Record<string, unknown>;
    } else {
      request = EXPORT_TRACE_REQUEST.decode(body) as unknown as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof OtlpFormatError) throw error;
    if (error instanceof protobuf.util.ProtocolError || error instanceof Error) throw new OtlpFormatError(error.message);
    throw new OtlpFormatError(String(error));
  }
  return spansOf(request, encoding === "json");
}
