/** Longer shown values are cut: a message quotes what was sent, not all of it. */
const MAX_SHOWN = 1000;

/**
 * A JSON value as Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))` writes it,
 * which is how MLflow 2.17+ shows a value in its messages (`mlflow/utils/validation.py`
 * `invalid_value`): strings quoted, non-ASCII escaped, keys sorted, no spaces.
 *
 * @example
 * pythonJson({ b: 1, a: ["é"] }); // '{"a":["\u00e9"],"b":1}'
 */
export function pythonJson(value: unknown, depth = 0): string {
  if (depth > 8) return '"..."';
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : Number.isFinite(value) ? String(value) : value > 0 ? "Infinity" : "-Infinity";
  // ensure_ascii: everything outside printable ASCII is a \uXXXX escape (JSON.stringify did the controls).
  if (typeof value === "string") return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v, depth + 1)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${pythonJson(k, depth + 1)}:${pythonJson(v, depth + 1)}`).join(",")}}`;
  }
  return JSON.stringify(String(value));
}

/**
 * MLflow's `invalid_value(path, value, message)` (mlflow/utils/validation.py, 2.17+ and 3.x): the
 * value as JSON ({@link pythonJson}), the parameter by its path in the request, and what is wrong
 * after a colon. MLflow 2.16 and older printed the value bare and had no paths.
 *
 * @example
 * invalidValueMessage("metrics[0].timestamp", -1, "Timestamp must be a nonnegative long");
 * // `Invalid value -1 for parameter 'metrics[0].timestamp' supplied: Timestamp must be a nonnegative long`
 * invalidValueMessage("run_id", "a/b"); // `Invalid value "a/b" for parameter 'run_id' supplied.`
 */
export function invalidValueMessage(path: string, value: unknown, message?: string): string {
  let shown = pythonJson(value);
  if (shown.length > MAX_SHOWN) shown = `${shown.slice(0, MAX_SHOWN)}...`;
  return message === undefined ? `Invalid value ${shown} for parameter '${path}' supplied.` : `Invalid value ${shown} for parameter '${path}' supplied: ${message}`;
}
