import type { Assessment } from "./trace-types.js";

/**
 * A protobuf Duration in JSON (`"0.850s"`) as milliseconds.
 *
 * @example
 * durationMs("0.850s"); // 850
 */
export function durationMs(duration: string | undefined): number | undefined {
  if (!duration) return undefined;
  const seconds = Number.parseFloat(duration);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/**
 * A latency, briefly: `850 ms`, `1.25 s`, `2.1 min`; sub-millisecond spans in µs.
 *
 * @example
 * formatLatency(1250); // "1.25 s"
 */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  // Rounded first: ns times are doubles, and 1 ms must not show as "1000 µs".
  const micros = Math.round(ms * 1000);
  if (micros < 1000) return `${micros} µs`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/**
 * JSON text of a value as one line, for chips and cells.
 *
 * @example
 * compactJson(value);
 */
export function compactJson(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

/**
 * What an assessment says: a feedback's value (or its error code), an expectation's value
 * (decoded from JSON text when serialized).
 *
 * @example
 * assessmentValue({ feedback: { value: true } } as Assessment); // true
 */
export function assessmentValue(a: Assessment): unknown {
  if (a.feedback) {
    if (a.feedback.value !== undefined && a.feedback.value !== null) return a.feedback.value;
    if (a.feedback.error) return `error: ${a.feedback.error.error_code ?? a.feedback.error.error_message ?? "?"}`;
    return null;
  }
  const e = a.expectation;
  if (e?.serialized_value) {
    try {
      return JSON.parse(e.serialized_value.value) as unknown;
    } catch {
      return e.serialized_value.value;
    }
  }
  return e?.value;
}

/**
 * Text typed into a value field, as a value: JSON when it parses (`true`, `0.9`, `{"a":1}`), the
 * text itself otherwise — so `yes` is the string "yes" without quotes.
 *
 * @example
 * parseValueInput("0.9"); // 0.9
 * parseValueInput("looks fine"); // "looks fine"
 */
export function parseValueInput(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}
