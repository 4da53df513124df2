import http from "node:http";
import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "@mlflow-ts/store";
import { POSTGRES_URL } from "../../../test/support/backends.js";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

async function active(marker: string): Promise<number> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  const r = await c.query("select count(*)::int as n from pg_stat_activity where state = 'active' and query like $1 and pid <> pg_backend_pid()", [`%${marker}%`]);
  await c.end();
  return (r.rows[0] as { n: number }).n;
}

describe.skipIf(!POSTGRES_URL)("a request whose client goes away has its queries cancelled", () => {
  let server: TestServer;
  let database: Database;
  beforeAll(async () => {
    server = await startTestServer({
      dialect: "postgres",
      configure: async (app) => {
        database = await createDatabase(app.context.config.backendStoreUri);
        // An endpoint as an app declares one: its queries run inside the request's scope.
        app.endpoint("GET", "/api/2.0/test/slow", {}, async () => {
          await sql`select pg_sleep(30) /* server-cancel-marker */`.execute(database.db);
          return {};
        });
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it("cancels the running query on the database when the connection closes", async () => {
    const request = http.get(`${server.url}/api/2.0/test/slow`);
    request.on("error", () => {});
    for (let i = 0; i < 100 && (await active("server-cancel-marker")) === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await active("server-cancel-marker")).toBe(1);
    request.destroy();
    for (let i = 0; i < 100 && (await active("server-cancel-marker")) > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await active("server-cancel-marker")).toBe(0);
  });
});
