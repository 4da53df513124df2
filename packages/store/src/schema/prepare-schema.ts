import { sql, type Kysely } from "kysely";
import { MlflowError } from "@mlflow-ts/protocol";
import type { Database } from "../create-database.js";
import { createTableStatements, quote } from "./ddl.js";
import { NEWEST, OLDEST_SERVED, REVISIONS, describeRevision, revisionIndex, type Revision } from "./revisions.js";
import { SchemaInfo } from "./schema-info.js";
import { BASE_TABLES } from "./tables.js";
import { UPGRADE_STEPS } from "./upgrade-steps.js";
import { AUTO_INDEX_MAX_ROWS, ensureMetricStepIndex, type MetricStepIndexState } from "./metric-step-index.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/** What a database holds, as far as the tracking schema goes. */
export type SchemaState =
  | { readonly kind: "empty" }
  | { readonly kind: "mlflow"; readonly revision: string }
  /** Tables of the schema mlflow-ts used before it adopted MLflow's. */
  | { readonly kind: "legacy" }
  /** An `experiments` table without `alembic_version`: not a database MLflow finished creating. */
  | { readonly kind: "unversioned" };

async function tableNames(db: Db, database: Database): Promise<Set<string>> {
  const rows =
    database.dialect === "sqlite"
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
      : database.dialect === "postgres"
        ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database()`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

/**
 * Reads what a database holds: nothing yet, MLflow's schema at some revision, or something else.
 *
 * @example
 * const state = await inspectSchema(database); // { kind: "mlflow", revision: "acf3f17fdcc7" }
 */
export async function inspectSchema(database: Database, db: Db = database.db): Promise<SchemaState> {
  const tables = await tableNames(db, database);
  if (tables.has("alembic_version")) {
    const rows = await sql<{ version_num: string }>`select version_num from alembic_version`.execute(db);
    if (rows.rows.length === 1) return { kind: "mlflow", revision: rows.rows[0]!.version_num };
    if (rows.rows.length > 1) throw new MlflowError("INVALID_STATE", `alembic_version holds ${rows.rows.length} revisions; MLflow's chain has one head`);
  }
  if (tables.has("mlflow_ts_tracking_migrations")) return { kind: "legacy" };
  if (tables.has("experiments")) return { kind: "unversioned" };
  return { kind: "empty" };
}

/**
 * Runs `fn` holding the database's schema lock, so that two servers starting at once do not both
 * create or upgrade it: a PostgreSQL advisory lock, MySQL's GET_LOCK, SQLite's write lock.
 */
async function withSchemaLock<T>(database: Database, fn: (db: Db) => Promise<T>): Promise<T> {
  if (database.dialect === "mysql") {
    // MySQL commits every DDL statement on its own: a named lock on one connection instead.
    // One lock per database (the name is server-wide), held until the schema is in place.
    return database.db.connection().execute(async (db) => {
      const name = sql`concat('mlflow_ts_schema:', database())`;
      const got = await sql<{ ok: number | null }>`select get_lock(${name}, 600) as ok`.execute(db);
      if (Number(got.rows[0]?.ok) !== 1) throw new MlflowError("TEMPORARILY_UNAVAILABLE", "Timed out waiting for another server to finish creating the schema");
      try {
        return await fn(db);
      } finally {
        await sql`select release_lock(${name})`.execute(db);
      }
    });
  }
  if (database.dialect === "sqlite") {
    // BEGIN IMMEDIATE takes the write lock first, so a second process waits instead of racing.
    return database.db.connection().execute(async (db) => {
      await sql`begin immediate`.execute(db);
      try {
        const result = await fn(db);
        await sql`commit`.execute(db);
        return result;
      } catch (error) {
        await sql`rollback`.execute(db);
        throw error;
      }
    });
  }
  return database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('mlflow_ts_schema'))`.execute(trx);
    return fn(trx);
  });
}

async function setRevision(db: Db, revision: Revision): Promise<void> {
  await sql`update alembic_version set version_num = ${revision}`.execute(db);
}

/** Creates MLflow's schema on an empty database at {@link NEWEST}, and the default experiment. */
async function createSchema(db: Db, database: Database, defaultArtifactRoot: string, now: number): Promise<void> {
  const dialect = database.dialect;
  const q = (n: string) => quote(n, dialect);
  await sql.raw(`CREATE TABLE ${q("alembic_version")} (\n\t${q("version_num")} VARCHAR(32) NOT NULL,\n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (${q("version_num")})\n)`).execute(db);
  for (const table of BASE_TABLES) for (const statement of createTableStatements(table, dialect)) await sql.raw(statement).execute(db);
  for (const step of UPGRADE_STEPS) await step.up(db, dialect);
  await insertDefaultExperiment(db, database, defaultArtifactRoot, now);
  // The revision row comes last: MySQL commits each DDL statement, so another server looking
  // meanwhile sees tables without a revision, takes it for a schema being created, and waits for
  // the lock instead of serving a half-made one.
  await sql`insert into alembic_version (version_num) values (${NEWEST})`.execute(db);
}

/**
 * Inserts experiment 0, "Default", as MLflow does: an explicit id (MySQL needs
 * `NO_AUTO_VALUE_ON_ZERO` for it), artifact location `<root>/0`.
 */
export async function insertDefaultExperiment(db: Db, database: Database, defaultArtifactRoot: string, now: number): Promise<void> {
  const location = defaultArtifactRoot.endsWith("/") ? `${defaultArtifactRoot}0` : `${defaultArtifactRoot}/0`;
  if (database.dialect === "mysql") await sql`set session sql_mode = concat(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')`.execute(db);
  try {
    await sql`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
      values (0, 'Default', ${location}, 'active', ${now}, ${now})`.execute(db);
  } finally {
    if (database.dialect === "mysql") await sql`set session sql_mode = replace(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO', '')`.execute(db);
  }
}

