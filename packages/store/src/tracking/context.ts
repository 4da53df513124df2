import { sql, type InsertQueryBuilder } from "kysely";
import type { Database, DialectName } from "../create-database.js";
import type { SchemaInfo } from "../schema/schema-info.js";

/** What every tracking repository function needs. */
export interface TrackingContext {
  readonly database: Database;
  /** The revision of the database and what it has. */
  readonly schema: SchemaInfo;
  /** Root under which new experiments get `<root>/<id>` as their artifact location. */
  readonly defaultArtifactRoot: string;
  /** The server's working directory: relative local paths (artifact locations, sources) resolve from it. */
  readonly cwd: string;
  /** Truncate over-long param and tag values (MLflow's default) instead of rejecting them. */
  readonly truncateLongValues: boolean;
  /** Milliseconds since the epoch; replaceable in tests. */
  readonly now: () => number;
}

/**
 * Joins a path segment onto an artifact URI or path with exactly one slash, before the query.
 *
 * @example
 * appendToUri("mlflow-artifacts:/", "1"); // "mlflow-artifacts:/1"
 * appendToUri("s3://bucket/root?versioning=on", "1"); // "s3://bucket/root/1?versioning=on"
 */
export function appendToUri(root: string, segment: string): string {
  // MLflow's append_to_uri_path: in a URI with a scheme the segment joins the path, before a
  // ?query or #fragment (mysql://h/db?driver=x → mysql://h/db/<segment>?driver=x); a plain path
  // is joined as it is.
  const cut = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(root) ? root.search(/[?#]/) : -1;
  const base = cut < 0 ? root : root.slice(0, cut);
  const joined = base.endsWith("/") ? `${base}${segment}` : `${base}/${segment}`;
  return cut < 0 ? joined : joined + root.slice(cut);
}

/**
 * The integer behind an experiment ID string, or undefined when it cannot name a stored experiment.
 *
 * @example
 * experimentIdNumber("12"); // 12
 */
export function experimentIdNumber(id: string): number | undefined {
  // Canonical spellings only: "01" names no experiment here, as it names no grant in an auth app.
  if (!/^(0|[1-9]\d{0,14})$/.test(id)) return undefined;
  return Number(id);
}

/**
 * A boolean as a dialect stores it: native on PostgreSQL, 0/1 elsewhere (better-sqlite3 binds no
 * booleans; MLflow's MySQL columns are TINYINT).
 *
 * @example
 * sqlBool("sqlite", true); // 1
 */
export function sqlBool(dialect: DialectName, value: boolean): boolean | number {
  return dialect === "postgres" ? value : value ? 1 : 0;
}

/**
 * An insert that updates `set` when the row's key exists: `ON CONFLICT (key) DO UPDATE` on SQLite
 * and PostgreSQL, `ON DUPLICATE KEY UPDATE` on MySQL.
 *
 * @example
 * await upsert(trx.insertInto("tags").values(row), dialect, ["key", "run_uuid"], { value }).execute();
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function upsert<Q extends InsertQueryBuilder<any, any, any>>(query: Q, dialect: DialectName, key: readonly string[], set: Record<string, unknown>): Q {
  if (dialect === "mysql") return query.onDuplicateKeyUpdate(set) as Q;
  return query.onConflict((oc) => oc.columns(key as never).doUpdateSet(set)) as Q;
}

/**
 * An insert whose rows replace the named columns of existing rows with the same key: `excluded.c` on
 * SQLite and PostgreSQL, `VALUES(c)` on MySQL.
 *
 * @example
 * await upsertIncoming(trx.insertInto("tags").values(rows), dialect, ["key", "run_uuid"], ["value"]).execute();
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function upsertIncoming<Q extends InsertQueryBuilder<any, any, any>>(query: Q, dialect: DialectName, key: readonly string[], columns: readonly string[]): Q {
  const set = Object.fromEntries(columns.map((c) => [c, dialect === "mysql" ? sql`values(${sql.ref(c)})` : sql.ref(`excluded.${c}`)]));
  return upsert(query, dialect, key, set);
}

/**
 * An insert that skips rows whose key exists: `ON CONFLICT DO NOTHING`, or `INSERT IGNORE` on MySQL.
 *
 * @example
 * await insertOrIgnore(trx.insertInto("metrics").values(rows), dialect).execute();
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function insertOrIgnore<Q extends InsertQueryBuilder<any, any, any>>(query: Q, dialect: DialectName): Q {
  return (dialect === "mysql" ? query.ignore() : query.onConflict((oc) => oc.doNothing())) as Q;
}

/**
 * Whether a database error is a unique-constraint violation (SQLite, PostgreSQL or MySQL).
 *
 * @example
 * if (isUniqueViolation(e)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", "...");
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e?.code === "23505" ||
    e?.code === "ER_DUP_ENTRY" ||
    // MySQL/MariaDB report a duplicate reached through ON UPDATE CASCADE (a rename) this way.
    e?.code === "ER_FOREIGN_DUPLICATE_KEY_WITH_CHILD_INFO" ||
    e?.code === "ER_FOREIGN_DUPLICATE_KEY_WITHOUT_CHILD_INFO" ||
    e?.code === "ER_DUP_ENTRY_WITH_KEY_NAME" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    (typeof e?.message === "string" && /UNIQUE constraint failed/.test(e.message))
  );
}

/**
 * Splits a list into chunks small enough for every dialect's bound-parameter limit.
 *
 * @example
 * chunk([1, 2, 3], 2); // [[1, 2], [3]]
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
