import { preparedStatement } from "../prepared-statements.js";
import { invalidParameter, notFound, type KeyValue } from "@mlflow-ts/protocol";
import { CompiledQuery, type Kysely } from "kysely";
import { metricArrays, type StoredMetric } from "./metric-groups.js";

// A whole log-batch (params, tags, metrics) in ONE statement, so one round trip and one commit.
// `go` decides every write: the run is active and no param is being changed. Params not already
// stored with the same value are inserted WITHOUT "on conflict", so a param that another
// transaction stored meanwhile aborts the statement (unique violation) instead of being skipped in
// silence; the caller then answers through the transactional path, which sees it.
const BATCH_SQL = preparedStatement(`with
  run as (select lifecycle_stage from runs where run_uuid = $1),
  incoming as (select * from unnest($2::text[], $3::text[]) as p(k, v)),
  stored as (select p."key", p."value" from params p where p.run_uuid = $1 and p."key" = any($2::text[])),
  changed as (select i.k, s."value" as stored, i.v from incoming i join stored s on s."key" = i.k where s."value" is distinct from i.v limit 1),
  ok as (select coalesce((select lifecycle_stage = 'active' from run), false) and not exists (select 1 from changed) as go),
  new_params as (
    insert into params (run_uuid, "key", "value")
    select $1, i.k, i.v from incoming i
    where (select go from ok) and not exists (select 1 from stored s where s."key" = i.k)
  ),
  new_tags as (
    insert into tags (run_uuid, "key", "value")
    select $1, t.k, t.v from unnest($4::text[], $5::text[]) as t(k, v)
    where (select go from ok)
    on conflict (run_uuid, "key") do update set "value" = excluded."value"
  ),
  renamed as (update runs set name = $6 where run_uuid = $1 and $6::text is not null and (select go from ok)),
  points as (
    insert into metrics (run_uuid, "key", "timestamp", step, "value", is_nan)
    select $1, m.k, m.t, m.s, m.v, m.n
    from unnest($7::text[], $8::bigint[], $9::bigint[], $10::double precision[], $11::boolean[]) as m(k, t, s, v, n)
    where (select go from ok)
    on conflict do nothing
  ),
  latest as (
    insert into latest_metrics (run_uuid, "key", "timestamp", step, "value", is_nan)
    select $1, l.k, l.t, l.s, l.v, l.n
    from unnest($12::text[], $13::bigint[], $14::bigint[], $15::double precision[], $16::boolean[]) as l(k, t, s, v, n)
    where (select go from ok)
    on conflict (run_uuid, "key") do update set "value" = excluded."value", "timestamp" = excluded."timestamp", step = excluded.step, is_nan = excluded.is_nan
      where (excluded.step, excluded."timestamp", excluded."value") > (latest_metrics.step, latest_metrics."timestamp", latest_metrics."value")
  )
  select (select lifecycle_stage from run) as stage, c.k as changed_key, c.stored as stored_value, c.v as new_value
  from (select 1) as one left join changed c on true`);

/**
 * Whether a PostgreSQL error is a unique violation (another transaction stored the same key).
 *
 * @example
 * if (isUniqueViolation(error)) return retryInTransaction();
 */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === "23505";
}

/**
 * Writes one run's params, tags (the last value of a repeated key; `mlflow.runName` also renames
 * the run) and metric rows in one statement on PostgreSQL, with the transactional path's answers:
 * 404 for an unknown run, 400 for a deleted one or a changed param — having written nothing.
 * Throws a unique violation when a concurrent writer stored one of the params first.
 *
 * @example
 * await logBatchPostgres(db, runId, params, tags, "mlflow.runName", rows, latest);
 */
export async function logBatchPostgres(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  runId: string,
  params: readonly KeyValue[],
  tags: readonly KeyValue[],
  runNameTag: string,
  rows: readonly StoredMetric[],
  latest: readonly StoredMetric[],
): Promise<void> {
  const byKey = new Map(tags.map((t) => [t.key, t.value]));
  const query = CompiledQuery.raw(BATCH_SQL, [
    runId,
    params.map((p) => p.key),
    params.map((p) => p.value),
    [...byKey.keys()],
    [...byKey.values()],
    byKey.get(runNameTag) ?? null,
    ...metricArrays(rows),
    ...metricArrays(latest),
  ]);
  const { rows: answer } = await db.executeQuery<{ stage: string | null; changed_key: string | null; stored_value: string | null; new_value: string | null }>(query);
  const { stage, changed_key, stored_value, new_value } = answer[0]!;
  if (stage === null) throw notFound(`Run with id=${runId} not found`);
  if (stage !== "active") throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${stage}.`);
  if (changed_key !== null) {
    throw invalidParameter(
      `Changing param values is not allowed. Param with key='${changed_key}' was already logged with value='${stored_value}' for run ID='${runId}'. Attempted logging new value '${new_value}'.`,
    );
  }
}
