import { Migrator, sql, type Migration } from "kysely";
import { MlflowError } from "@mlflow-ts/protocol";
import type { Database } from "./create-database.js";

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The owner's own migration table, so several owners (tracking, auth apps) share a database. */
  readonly tableName: string;
  /** Migrations by name; they run in name order. */
  readonly migrations: Readonly<Record<string, Migration>>;
}

/**
 * Brings a database up to date with one owner's migrations, under that owner's migration table and
 * lock (so two servers starting at once do not both migrate).
 *
 * @example
 * await migrate(database, { tableName: "my_app_migrations", migrations: { "001": m1 } });
 */
export async function migrate(database: Database, options: MigrateOptions): Promise<readonly string[]> {
  // Kysely looks for its tables in every schema; on PostgreSQL pin it to the current one, or a
  // migration table in another schema on the search path would be taken for ours.
  const schema =
    database.dialect === "postgres"
      ? ((await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]?.schema ?? undefined)
      : undefined;
  const migrator = new Migrator({
    db: database.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: { getMigrations: async () => ({ ...options.migrations }) },
    migrationTableName: options.tableName,
    migrationLockTableName: `${options.tableName}_lock`,
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's lock is per connection on SQLite, not per file: two processes starting together can
  // both try the same migration. It runs in one transaction, so the loser changed nothing and a
  // second look finds the winner's work done.
  for (let attempt = 0; error && database.dialect === "sqlite" && attempt < 5; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MlflowError("INTERNAL_ERROR", `Migration ${failed} (${options.tableName}) failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
