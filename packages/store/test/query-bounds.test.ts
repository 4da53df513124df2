import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, withQueryCancellation, type Database } from "@mlflow-ts/store";
import { POSTGRES_URL, createTestDatabase, type TestDatabase } from "../../../test/support/backends.js";

// Issue 9, item 7: on PostgreSQL a query is bounded by the statement timeout, and the queries of a
// request whose client went away are cancelled on the server instead of holding a connection.

async function sleeping(marker: string): Promise<number> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  const r = await c.query("select count(*)::int as n from pg_stat_activity where state = 'active' and query like $1 and pid <> pg_backend_pid()", [`%${marker}%`]);
  await c.end();
  return (r.rows[0] as { n: number }).n;
}

describe.skipIf(!POSTGRES_URL)("bounded PostgreSQL queries", () => {
  let target: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    target = await createTestDatabase("postgres");
    database = await createDatabase(target.uri, { statementTimeoutMs: 300, poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  it("cancels a statement that runs past the timeout (57014), and the connection serves the next query", async () => {
    await expect(sql`select pg_sleep(5) /* timeout-marker */`.execute(database.db)).rejects.toMatchObject({ code: "57014" });
    expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows[0]!.one).toBe(1);
  });

  it("cancels the running query of an abandoned request on the server, freeing its connection", async () => {
    const unbounded = await createDatabase(target.uri, { poolSize: 1 });
    try {
      const controller = new AbortController();
      const query = withQueryCancellation(controller.signal, () => sql`select pg_sleep(30) /* abandoned-marker */`.execute(unbounded.db));
      const failed = expect(query).rejects.toMatchObject({ code: "57014" });
      for (let i = 0; i < 50 && (await sleeping("abandoned-marker")) === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(await sleeping("abandoned-marker")).toBe(1);
      controller.abort();
      await failed;
      expect(await sleeping("pg_sleep(30)")).toBe(0);
      // The pool's only connection is free again.
      expect((await sql<{ one: number }>`select 1 as one`.execute(unbounded.db)).rows[0]!.one).toBe(1);
      // A request already gone sends nothing.
      await expect(withQueryCancellation(controller.signal, () => sql`select 1`.execute(unbounded.db))).rejects.toMatchObject({ code: "57014" });
    } finally {
      await unbounded.close();
    }
  });
});
