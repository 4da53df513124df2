// Runs once per `vitest run` (not once per test file): says which suites are skipped, and why.
export default function setup(): void {
  if (process.env.MLFLOW_TS_TEST_QUICK && process.env.MLFLOW_TS_TEST_QUICK !== "0") {
    console.warn("MLFLOW_TS_TEST_QUICK is set (npm run test:quick): the PostgreSQL, MySQL, owned-database, Chromium and packed-install suites skip; `npm test` runs them");
    return;
  }
  if (!process.env.MLFLOW_TS_TEST_POSTGRES_URL) console.warn("PostgreSQL suites skipped: MLFLOW_TS_TEST_POSTGRES_URL is not set (.ci/run sets it to postgresql://postgres@127.0.0.1:5432/test)");
  if (!process.env.MLFLOW_TS_TEST_MYSQL_URL) console.warn("MySQL suites skipped: MLFLOW_TS_TEST_MYSQL_URL is not set (.ci/run sets it to mysql://root@127.0.0.1:3306/test)");
}
