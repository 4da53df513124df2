import os from "node:os";
import { defineConfig } from "vitest/config";
import SlowFilesReporter from "./test/support/slow-files-reporter.js";
import SlowFirstSequencer from "./test/support/slow-first-sequencer.js";

// Most test files spend their time waiting — on spawned servers, on PostgreSQL and MariaDB, on npm,
// on Chromium — not on this process's CPU, so files run in more forks than there are cores (vitest's
// own default is cores - 1: one fork on a 2-core machine). MLFLOW_TS_TEST_WORKERS overrides it.
// Every suite that touches a shared database makes its own schema / database / temp dir
// (test/support/backends.ts), and servers take free ports, so files are independent.
const workers = Number(process.env.MLFLOW_TS_TEST_WORKERS) || Math.max(2, os.availableParallelism() * 2);

// One run over every workspace. Tests exercise the built packages (dist/), exactly what
// `bin/mlflow.js` and an installed plugin would load; `npm test` builds first.
export default defineConfig({
  test: {
    // Two projects: every suite as it is, and (issue 22) the auth apps' suites again with the
    // audit app composed after them (`--app-name basic-auth,audit-log`, `oidc-auth,audit-log`),
    // unchanged, each server's audit file checked to hold every write it answered.
    projects: [
      { extends: true, test: { name: "all", include: ["packages/*/test/**/*.test.ts", "plugins/*/test/**/*.test.ts", "test/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "with-audit-log", include: ["packages/basic-auth/test/**/*.test.ts", "plugins/oidc-auth/test/**/*.test.ts"], env: { MLFLOW_TS_TEST_WITH_APPS: "audit-log" } },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: workers,
    fileParallelism: true,
    sequence: { sequencer: SlowFirstSequencer },
    globalSetup: ["test/support/global-setup.ts"],
    reporters: ["default", new SlowFilesReporter()],
  },
});
