import type { Metric } from "@mlflow-ts/protocol";
import type { TrackingContext } from "./context.js";
import { toMetric, type MetricRow } from "./rows.js";

/** A metric point with the run it belongs to (the UI's charts of several runs). */
export type MetricWithRunId = Metric & { readonly run_id: string };

/** Rows of one metric of some runs; `steps` limits them to those steps. */
async function rows(ctx: TrackingContext, runIds: readonly string[], key: string, order: "time" | "step", limit: number, steps?: readonly number[]): Promise<MetricRow[]> {
  if (runIds.length === 0 || (steps && steps.length === 0)) return [];
  let q = ctx.database.db
    .selectFrom("metrics")
    .select(["run_uuid", "key", "value", "timestamp", "step", "is_nan"])
    .where("key", "=", key)
    .where("run_uuid", "in", runIds);
  if (steps) q = q.where("step", "in", steps);
  q = q.orderBy("run_uuid");
  q = order === "time" ? q.orderBy("timestamp").orderBy("step") : q.orderBy("step").orderBy("timestamp");
  return (await q.orderBy("value").limit(limit).execute()) as MetricRow[];
}

/**
 * Every value of one metric for several runs, ordered by run, then timestamp, step and value, at
 * most `maxResults` in all (MLflow's `get_metric_history_bulk`).
 *
 * @example
 * await getMetricHistoryBulk(ctx, [runA, runB], "loss", 25000);
 */
export async function getMetricHistoryBulk(ctx: TrackingContext, runIds: readonly string[], key: string, maxResults: number): Promise<MetricWithRunId[]> {
  return (await rows(ctx, runIds, key, "time", maxResults)).map((r) => ({ ...toMetric(r), run_id: r.run_uuid }));
}

/**
 * At most `maxResults` steps spread evenly over `[start, end]` of the sorted `steps`, always
 * including the last one in range (MLflow's step sampling for charts).
 *
 * @example
 * sampleSteps(0, 100, 3, [0, 10, 20, …, 100]); // [0, 30, 60, 100]-like
 */
export function sampleSteps(start: number, end: number, maxResults: number, steps: readonly number[]): Set<number> {
  const from = steps.findIndex((s) => s >= start);
  const lo = from < 0 ? steps.length : from;
  let hi = steps.length;
  while (hi > lo && steps[hi - 1]! > end) hi -= 1;
  if (hi - lo <= maxResults) return new Set(steps.slice(lo, hi));
  const count = hi - lo;
  const interval = count / maxResults;
  const sampled: number[] = [];
  for (let i = 0; i < maxResults; i += 1) {
    const index = lo + Math.floor(i * interval);
    // MLflow compares the index with the count, not the end: kept as it is for the same samples.
    if (index < count) sampled.push(steps[index]!);
  }
  sampled.push(steps[hi - 1]!);
  return new Set(sampled);
}

/**
 * One metric of several runs sampled to at most `maxResults` steps (plus each run's first and last
 * step in range), for charts of long histories (MLflow's `get-history-bulk-interval`): the steps
 * are chosen over the union of the runs' steps, then every run's points at those steps are read,
 * ordered by run, step, timestamp and value, 25,000 at most.
 *
 * @example
 * await getMetricHistoryBulkInterval(ctx, [runA], "loss", { maxResults: 2500 });
 */
export async function getMetricHistoryBulkInterval(
  ctx: TrackingContext,
  runIds: readonly string[],
  key: string,
  options: { readonly maxResults: number; readonly startStep?: number; readonly endStep?: number },
): Promise<MetricWithRunId[]> {
  const stepRows = (await ctx.database.db
    .selectFrom("metrics")
    .select(["run_uuid", "step"])
    .distinct()
    .where("key", "=", key)
    .where("run_uuid", "in", runIds)
    .execute()) as { run_uuid: string; step: number }[];
  const byRun = new Map<string, number[]>();
  for (const r of stepRows) (byRun.get(r.run_uuid) ?? byRun.set(r.run_uuid, []).get(r.run_uuid)!).push(Number(r.step));
  const edges = new Set<number>();
  for (const steps of byRun.values()) {
    edges.add(Math.min(...steps));
    edges.add(Math.max(...steps));
  }
  const all = [...new Set(stepRows.map((r) => Number(r.step)))].sort((a, b) => a - b);
  const start = options.startStep ?? 0;
  const end = options.endStep ?? all.at(-1) ?? 0;
  const chosen = sampleSteps(start, end, options.maxResults, all);
  for (const step of edges) if (step >= start && step <= end) chosen.add(step);
  const steps = [...chosen].sort((a, b) => a - b);
  const out: MetricWithRunId[] = [];
  for (const runId of runIds) {
    for (const r of await rows(ctx, [runId], key, "step", 25_000, steps)) out.push({ ...toMetric(r), run_id: r.run_uuid });
  }
  return out;
}

/** A dataset used by runs of an experiment, with the context it was used in. */
export interface DatasetSummary {
  readonly experiment_id: string;
  readonly name: string;
  readonly digest: string;
  readonly context?: string;
}

/**
 * The datasets runs of some experiments took as inputs, with their `mlflow.data.context` tag, at
 * most 1,000 (MLflow's `_search_datasets`, which the UI's dataset filter calls).
 *
 * @example
 * await searchDatasets(ctx, ["1"]);
 */
export async function searchDatasets(ctx: TrackingContext, experimentIds: readonly number[]): Promise<DatasetSummary[]> {
  if (experimentIds.length === 0) return [];
  const rows = (await ctx.database.db
    .selectFrom("datasets as d")
    .innerJoin("inputs as i", "i.source_id", "d.dataset_uuid")
    .leftJoin("input_tags as t", (join) => join.onRef("t.input_uuid", "=", "i.input_uuid").on("t.name", "=", "mlflow.data.context"))
    .select(["d.experiment_id", "d.name", "d.digest", "t.value"])
    .distinct()
    .where("d.experiment_id", "in", experimentIds)
    .limit(1000)
    .execute()) as { experiment_id: number; name: string; digest: string; value: string | null }[];
  return rows.map((r) => ({ experiment_id: String(r.experiment_id), name: r.name, digest: r.digest, ...(r.value !== null ? { context: r.value } : {}) }));
}
