// After a run, lists every test file that took longer than MLFLOW_TS_TEST_SLOW_FILE_SECONDS
// (default 10) — import plus tests and hooks — slowest first, so a file that grows slow shows.
import type { Reporter, TestModule } from "vitest/node";
import path from "node:path";

export default class SlowFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const limit = Number(process.env.MLFLOW_TS_TEST_SLOW_FILE_SECONDS ?? 10) * 1000;
    const rows = testModules
      .map((m) => {
        const d = m.diagnostic();
        return { file: path.relative(process.cwd(), m.moduleId), ms: d.collectDuration + d.duration };
      })
      .filter((r) => r.ms >= limit)
      .sort((a, b) => b.ms - a.ms);
    if (rows.length === 0) return;
    const lines = rows.map((r) => `  ${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.file}`);
    process.stdout.write(`\nTest files over ${limit / 1000} s (import + tests + hooks, slowest first):\n${lines.join("\n")}\n`);
  }
}