function refuse(message: string): never {
  throw new MlflowError("INVALID_STATE", message);
}

/** Turns a state into what the server may serve, or the error that says what to do. */
function servable(state: SchemaState, displayUri: string): SchemaInfo {
  switch (state.kind) {
    case "legacy":
      return refuse(
        `${displayUri} holds the schema of an earlier mlflow-ts (table mlflow_ts_tracking_migrations), not MLflow's. This release reads and writes MLflow's own schema; start from a new database.`,
      );
    case "unversioned":
      return refuse(`${displayUri} has an experiments table but no alembic_version: it is not a database MLflow (or mlflow-ts) finished creating`);
    case "empty":
      return refuse(`${displayUri} has no MLflow schema`);
    case "mlflow": {
      const index = revisionIndex(state.revision);
      if (index < 0) {
        return refuse(
          `${displayUri} is at revision ${state.revision}, which this server does not know (newer than ${describeRevision(REVISIONS[REVISIONS.length - 1]!)}). It is left untouched; serve it with the MLflow release that created it.`,
        );
      }
      if (index < revisionIndex(OLDEST_SERVED)) {
        return refuse(
          `${displayUri} is at revision ${describeRevision(state.revision)}, older than the oldest this server serves, ${describeRevision(OLDEST_SERVED)}. Take a backup, then upgrade it with MLflow's own 'mlflow db upgrade <uri>'.`,
        );
      }
      return new SchemaInfo(state.revision as Revision);
    }
  }
}

/**
 * Opens the tracking schema for serving. An empty database is created at {@link NEWEST} (with
 * experiment 0) when `create` is set; a database at any revision from {@link OLDEST_SERVED} on is
 * served as it is — its revision is never changed here; anything else is refused with what to do.
 * With `create`, the index charts need is added to a database that lacks it and is small enough
 * ({@link ensureMetricStepIndex}).
 *
 * @example
 * const schema = await prepareSchema(database, { create: true, defaultArtifactRoot: "mlflow-artifacts:/" });
 * schema.atLeast("400f98739977"); // logged models available?
 */
export async function prepareSchema(database: Database, options: { create: boolean; defaultArtifactRoot: string; now?: number }): Promise<SchemaInfo> {
  const state = await inspectSchema(database);
  // Anything but a finished MLflow schema may be another process creating it right now (MySQL
  // commits each DDL statement, so its tables show up one by one): look again holding the lock.
  const info =
    state.kind === "mlflow" || !options.create
      ? servable(state, database.displayUri)
      : await withSchemaLock(database, async (db) => {
          // Another process may have created it while this one waited for the lock.
          const again = await inspectSchema(database, db);
          if (again.kind === "empty") {
            await createSchema(db, database, options.defaultArtifactRoot, options.now ?? Date.now());
            return new SchemaInfo(NEWEST);
          }
          return servable(again, database.displayUri);
        });
  // The index charts read through: added here to a database small enough to index at once.
  const index = await ensureMetricStepIndex(database.db, database.dialect, { maxRows: AUTO_INDEX_MAX_ROWS, create: options.create });
  return new SchemaInfo(info.revision, index.name, index.tooManyRows);
}

/**
 * `mlflow db upgrade`: brings a database to {@link NEWEST} with MLflow's migration steps (an empty
 * one is created there). Returns the revisions before and after; a database already at or past
 * {@link NEWEST} is left as it is.
 *
 * @example
 * const { from, to } = await upgradeSchema(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
 */
export async function upgradeSchema(
  database: Database,
  options: { defaultArtifactRoot: string; now?: number },
): Promise<{ from: string | undefined; to: string; applied: readonly string[]; metricStepIndex: MetricStepIndexState }> {
  const result = await withSchemaLock(database, async (db) => {
    const state = await inspectSchema(database, db);
    if (state.kind === "empty") {
      await createSchema(db, database, options.defaultArtifactRoot, options.now ?? Date.now());
      return { from: undefined, to: NEWEST, applied: [OLDEST_SERVED, ...UPGRADE_STEPS.map((s) => s.revision)] };
    }
    const info = servable(state, database.displayUri);
    const applied: string[] = [];
    for (const step of UPGRADE_STEPS) {
      if (info.atLeast(step.revision)) continue;
      await step.up(db, database.dialect);
      await setRevision(db, step.revision);
      applied.push(step.revision);
    }
    return { from: info.revision, to: applied.at(-1) ?? info.revision, applied };
  });
  // Outside the schema lock: on a big table this takes a while, and needs no lock of ours.
  return { ...result, metricStepIndex: await ensureMetricStepIndex(database.db, database.dialect) };
}
