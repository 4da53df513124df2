import { sql, type Kysely } from "kysely";
import type { DialectName } from "../create-database.js";
import { quote } from "./ddl.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/**
 * MLflow's own index on `metrics (run_uuid, key, step)`, added by its revision `a5b4c3d2e1f0`
 * (after 3.11.1) for `get-history-bulk-interval`: one metric of some runs is then an index range
 * instead of every metric of those runs.
 */
export const MLFLOW_METRIC_STEP_INDEX = "index_metrics_run_uuid_key_step";

/**
 * The same index under this server's own name, for databases at revisions before MLflow's. Not
 * MLflow's name: MLflow's migration creates its index without `IF NOT EXISTS`, and would fail on a
 * database where one of that name already exists. Once MLflow's index is there, this one is dropped.
 */
export const METRIC_STEP_INDEX = "mlflow_ts_metrics_run_key_step";

/** Up to how many metric rows the server adds the index by itself at start-up (≈ 1 s on SQLite). */
export const AUTO_INDEX_MAX_ROWS = 1_000_000;

async function indexNames(db: Db, dialect: DialectName): Promise<Set<string>> {
  const rows =
    dialect === "sqlite"
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'metrics'`.execute(db)
      : dialect === "postgres"
        ? await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'metrics'`.execute(db)
        : await sql<{ name: string }>`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = 'metrics'`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

/** What {@link ensureMetricStepIndex} found or did. */
export interface MetricStepIndexState {
  /** The index queries may name (MLflow's or this server's), if the database has one. */
  readonly name: string | undefined;
  /** Whether this call created it. */
  readonly created: boolean;
  /** Set when the index is missing because the table holds more than the limit allowed. */
  readonly tooManyRows?: number;
}

/**
 * Makes sure `metrics` has an index on `(run_uuid, key, step)`: MLflow's if present (then this
 * server's own copy is dropped), else this server's, created here when the table holds at most
 * `maxRows` rows (a bigger table is left to `mlflow db upgrade`, where an operator expects to wait).
 * With `create: false` it only looks (a worker process, after the primary prepared the database).
 * The revision is not touched: the index is invisible to MLflow's schema checks.
 *
 * @example
 * const { name } = await ensureMetricStepIndex(database.db, database.dialect, { maxRows: AUTO_INDEX_MAX_ROWS });
 */
export async function ensureMetricStepIndex(db: Db, dialect: DialectName, options: { readonly maxRows?: number; readonly create?: boolean } = {}): Promise<MetricStepIndexState> {
  const q = (n: string) => quote(n, dialect);
  const names = await indexNames(db, dialect);
  if (names.has(MLFLOW_METRIC_STEP_INDEX)) {
    if (names.has(METRIC_STEP_INDEX) && options.create !== false) await sql.raw(dialect === "mysql" ? `DROP INDEX ${q(METRIC_STEP_INDEX)} ON ${q("metrics")}` : `DROP INDEX IF EXISTS ${q(METRIC_STEP_INDEX)}`).execute(db);
    return { name: MLFLOW_METRIC_STEP_INDEX, created: false };
  }
  if (names.has(METRIC_STEP_INDEX)) return { name: METRIC_STEP_INDEX, created: false };
  if (options.create === false) return { name: undefined, created: false };
  if (options.maxRows !== undefined) {
    // Counted up to the limit only: a table of a hundred million rows is not read to learn it is big.
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from (select 1 as one from metrics limit ${options.maxRows + 1}) bounded`.execute(db);
    const n = Number(rows[0]?.n ?? 0);
    if (n > options.maxRows) return { name: undefined, created: false, tooManyRows: n };
  }
  const create = `CREATE INDEX ${dialect === "mysql" ? "" : "IF NOT EXISTS "}${q(METRIC_STEP_INDEX)} ON ${q("metrics")} (${q("run_uuid")}, ${q("key")}, ${q("step")})`;
  try {
    await sql.raw(create).execute(db);
  } catch (error) {
    // Another server starting at the same moment made it first (MySQL has no IF NOT EXISTS here;
    // PostgreSQL's check and create are not atomic).
    const e = error as { code?: string; message?: string };
    if (e.code !== "ER_DUP_KEYNAME" && e.code !== "23505" && e.code !== "42P07" && !/already exists/.test(String(e.message))) throw error;
    return { name: METRIC_STEP_INDEX, created: false };
  }
  return { name: METRIC_STEP_INDEX, created: true };
}
