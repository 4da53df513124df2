import type { Run } from "@mlflow-ts/protocol";
import type { AxisBrush } from "./brush.js";
import { fieldLabel, fieldValue, numericValue, type FieldId } from "./run-field.js";

/**
 * One axis of parallel coordinates: numeric (a metric, or a param whose every value is a number)
 * from its minimum to its maximum, or categorical (text params) with its values evenly spaced.
 * Positions run from 0 (bottom) to 1 (top).
 */
export interface ParallelAxis {
  readonly id: FieldId;
  readonly label: string;
  readonly kind: "number" | "category";
  readonly min: number;
  readonly max: number;
  readonly categories: readonly string[];
  /** A value's position, or NaN when the run has no (usable) value here. */
  position(value: number | string | undefined): number;
  /** The brush that keeps the positions from `low` to `high`. */
  brushOf(low: number, high: number): AxisBrush;
  /** The positions a brush covers, bottom and top. */
  spanOf(brush: AxisBrush): [number, number];
}

const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * The axes of parallel coordinates over runs, one per field.
 *
 * @example
 * const [lr] = parallelAxes(runs, ["param:learning_rate"]);
 * lr.position("0.01"); // 0.25
 */
export function parallelAxes(runs: readonly Run[], ids: readonly FieldId[]): ParallelAxis[] {
  return ids.map((id) => {
    const values = runs.map((r) => fieldValue(r, id)).filter((v): v is number | string => v !== undefined);
    const numbers = values.map(numericValue);
    const numeric = values.length > 0 && numbers.every((n) => n !== undefined);
    if (numeric) {
      let min = Infinity;
      let max = -Infinity;
      for (const n of numbers as number[]) {
        if (!Number.isFinite(n)) continue;
        if (n < min) min = n;
        if (n > max) max = n;
      }
      if (min === Infinity) [min, max] = [0, 1];
      const span = max - min;
      return {
        id,
        label: fieldLabel(id),
        kind: "number",
        min,
        max,
        categories: [],
        position: (v) => {
          const n = numericValue(v);
          if (n === undefined || !Number.isFinite(n)) return NaN;
          return span === 0 ? 0.5 : (n - min) / span;
        },
        brushOf: (low, high) => (span === 0 ? { min, max } : { min: min + low * span, max: min + high * span }),
        spanOf: (b) => ("values" in b ? [0, 1] : span === 0 ? [0.45, 0.55] : [(b.min - min) / span, (b.max - min) / span]),
      };
    }
    const categories = [...new Set(values.map(String))].sort(collator.compare);
    const at = new Map(categories.map((c, i) => [c, categories.length === 1 ? 0.5 : i / (categories.length - 1)]));
    return {
      id,
      label: fieldLabel(id),
      kind: "category",
      min: 0,
      max: categories.length - 1,
      categories,
      position: (v) => (v === undefined ? NaN : (at.get(String(v)) ?? NaN)),
      brushOf: (low, high) => ({ values: categories.filter((c) => at.get(c)! >= low && at.get(c)! <= high) }),
      spanOf: (b) => {
        const ps = "values" in b ? b.values.map((v) => at.get(v)).filter((p): p is number => p !== undefined) : [];
        if (ps.length === 0) return [0, 0];
        const half = categories.length > 1 ? 0.25 / (categories.length - 1) : 0.05;
        return [Math.max(0, Math.min(...ps) - half), Math.min(1, Math.max(...ps) + half)];
      },
    };
  });
}

/**
 * Whether runs hold more than one value of a field (runs without it do not count: a param that
 * only some runs have does not vary because of them).
 *
 * @example
 * varies(runs, "param:optimizer"); // true when some ran "adam" and others "sgd"
 */
export function varies(runs: readonly Run[], id: FieldId): boolean {
  let first: number | string | undefined;
  for (const run of runs) {
    const v = fieldValue(run, id);
    if (v === undefined) continue;
    if (first === undefined) first = v;
    else if (v !== first) return true;
  }
  return false;
}

/**
 * The axes worth drawing first for a set of runs: params whose values differ between runs (up to
 * five), then metrics (up to `maxAxes` in all), the first metric last — where the eye ends.
 *
 * @example
 * defaultParallelAxes(runs, ["lr", "optimizer"], ["accuracy"]); // ["param:lr", "param:optimizer", "metric:accuracy"]
 */
export function defaultParallelAxes(runs: readonly Run[], paramKeys: readonly string[], metricKeys: readonly string[], maxAxes = 8): FieldId[] {
  const varying = paramKeys.filter((k) => varies(runs, `param:${k}`)).slice(0, 5);
  const metrics = metricKeys.slice(0, Math.max(1, maxAxes - varying.length));
  return [...varying.map((k) => `param:${k}`), ...metrics.slice(1).map((k) => `metric:${k}`), ...metrics.slice(0, 1).map((k) => `metric:${k}`)];
}
