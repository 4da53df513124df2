/**
 * Where bars go along a bar chart's value axis, as fractions of its length (0 at the left).
 *
 * @example
 * const scale: BarScale = barScale(values, log);
 * const end = scale.position(value); // undefined: "n/a on log scale"
 */
export interface BarScale {
  /** Where every bar starts: zero on a linear scale (negative bars go left of it), the axis' low end on a log scale. */
  readonly origin: number;
  /** Where a bar ends; undefined for a value the scale cannot show (NaN, ±∞; ≤ 0 on a log scale). */
  position(value: number): number | undefined;
  /** The values at the two ends of the axis. */
  readonly domain: readonly [number, number];
}

/**
 * The scale of a bar chart of these values. Linear: from the lowest value (or zero) to the highest
 * (or zero). Log: whole decades around the positive values, the lowest strictly below the smallest
 * value so that its bar has a length; values ≤ 0 have no place on it.
 *
 * @example
 * barScale([0.5, 20], true).domain; // [0.1, 100]
 * barScale([0.5, 20], true).position(10); // 2/3: two decades of three
 * barScale([-1, 3], false).origin; // 0.25
 */
export function barScale(values: readonly number[], log: boolean): BarScale {
  if (log) {
    const positive = values.filter((v) => v > 0 && v < Infinity);
    const low = positive.length ? 10 ** (Math.ceil(Math.log10(Math.min(...positive))) - 1) : 1;
    const high = Math.max(low * 10, positive.length ? 10 ** Math.ceil(Math.log10(Math.max(...positive))) : 10);
    const span = Math.log10(high / low);
    return { origin: 0, domain: [low, high], position: (v) => (v > 0 && v < Infinity ? Math.log10(v / low) / span : undefined) };
  }
  const finite = values.filter(Number.isFinite);
  const low = Math.min(0, ...finite);
  const high = Math.max(0, ...finite);
  const at = (v: number) => (high === low ? 0 : (v - low) / (high - low));
  return { origin: at(0), domain: [low, high], position: (v) => (Number.isFinite(v) ? at(v) : undefined) };
}
