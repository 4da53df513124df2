import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./create-database.js";

/**
 * Runs `fn` in one write transaction and returns its result; any throw rolls everything back.
 *
 * On SQLite the transaction starts with `BEGIN IMMEDIATE`: a deferred transaction that reads and
 * then writes fails at once with SQLITE_BUSY (without waiting for the busy timeout) when another
 * process wrote in between, which would lose writes with two servers on one file.
 *
 * @example
 * await withTransaction(database, (trx) => trx.insertInto("tags").values(row).execute());
 */
export async function withTransaction<T>(
  database: Database,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fn: (trx: Kysely<any>) => Promise<T>,
): Promise<T> {
  if (database.dialect !== "sqlite") {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return database.db.transaction().execute((trx: Transaction<any>) => fn(trx));
  }
  return database.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
