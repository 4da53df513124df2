import type { TrackingContext } from "../tracking/context.js";
import { experimentIdNumber } from "../tracking/context.js";
import { parseFilter, type Comparison } from "../search/parse-filter.js";
import { readableCondition, type ReadableKeys } from "../search/readable.js";
import { filterCondition } from "./search-traces.js";

/** How two trace filters co-occur (MLflow 3's CalculateTraceFilterCorrelation). */
export interface TraceFilterCorrelation {
  readonly npmi: number;
  readonly npmi_smoothed: number;
  readonly filter1_count: number;
  readonly filter2_count: number;
  readonly joint_count: number;
  readonly total_count: number;
}

const JEFFREYS_PRIOR = 0.5;

/** NPMI of a 2×2 table with additive smoothing (MLflow's `_calculate_npmi_core`). */
function npmiCore(n11: number, n10: number, n01: number, n00: number, smoothing: number): number {
  const [a, b, c, d] = [n11 + smoothing, n10 + smoothing, n01 + smoothing, n00 + smoothing];
  const total = a + b + c + d;
  const n1 = a + b;
  const n2 = a + c;
  if (n1 <= 0 || n2 <= 0 || a <= 0) return Number.NaN;
  if (n10 === 0 && n01 === 0 && n00 === 0) return 1;
  const pmi = Math.log(a) + Math.log(total) - (Math.log(n1) + Math.log(n2));
  return Math.max(-1, Math.min(1, pmi / -(Math.log(a) - Math.log(total))));
}

/**
 * Unsmoothed and smoothed NPMI from counts, as MLflow computes them: NaN when either filter
 * matches nothing, -1 (unsmoothed) when both match but never together.
 *
 * @example
 * npmiFromCounts(10, 20, 15, 100).npmi;
 */
export function npmiFromCounts(joint: number, count1: number, count2: number, total: number): { npmi: number; npmi_smoothed: number } {
  if (total <= 0 || count1 === 0 || count2 === 0) return { npmi: Number.NaN, npmi_smoothed: Number.NaN };
  const [n11, n10, n01, n00] = [joint, count1 - joint, count2 - joint, total - count1 - count2 + joint];
  if (Math.min(n11, n10, n01, n00) < 0) return { npmi: Number.NaN, npmi_smoothed: Number.NaN };
  const npmi = joint === 0 ? -1 : npmiCore(n11, n10, n01, n00, 0);
  return { npmi, npmi_smoothed: npmiCore(n11, n10, n01, n00, JEFFREYS_PRIOR) };
}

/**
 * The correlation of two trace filters over the traces of some experiments (optionally within a
 * base filter, such as a time window): four counts in SQL, then NPMI. The caller's readable
 * experiments narrow every count.
 *
 * @example
 * await traceFilterCorrelation(ctx, { experimentIds: ["1"], filter1: "trace.status = 'ERROR'", filter2: "tags.model = 'gpt'" });
 */
export async function traceFilterCorrelation(
  ctx: TrackingContext,
  input: { experimentIds: readonly string[]; filter1: string; filter2: string; baseFilter?: string; readable?: ReadableKeys },
): Promise<TraceFilterCorrelation> {
  const ids = input.experimentIds.map(experimentIdNumber).filter((n): n is number => n !== undefined);
  const base = parseFilter(input.baseFilter);
  const one = parseFilter(input.filter1);
  const two = parseFilter(input.filter2);
  const count = async (clauses: readonly Comparison[]): Promise<number> => {
    if (ids.length === 0) return 0;
    let q = ctx.database.db.selectFrom("trace_info").select((eb) => eb.fn.countAll().as("n")).where("trace_info.experiment_id", "in", ids);
    if (input.readable) q = q.where((eb) => readableCondition(eb, "trace_info.experiment_id", input.readable!, experimentIdNumber, ctx.database.dialect));
    for (const clause of clauses) q = q.where((eb) => filterCondition(eb, ctx, clause));
    return Number(((await q.executeTakeFirst()) as { n: number | string } | undefined)?.n ?? 0);
  };
  const [total, count1, count2, joint] = await Promise.all([count(base), count([...base, ...one]), count([...base, ...two]), count([...base, ...one, ...two])]);
  return { ...npmiFromCounts(joint, count1, count2, total), filter1_count: count1, filter2_count: count2, joint_count: joint, total_count: total };
}
