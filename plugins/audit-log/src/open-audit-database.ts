import fs from "node:fs";
import path from "node:path";
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Generated } from "kysely";

/** The row of the table `audit_log`. */
export interface AuditRow {
  id: Generated<number>;
  time: string;
  kind: string;
  username: string | null;
  outcome: string;
  endpoint: string;
  entry: string;
}

/** The one table the audit log owns. */
export interface AuditTables {
  audit_log: AuditRow;
}

/** An open audit database: Kysely over the one table, its dialect, and how to close it. */
export interface AuditDatabase {
  readonly db: Kysely<AuditTables>;
  readonly dialect: "sqlite" | "postgres" | "mysql";
  /** The URI without its password, safe to log and show. */
  readonly displayUri: string;
  close(): Promise<void>;
}

/**
 * The URI with any password replaced by `***`.
 *
 * @example
 * redactUri("postgresql://audit:s3cret@db/audit"); // "postgresql://audit:***@db/audit"
 */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z0-9+]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}

/**
 * Opens the database of an MLflow/SQLAlchemy URI as the tracking store reads them:
 * `sqlite:///relative.db` (from `cwd`), `sqlite:////absolute.db`, `postgresql[+driver]://…`,
 * `mysql[+driver]://…` (MariaDB too). Small pools: entries are written in batches by one writer.
 *
 * @example
 * const database = await openAuditDatabase("sqlite:///mlflow.db", process.cwd());
 */
export async function openAuditDatabase(uri: string, cwd: string): Promise<AuditDatabase> {
  const match = /^([a-z][a-z0-9]*)(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(uri);
  if (!match) throw new Error(`audit-log: '${redactUri(uri)}' is not a database URI (sqlite:///<file>, postgresql://… or mysql://…)`);
  const scheme = match[1]!.toLowerCase();
  const rest = match[3]!;
  if (scheme === "sqlite") {
    if (!rest.startsWith("/") || rest === "/" || rest === "/:memory:") throw new Error(`audit-log: '${uri}' names no SQLite file (sqlite:///<relative path> or sqlite:////<absolute path>)`);
    const name = rest.slice(1).split("?")[0]!;
    const file = path.isAbsolute(name) ? name : path.resolve(cwd, name);
    if (!fs.existsSync(path.dirname(file))) throw new Error(`audit-log: cannot open ${uri}: the directory ${path.dirname(file)} does not exist`);
    const { default: SQLite } = await import("better-sqlite3");
    const connection = new SQLite(file);
    // The tracking server may have the same file open: WAL lets readers on while one writes.
    connection.pragma("journal_mode = WAL");
    connection.pragma("busy_timeout = 5000");
    const db = new Kysely<AuditTables>({ dialect: new SqliteDialect({ database: connection }) });
    return { db, dialect: "sqlite", displayUri: `sqlite:///${file}`, close: () => db.destroy() };
  }
  if (scheme === "postgresql" || scheme === "postgres") {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: `postgresql://${rest}`, max: 2, connectionTimeoutMillis: 5_000 });
    // A connection the database drops is replaced on demand; unhandled, the error would end the process.
    pool.on("error", () => {});
    const db = new Kysely<AuditTables>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: "postgres", displayUri: redactUri(`postgresql://${rest}`), close: () => db.destroy() };
  }
  if (scheme === "mysql" || scheme === "mariadb") {
    const { default: mysql } = await import("mysql2");
    const pool = mysql.createPool({ uri: `mysql://${rest}`, connectionLimit: 2, connectTimeout: 5_000 });
    const db = new Kysely<AuditTables>({ dialect: new MysqlDialect({ pool }) });
    return { db, dialect: "mysql", displayUri: redactUri(`mysql://${rest}`), close: () => db.destroy() };
  }
  throw new Error(`audit-log: unsupported database scheme '${scheme}' (sqlite, postgresql, mysql)`);
}
