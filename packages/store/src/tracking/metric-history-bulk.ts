import type { Metric } from "@mlflow-ts/protocol";
import { sql } from "kysely";
import type { TrackingContext } from "./context.js";
import { toMetricOfRun, type MetricRow } from "./rows.js";

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
  return (await rows(ctx, runIds, key, "time", maxResults)).map((r) => toMetricOfRun(r.key, r.run_uuid, r));
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
  if (runIds.length === 0) return [];
  const index = ctx.schema.metricStepIndex;
  if (ctx.database.dialect === "sqlite" && index) {
    try {
      return await sqliteIndexedInterval(ctx, runIds, key, index, options);
    } catch (error) {
      // Gone since start-up (another server dropped it for MLflow's own copy): read without it.
      if (!/no such index/.test(String((error as Error).message))) throw error;
    }
  }
  const found: StepsOfRuns & { rowids?: [number, number][] } = ctx.database.dialect === "sqlite" ? await sqliteStepsOfRuns(ctx, runIds, key) : await stepsOfRuns(ctx, runIds, key);
  const chosen = chooseSteps(found, options);
  if (chosen.size === 0) return [];
  let points: MetricRow[];
  if (found.rowids) {
    // The chosen rows by their rowids, which the first pass kept: no second scan.
    const wanted: number[] = [];
    for (const [step, rowid] of found.rowids) if (chosen.has(step)) wanted.push(rowid);
    points = (
      await sql<MetricRow>`select run_uuid, key, value, timestamp, step, is_nan from metrics where rowid in (select value from json_each(${JSON.stringify(wanted)}))
        order by run_uuid, step, timestamp, value`.execute(ctx.database.db)
    ).rows;
  } else {
    points = await rows(ctx, runIds, key, "step", Number.MAX_SAFE_INTEGER, [...chosen].sort((a, b) => a - b));
  }
  // Cut to 25,000 per run, in the order the runs were asked for.
  const byRun = new Map<string, MetricWithRunId[]>();
  for (const r of points) {
    const list = byRun.get(r.run_uuid) ?? byRun.set(r.run_uuid, []).get(r.run_uuid)!;
    if (list.length < MAX_POINTS_PER_RUN) list.push(toMetricOfRun(r.key, r.run_uuid, r));
  }
  return runIds.flatMap((id) => byRun.get(id) ?? []);
}

// What get-history-bulk-interval returns per run at most.
const MAX_POINTS_PER_RUN = 25_000;

/** The steps to read: sampled over the union of the runs' steps in range, plus each run's first and last. */
function chooseSteps(found: StepsOfRuns, options: { readonly maxResults: number; readonly startStep?: number; readonly endStep?: number }): Set<number> {
  const all = [...found.union].sort((a, b) => a - b);
  const start = options.startStep ?? 0;
  const end = options.endStep ?? all.at(-1) ?? 0;
  const chosen = sampleSteps(start, end, options.maxResults, all);
  for (const step of found.edges) if (step >= start && step <= end) chosen.add(step);
  return chosen;
}

/**
 * {@link getMetricHistoryBulkInterval} on SQLite through the `(run_uuid, key, step)` index: the
 * steps come from the index alone (no table rows), one string per run — runs logged by the same
 * loop have the same steps, so the same string, parsed once — and the chosen points are read by
 * index seeks, with the run as its position in the request (no run id string per row).
 */
async function sqliteIndexedInterval(
  ctx: TrackingContext,
  runIds: readonly string[],
  key: string,
  index: string,
  options: { readonly maxResults: number; readonly startStep?: number; readonly endStep?: number },
): Promise<MetricWithRunId[]> {
  const db = ctx.database.db;
  // Named: without statistics SQLite's planner prefers the primary key (key first, covering),
  // which reads that metric of every run in the database.
  const byIndex = sql.raw(`"${index}"`);
  const ids = sql.join(runIds.map((id) => sql`${id}`));
  const { rows: perRun } = await sql<{ steps: string }>`select group_concat(step) as steps from metrics indexed by ${byIndex}
    where run_uuid in (${ids}) and key = ${key} group by run_uuid`.execute(db);
  const union = new Set<number>();
  const edges = new Set<number>();
  const parsed = new Set<string>();
  for (const { steps } of perRun) {
    if (parsed.has(steps)) continue;
    parsed.add(steps);
    let lo = Infinity;
    let hi = -Infinity;
    for (const text of steps.split(",")) {
      const step = Number(text);
      union.add(step);
      if (step < lo) lo = step;
      if (step > hi) hi = step;
    }
    edges.add(lo).add(hi);
  }
  const chosen = chooseSteps({ union, edges }, options);
  if (chosen.size === 0) return [];
  const { rows: points } = await sql<{ i: number; value: number; timestamp: number | null; step: number; is_nan: number }>`select r.key as i, m.value, m.timestamp, m.step, m.is_nan
    from json_each(${JSON.stringify(runIds)}) r join metrics m indexed by ${byIndex} on m.run_uuid = r.value and m.key = ${key}
    where m.step in (select value from json_each(${JSON.stringify([...chosen])}))
    order by r.key, m.step, m.timestamp, m.value`.execute(db);
  const out: MetricWithRunId[] = [];
  let run = -1;
  let count = 0;
  for (const p of points) {
    if (p.i !== run) {
      run = p.i;
      count = 0;
    }
    if (count++ >= MAX_POINTS_PER_RUN) continue;
    out.push(toMetricOfRun(key, runIds[p.i]!, p));
  }
  return out;
}

