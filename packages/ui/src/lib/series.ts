/** One run's points of one metric. */
export interface RunSeries {
  readonly runId: string;
  readonly label: string;
  readonly color: string;
  readonly steps: number[];
  readonly timestamps: number[];
  readonly values: number[];
}

export type XAxis = "step" | "time" | "relative";

/**
 * Exponential moving average with TensorBoard's debiasing, NaN-safe: `weight` 0 is no smoothing,
 * 0.99 very smooth.
 *
 * @example
 * smooth([1, 2, 3], 0.5); // [1, 1.67, 2.43]
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  const out: number[] = new Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count += 1;
    out[i] = last / (1 - Math.pow(weight, count));
  }
  return out;
}

/** The x value of a point for an axis mode (seconds for time axes). */
function xOf(series: RunSeries, i: number, axis: XAxis): number {
  if (axis === "step") return series.steps[i]!;
  if (axis === "time") return series.timestamps[i]! / 1000;
  return (series.timestamps[i]! - series.timestamps[0]!) / 1000;
}

// At most this many distinct x values per chart: more than a chart has pixels.
const MAX_X = 3000;

/**
 * Aligns several runs' points on one x axis (uPlot's data layout: `[xs, ys1, ys2, …]`, gaps as
 * null). When the union of x values is larger than a chart can show, x is bucketed to
 * {@link MAX_X} values (each point to its nearest bucket), so 100 runs on separate clocks cost
 * 100 × 3,000 cells, not 100 × their product.
 */
export function alignSeries(series: readonly RunSeries[], axis: XAxis, smoothing: number): (number | null)[][] {
  const distinct = new Set<number>();
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i += 1) {
      const x = xOf(s, i, axis);
      if (distinct.size <= MAX_X) distinct.add(x);
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  let xs: number[];
  let slot: (x: number) => number;
  if (distinct.size <= MAX_X) {
    xs = [...distinct].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    slot = (x) => at.get(x)!;
  } else {
    const width = (max - min) / (MAX_X - 1) || 1;
    xs = Array.from({ length: MAX_X }, (_, i) => min + i * width);
    slot = (x) => Math.round((x - min) / width);
  }
  const columns: (number | null)[][] = [xs];
  for (const s of series) {
    const ys: (number | null)[] = new Array(xs.length).fill(null);
    const values = smooth(s.values, smoothing);
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i]!;
      ys[slot(xOf(s, i, axis))] = Number.isFinite(v) ? v : null;
    }
    columns.push(ys);
  }
  return columns;
}
