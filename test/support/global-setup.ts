import crypto from "node:crypto";
import pg from "pg";

// Runs once per `vitest run` (not once per test file): says which suites are skipped, and why, and
// names the run, so the PostgreSQL schemas its files make (test/support/backends.ts) are dropped
// here at the end rather than while other files may be introspecting the same database.
export default function setup(): (() => Promise<void>) | void {
  const run = `r${crypto.randomBytes(4).toString("hex")}`;
  process.env.MLFLOW_TS_TEST_RUN_ID = run;
  const url = process.env.MLFLOW_TS_TEST_POSTGRES_URL;
  const teardown = async (): Promise<void> => {
    if (!url || (process.env.MLFLOW_TS_TEST_QUICK && process.env.MLFLOW_TS_TEST_QUICK !== "0")) return;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like $1`, [`t\\_${run}\\_%`]);
      for (const { name } of rows) await c.query(`drop schema if exists "${name}" cascade`);
    } finally {
      await c.end();
    }
  };
  if (process.env.MLFLOW_TS_TEST_QUICK && process.env.MLFLOW_TS_TEST_QUICK !== "0") {
    console.warn("MLFLOW_TS_TEST_QUICK is set (npm run test:quick): the PostgreSQL, MySQL, owned-database, Chromium, packed-install and npm-registry install suites skip; `npm test` runs them");
    return teardown;
  }
  if (!process.env.MLFLOW_TS_TEST_POSTGRES_URL) console.warn("PostgreSQL suites skipped: MLFLOW_TS_TEST_POSTGRES_URL is not set (.ci/run sets it to postgresql://postgres@127.0.0.1:5432/test)");
  if (!process.env.MLFLOW_TS_TEST_MYSQL_URL) console.warn("MySQL suites skipped: MLFLOW_TS_TEST_MYSQL_URL is not set (.ci/run sets it to mysql://root@127.0.0.1:3306/test)");
  return teardown;
}
