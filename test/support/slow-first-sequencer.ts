// Vitest's own order (files that failed last time, then by last run's duration from its cache, or by
// size without one), except that the few files known to take the longest start first whatever the
// cache says: on a fresh checkout they would otherwise start last and finish alone.
import { BaseSequencer, type TestSpecification } from "vitest/node";

const FIRST = ["test/npm-registry-install.test.ts", "plugins/my-auth/test/packed-install.test.ts", "packages/basic-auth/test/issue19-repros.test.ts", "test/database-faults.test.ts"];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = FIRST.findIndex((suffix) => f.moduleId.endsWith(suffix));
      return i === -1 ? FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