interface StepsOfRuns {
  /** Every step any of the runs logged the metric at. */
  readonly union: Set<number>;
  /** Each run's first and last step. */
  readonly edges: Set<number>;
}

/**
 * Which of MLflow's indexes on `metrics` reads fewer rows for one metric of some runs, on SQLite:
 * the run index holds every metric of those runs; the primary key (key first) holds that metric
 * of every run in the database. `latest_metrics` (one row per run and metric, with its last step,
 * which for the usual 0, 1, 2, … steps is the number of points) tells which is smaller: a common
 * key such as `loss` over thousands of runs, or a few runs with many metrics.
 */
async function sqliteIndexFor(ctx: TrackingContext, runIds: readonly string[], key: string): Promise<string> {
  const ids = sql.join(runIds.map((id) => sql`${id}`));
  const { rows } = await sql<{ mine: number; everyone: number }>`select
      (select coalesce(sum(max(step, 0) + 1), 0) from latest_metrics where run_uuid in (${ids})) as mine,
      (select coalesce(sum(max(step, 0) + 1), 0) from latest_metrics where key = ${key}) as everyone`.execute(ctx.database.db);
  const { mine, everyone } = rows[0] ?? { mine: 0, everyone: 0 };
  return Number(mine) <= Number(everyone) ? "index_metrics_run_uuid" : "sqlite_autoindex_metrics_1";
}

/**
 * {@link StepsOfRuns} on SQLite in one pass over the rows, through the cheaper index, with each
 * run's `step:rowid` pairs concatenated (a GROUP BY over a million (run, step) pairs costs seconds
 * there, this a fraction of one); the rowids let the chosen points be read without a second scan.
 */
async function sqliteStepsOfRuns(ctx: TrackingContext, runIds: readonly string[], key: string): Promise<StepsOfRuns & { rowids: [number, number][] }> {
  const union = new Set<number>();
  const edges = new Set<number>();
  const rowids: [number, number][] = [];
  const index = await sqliteIndexFor(ctx, runIds, key);
  const ids = sql.join(runIds.map((id) => sql`${id}`));
  const { rows: perRun } = await sql<{ pairs: string }>`select group_concat(step || ':' || rowid) as pairs from metrics indexed by ${sql.raw(index)}
    where run_uuid in (${ids}) and key = ${key} group by run_uuid`.execute(ctx.database.db);
  for (const { pairs } of perRun) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const pair of pairs.split(",")) {
      const colon = pair.indexOf(":");
      const step = Number(pair.slice(0, colon));
      rowids.push([step, Number(pair.slice(colon + 1))]);
      union.add(step);
      if (step < lo) lo = step;
      if (step > hi) hi = step;
    }
    edges.add(lo).add(hi);
  }
  return { union, edges, rowids };
}

/** {@link StepsOfRuns} on PostgreSQL and MySQL: two aggregates. */
async function stepsOfRuns(ctx: TrackingContext, runIds: readonly string[], key: string): Promise<StepsOfRuns> {
  const union = new Set<number>();
  const edges = new Set<number>();
  const ids = sql.join(runIds.map((id) => sql`${id}`));
  const [{ rows: bounds }, { rows: steps }] = await Promise.all([
    sql<{ lo: number; hi: number }>`select min(step) as lo, max(step) as hi from metrics where ${sql.ref("key")} = ${key} and run_uuid in (${ids}) group by run_uuid`.execute(ctx.database.db),
    sql<{ step: number }>`select distinct step from metrics where ${sql.ref("key")} = ${key} and run_uuid in (${ids})`.execute(ctx.database.db),
  ]);
  for (const b of bounds) edges.add(Number(b.lo)).add(Number(b.hi));
  for (const s of steps) union.add(Number(s.step));
  return { union, edges };
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
