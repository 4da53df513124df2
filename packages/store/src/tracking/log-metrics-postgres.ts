import { preparedStatement } from "../prepared-statements.js";
import { CompiledQuery, type Kysely } from "kysely";
import { metricArrays, type GroupWriter, type StoredMetric } from "./metric-groups.js";

// Every write of a group in ONE statement, so one round trip and one commit: the runs' lifecycles
// are read, the points inserted (a replayed point is ignored) and the latest values upserted with
// MLflow's rule, each row only if its run is active. The answer lists the runs that exist.
const GROUP_SQL = preparedStatement(`with
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
  select run_uuid, lifecycle_stage from input_runs`);

// A group spans several runs: each row's run goes first.
function columns(rows: readonly StoredMetric[]): unknown[] {
  return [rows.map((r) => r.run_uuid), ...metricArrays(rows)];
}

/**
 * The PostgreSQL writer of metric groups: the whole group in one statement (its own transaction),
 * so one round trip.
 *
 * @example
 * const stages = await postgresGroupWriter(db)(runIds, rows, latest);
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function postgresGroupWriter(db: Kysely<any>): GroupWriter {
  return async (runIds, rows, latest) => {
    const result = await db.executeQuery<{ run_uuid: string; lifecycle_stage: string }>(CompiledQuery.raw(GROUP_SQL, [runIds, ...columns(rows), ...columns(latest)]));
    return new Map(result.rows.map((r) => [r.run_uuid, r.lifecycle_stage]));
  };
}
