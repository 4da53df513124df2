import { defineConfig } from "vitest/config";

// One run over every workspace. Tests exercise the built packages (dist/), exactly what
// `bin/mlflow.js` and an installed plugin would load; `npm test` builds first.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "plugins/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/support/global-setup.ts"],
    reporters: ["default"],
  },
});
