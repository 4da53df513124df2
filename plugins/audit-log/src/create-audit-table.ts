import { sql } from "kysely";
import type { AuditDatabase } from "./open-audit-database.js";

/**
 * Creates the table `audit_log` and its indexes (time, username) when they are missing — safe to
 * run from several processes at once. It never reads or alters another table: the tracking
 * database's own tables and migrations are MLflow's.
 *
 * @example
 * await createAuditTable(await openAuditDatabase("sqlite:///mlflow.db", cwd));
 */
export async function createAuditTable(database: AuditDatabase): Promise<void> {
  const { db, dialect } = database;
  await db.schema
    .createTable("audit_log")
    .ifNotExists()
    .addColumn("id", dialect === "postgres" ? "bigserial" : dialect === "mysql" ? "bigint" : "integer", (c) => (dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("time", "varchar(32)", (c) => c.notNull())
    .addColumn("kind", "varchar(32)", (c) => c.notNull())
    .addColumn("username", "varchar(255)")
    .addColumn("outcome", "varchar(16)", (c) => c.notNull())
    .addColumn("endpoint", "varchar(1024)", (c) => c.notNull())
    .addColumn("entry", "text", (c) => c.notNull())
    .execute();
  for (const [name, column] of [
    ["audit_log_time", "time"],
    ["audit_log_username", "username"],
  ] as const) {
    if (dialect !== "mysql") {
      await db.schema.createIndex(name).ifNotExists().on("audit_log").column(column).execute();
      continue;
    }
    // MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB does): look first, and let a process that
    // raced us to it win.
    const { rows } = await sql<{ n: number }>`select count(*) as n from information_schema.statistics where table_schema = database() and table_name = 'audit_log' and index_name = ${name}`.execute(db);
    if (Number(rows[0]?.n ?? 0) > 0) continue;
    await db.schema
      .createIndex(name)
      .on("audit_log")
      .column(column)
      .execute()
      .catch((error: { errno?: number }) => {
        if (error.errno !== 1061) throw error; // ER_DUP_KEYNAME
      });
  }
}
