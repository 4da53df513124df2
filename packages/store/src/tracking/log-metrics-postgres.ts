import { invalidParameter, notFound } from "@mlflow-ts/protocol";
import { CompiledQuery, type Kysely } from "kysely";
import { withoutQueryCancellation } from "../query-cancellation.js";

/** A metric row as stored (see log-batch's `toRow`). */
export interface StoredMetric {
  readonly run_uuid: string;
  readonly key: string;
  readonly timestamp: number;
  readonly step: number;
  readonly value: number;
  readonly is_nan: boolean | number;
}

interface Job {
  readonly runId: string;
  readonly rows: readonly StoredMetric[];
  readonly latest: readonly StoredMetric[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

// Every write of a group in ONE statement, so one round trip and one commit: the runs' lifecycles
// are read, the points inserted (a replayed point is ignored) and the latest values upserted with
// MLflow's rule, each row only if its run is active. The answer lists the runs that exist.
const GROUP_SQL = `with
  input_runs as (select run_uuid, lifecycle_stage from runs where run_uuid = any($1::text[])),
  points as (
    insert into metrics (run_uuid, "key", "timestamp", step, "value", is_nan)
    select m.run_uuid, m.k, m.t, m.s, m.v, m.n
    from unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::double precision[], $7::boolean[]) with ordinality as m(run_uuid, k, t, s, v, n, o)
    where exists (select 1 from input_runs r where r.run_uuid = m.run_uuid and r.lifecycle_stage = 'active')
    order by m.o
    on conflict do nothing
  ),
  latest as (
    insert into latest_metrics (run_uuid, "key", "timestamp", step, "value", is_nan)
    select l.run_uuid, l.k, l.t, l.s, l.v, l.n
    from unnest($8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::double precision[], $13::boolean[]) with ordinality as l(run_uuid, k, t, s, v, n, o)
    where exists (select 1 from input_runs r where r.run_uuid = l.run_uuid and r.lifecycle_stage = 'active')
    order by l.o
    on conflict (run_uuid, "key") do update set "value" = excluded."value", "timestamp" = excluded."timestamp", step = excluded.step, is_nan = excluded.is_nan
      where (excluded.step, excluded."timestamp", excluded."value") > (latest_metrics.step, latest_metrics."timestamp", latest_metrics."value")
  )
  select run_uuid, lifecycle_stage from input_runs`;

// A deadlock or serialization failure rolled the whole group back: nothing was written, so the
// statement is simply run again.
const RETRYABLE = new Set(["40P01", "40001"]);
const ATTEMPTS = 3;

function byKey(a: StoredMetric, b: StoredMetric): number {
  // One order for every group, so two groups lock shared rows in the same order (no deadlocks).
  if (a.run_uuid !== b.run_uuid) return a.run_uuid < b.run_uuid ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.step - b.step || a.timestamp - b.timestamp || a.value - b.value;
}

function later(a: StoredMetric, b: StoredMetric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

function columns(rows: readonly StoredMetric[]): unknown[] {
  return [rows.map((r) => r.run_uuid), rows.map((r) => r.key), rows.map((r) => r.timestamp), rows.map((r) => r.step), rows.map((r) => r.value), rows.map((r) => Boolean(r.is_nan))];
}

/**
 * Group commit of metric writes on PostgreSQL. A log-metric pays for its round trips and its commit
 * far more than for its row; so while {@link MAX_IN_FLIGHT} groups are being written, the writes
 * that arrive wait and then go together as the next group: ONE statement, one round trip, one commit
 * (WAL flush) for all of them. Every write keeps its own answer: a write to an unknown run is a 404,
 * to a deleted run a 400 — having written nothing — while the others of its group succeed; a
 * promise resolves only after the commit, so nothing is acknowledged that is not stored. If the
 * group fails as a whole for another reason (a constraint, a lost connection), each write is tried
 * alone, so it gets exactly the error it would have had without the group.
 */
export class PostgresMetricGroups {
  private queue: Job[] = [];
  private inFlight = 0;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(private readonly db: Kysely<any>, private readonly maxInFlight: number) {}

  /**
   * Writes one run's metric rows (and the candidates for its latest values); settles once stored.
   *
   * @example
   * await groups.write(runId, rows, latestPerKey(rows));
   */
  write(runId: string, rows: readonly StoredMetric[], latest: readonly StoredMetric[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ runId, rows, latest, resolve, reject });
      // setImmediate: the requests that arrived with this one in the same poll phase join it.
      if (this.queue.length === 1 && this.inFlight < this.maxInFlight) setImmediate(() => this.next());
    });
  }

  private next(): void {
    if (this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    const jobs = this.queue;
    this.queue = [];
    this.inFlight += 1;
    // The group serves many requests: no one of them going away may cancel it.
    void withoutQueryCancellation(() => this.flush(jobs)).finally(() => {
      this.inFlight -= 1;
      this.next();
    });
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
    const rows = jobs.flatMap((j) => j.rows).sort(byKey);
    // One candidate per (run, key) across the group: an upsert may touch a row only once.
    const latest = new Map<string, StoredMetric>();
    for (const job of jobs) {
      for (const row of job.latest) {
        const id = `${row.run_uuid}\u0000${row.key}`;
        const current = latest.get(id);
        if (!current || later(row, current)) latest.set(id, row);
      }
    }
    const runIds = [...new Set(jobs.map((j) => j.runId))];
    const query = CompiledQuery.raw(GROUP_SQL, [runIds, ...columns(rows), ...columns([...latest.values()].sort(byKey))]);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.db.executeQuery<{ run_uuid: string; lifecycle_stage: string }>(query);
        return new Map(result.rows.map((r) => [r.run_uuid, r.lifecycle_stage]));
      } catch (error) {
        if (attempt >= ATTEMPTS || !RETRYABLE.has(String((error as { code?: unknown }).code))) throw error;
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

// At most this many groups are written at once: enough to keep the database busy while the next
// group gathers, few enough that groups stay large.
const MAX_IN_FLIGHT = 2;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const perDatabase = new WeakMap<Kysely<any>, PostgresMetricGroups>();

/**
 * The metric group committer of a PostgreSQL database (one per pool).
 *
 * @example
 * await postgresMetricGroups(ctx.database.db).write(runId, rows, latest);
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function postgresMetricGroups(db: Kysely<any>): PostgresMetricGroups {
  let groups = perDatabase.get(db);
  if (!groups) {
    groups = new PostgresMetricGroups(db, MAX_IN_FLIGHT);
    perDatabase.set(db, groups);
  }
  return groups;
}
