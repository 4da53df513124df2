/** A double as MLflow's JSON carries it: a number, or a string for the non-finite values. */
export type WireDouble = number | "NaN" | "Infinity" | "-Infinity";

/**
 * Turns a double into its JSON form: non-finite values become `"NaN"`, `"Infinity"`, `"-Infinity"`.
 *
 * @example
 * toWireDouble(Number.NaN); // "NaN"
 */
export function toWireDouble(value: number): WireDouble {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return value;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a double from JSON or a query string: numbers, numeric strings and the non-finite names.
 * Returns `undefined` for anything else (booleans included), so the caller can name the field.
 *
 * @example
 * fromWireDouble("-Infinity"); // -Infinity
 */
export function fromWireDouble(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  switch (value) {
    case "NaN":
      return Number.NaN;
    case "Infinity":
    case "inf":
      return Number.POSITIVE_INFINITY;
    case "-Infinity":
    case "-inf":
      return Number.NEGATIVE_INFINITY;
  }
  // Decimal notation only: Number() would also take "0x10", "0b1" and "" as numbers.
  const trimmed = value.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : undefined;
}
