/**
 * JSON text as Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII kept), the
 * form MLflow stores span attributes and span content in: MLflow's own `span.attributes.<a>` search
 * matches that text, so rows written here must read the same.
 *
 * @example
 * pyJson({ q: "hi", n: [1, 2] }); // '{"q": "hi", "n": [1, 2]}'
 */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      // Python writes NaN and the infinities bare; JSON.stringify would write null.
      if (Number.isNaN(value)) return "NaN";
      if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) parts.push(`${JSON.stringify(k)}: ${pyJson(v)}`);
      return `{${parts.join(", ")}}`;
    }
    default:
      return "null";
  }
}

// The nanosecond fields of a span dict (v3 names, and v2's start_time/end_time/timestamp). Their
// integers exceed 2^53: those of 16 digits or more are turned into strings before JSON.parse sees
// them (readers take either form), and written back as bare digits.
const NS_FIELDS = /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano|start_time|end_time|timestamp)"(\s*):(\s*)(-?\d{16,})(?=\s*[,}])/g;
const NS_STRINGS = /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano)": "(-?\d+)"/g;

/**
 * Parses span JSON (a `spans.content` row or a `traces.json` file) keeping its nanosecond times
 * exact, as decimal strings.
 *
 * @example
 * parseSpanJson('{"start_time_unix_nano": 1730000000123456789}').start_time_unix_nano; // "1730000000123456789"
 */
export function parseSpanJson(text: string): unknown {
  // A key inside a JSON string is preceded by an escaped quote (\"), which the pattern never
  // matches: only real keys are rewritten.
  return JSON.parse(text.replace(NS_FIELDS, '"$1"$2:$3"$4"'));
}

/**
 * Writes a span dict whose nanosecond times are decimal strings with those times as bare integers,
 * as MLflow's rows hold them.
 *
 * @example
 * spanJson({ start_time_unix_nano: "1730000000123456789" }); // '{"start_time_unix_nano": 1730000000123456789}'
 */
export function spanJson(span: unknown): string {
  return pyJson(span).replace(NS_STRINGS, '"$1": $2');
}
