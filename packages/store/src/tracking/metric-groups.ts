import { invalidParameter, notFound } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withoutQueryCancellation } from "../query-cancellation.js";
import { isTransactionConflict } from "../with-transaction.js";

/** A metric row as stored (see log-batch's `toRow`). */
export interface StoredMetric {
  readonly run_uuid: string;
  readonly key: string;
  readonly timestamp: number;
  readonly step: number;
  readonly value: number;
  readonly is_nan: boolean | number;
}

/** One request's metric write: its run, its rows, and the candidates for the run's latest values. */
export interface MetricWrite {
  readonly runId: string;
  readonly rows: readonly StoredMetric[];
  readonly latest: readonly StoredMetric[];
}

/**
 * Writes the metric writes of a group in one transaction, each row only if its run is active, and
 * answers the lifecycle stage of every run that exists. Rows come sorted ({@link byRunAndKey}) and
 * latest candidates merged to one per (run, key).
 */
export type GroupWriter = (runIds: readonly string[], rows: readonly StoredMetric[], latest: readonly StoredMetric[]) => Promise<Map<string, string>>;

interface Job extends MetricWrite {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

// A deadlock or serialization failure rolled the whole group back: nothing was written, so the
// group is simply written again (isTransactionConflict).
const ATTEMPTS = 3;

/**
 * One order for every group (run, key, step, timestamp, value), so two groups lock shared rows in
 * the same order and cannot deadlock on them.
 *
 * @example
 * rows.sort(byRunAndKey);
 */
export function byRunAndKey(a: StoredMetric, b: StoredMetric): number {
  if (a.run_uuid !== b.run_uuid) return a.run_uuid < b.run_uuid ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.step - b.step || a.timestamp - b.timestamp || a.value - b.value;
}

/**
 * MLflow's latest-metric rule: `a` replaces `b` when (step, timestamp, value) is strictly greater,
 * compared as a row.
 *
 * @example
 * if (!current || isLater(row, current)) latest.set(row.key, row);
 */
export function isLater(a: StoredMetric, b: StoredMetric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/**
 * Metric rows as the column arrays PostgreSQL's `unnest` takes: keys, timestamps, steps, values,
 * NaN flags (the run is the caller's to add when the rows span several).
 *
 * @example
 * const [keys, timestamps, steps, values, nans] = metricArrays(rows);
 */
export function metricArrays(rows: readonly StoredMetric[]): unknown[] {
  return [rows.map((r) => r.key), rows.map((r) => r.timestamp), rows.map((r) => r.step), rows.map((r) => r.value), rows.map((r) => Boolean(r.is_nan))];
}

/**
 * Group commit of metric writes on a pooled database (PostgreSQL, MySQL). A log-metric pays for its
 * round trips and its commit far more than for its row; so while `maxInFlight` groups are being
 * written, the writes that arrive wait and then go together as the next group: one transaction,
 * one commit (one WAL flush) for all of them. Every write keeps its own answer: a write to an
 * unknown run is a 404, to a deleted run a 400 — having written nothing — while the others of its
 * group succeed; a promise resolves only after the commit, so nothing is acknowledged that is not
 * stored. If a group fails as a whole for another reason (a constraint, a lost connection), each
 * write is tried alone, so it gets exactly the error it would have had without the group.
 */
export class MetricGroups {
  private readonly queue: Job[] = [];
  private inFlight = 0;

  constructor(private readonly writer: GroupWriter, private readonly maxInFlight: number) {}

  /**
   * Writes one run's metric rows (and the candidates for its latest values); settles once stored.
   *
   * @example
   * await groups.write({ runId, rows, latest: latestPerKey(rows) });
   */
  write(write: MetricWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...write, resolve, reject });
      // setImmediate: the requests that arrived with this one in the same poll phase join it.
      if (this.queue.length === 1 && this.inFlight < this.maxInFlight) setImmediate(() => this.next());
    });
  }

  private next(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      // A group stops at MAX_GROUP_ROWS points (a lone large batch goes alone), so one statement
      // stays well inside the statement timeout; the rest make the next group.
      let rows = 0;
      let count = 0;
      while (count < this.queue.length && (count === 0 || rows + this.queue[count]!.rows.length <= MAX_GROUP_ROWS)) rows += this.queue[count++]!.rows.length;
      const jobs = this.queue.splice(0, count);
      this.inFlight += 1;
      // The group serves many requests: no one of them going away may cancel it.
      void withoutQueryCancellation(() => this.flush(jobs)).finally(() => {
        this.inFlight -= 1;
        this.next();
      });
    }
  }

  private async flush(jobs: Job[]): Promise<void> {
    let stages: Map<string, string>;
    try {
      stages = await this.writeGroup(jobs);
    } catch (error) {
      if (jobs.length === 1) {
        jobs[0]!.reject(error);
        return;
      }
      // Each alone: its own exact answer (a lost connection fails each the same way).
      await Promise.all(jobs.map((job) => this.writeGroup([job]).then((s) => settle(job, s), job.reject)));
      return;
    }
    for (const job of jobs) settle(job, stages);
  }

  private async writeGroup(jobs: readonly Job[]): Promise<Map<string, string>> {
    const rows = jobs.flatMap((j) => j.rows).sort(byRunAndKey);
    // One candidate per (run, key) across the group: an upsert may touch a row only once.
    const latest = new Map<string, StoredMetric>();
    for (const job of jobs) {
      for (const row of job.latest) {
        const id = `${row.run_uuid}\u0000${row.key}`;
        const current = latest.get(id);
        if (!current || isLater(row, current)) latest.set(id, row);
      }
    }
    const runIds = [...new Set(jobs.map((j) => j.runId))].sort();
    const candidates = [...latest.values()].sort(byRunAndKey);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.writer(runIds, rows, candidates);
      } catch (error) {
        if (attempt >= ATTEMPTS || !isTransactionConflict(error)) throw error;
      }
    }
  }
}

function settle(job: Job, stages: Map<string, string>): void {
  const stage = stages.get(job.runId);
  if (stage === undefined) job.reject(notFound(`Run with id=${job.runId} not found`));
  else if (stage !== "active") job.reject(invalidParameter(`The run ${job.runId} must be in the 'active' state. Current state is ${stage}.`));
  else job.resolve();
}

// Points in one group at most: 20 log-batch calls of 1,000 metrics.
const MAX_GROUP_ROWS = 20_000;

// At most this many groups are written at once: enough to keep the database busy while the next
// group gathers, few enough that groups stay large.
const MAX_IN_FLIGHT = 2;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const perDatabase = new WeakMap<Kysely<any>, MetricGroups>();

/**
 * The metric group committer of one database (one per pool), created with its dialect's writer.
 *
 * @example
 * await metricGroups(ctx.database.db, () => writer).write({ runId, rows, latest });
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function metricGroups(db: Kysely<any>, writer: () => GroupWriter): MetricGroups {
  let groups = perDatabase.get(db);
  if (!groups) {
    groups = new MetricGroups(writer(), MAX_IN_FLIGHT);
    perDatabase.set(db, groups);
  }
  return groups;
}
