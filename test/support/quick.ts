/**
 * `npm run test:quick` sets MLFLOW_TS_TEST_QUICK=1: the inner loop. The PostgreSQL and MySQL suites
 * skip as they do without their URLs, the owned-database (fault) suites and the Chromium suites
 * skip as they do without their binaries, and so do the packed-release and npm-registry installs. `npm test` runs
 * them all.
 */
export const QUICK = Boolean(process.env.MLFLOW_TS_TEST_QUICK) && process.env.MLFLOW_TS_TEST_QUICK !== "0";
