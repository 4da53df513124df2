import type { Run } from "@mlflow-ts/protocol";
import { fieldValue, numericValue, type FieldId } from "./run-field.js";

/** What a brush on one axis keeps: a range of numbers, or some categories (of a text param). */
export type AxisBrush = { readonly min: number; readonly max: number } | { readonly values: readonly string[] };

/** The brushes of parallel coordinates, by field ID; a run is kept when it is inside every one. */
export type Brush = Readonly<Record<FieldId, AxisBrush>>;

/**
 * Whether a run is inside every brush (a run without a value on a brushed axis is not).
 *
 * @example
 * inBrush(run, { "metric:accuracy": { min: 0.9, max: 1 } });
 */
export function inBrush(run: Run, brush: Brush): boolean {
  for (const [id, range] of Object.entries(brush)) {
    const value = fieldValue(run, id);
    if (value === undefined) return false;
    if ("values" in range) {
      if (!range.values.includes(String(value))) return false;
    } else {
      const n = numericValue(value);
      if (n === undefined || !(n >= range.min && n <= range.max)) return false;
    }
  }
  return true;
}

/**
 * The runs inside a brush, in their order; the same array when nothing is brushed.
 *
 * @example
 * filterByBrush(rows, brush).length; // how many rows the table shows
 */
export function filterByBrush<T extends Run>(runs: readonly T[], brush: Brush): readonly T[] {
  if (Object.keys(brush).length === 0) return runs;
  return runs.filter((run) => inBrush(run, brush));
}

/**
 * A brush with one axis set (or cleared, with `undefined`).
 *
 * @example
 * withAxisBrush(brush, "param:optimizer", { values: ["adam"] });
 */
export function withAxisBrush(brush: Brush, id: FieldId, range: AxisBrush | undefined): Brush {
  const next: Record<FieldId, AxisBrush> = { ...brush };
  if (range) next[id] = range;
  else delete next[id];
  return next;
}
