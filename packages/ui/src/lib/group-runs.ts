import type { Run } from "@mlflow-ts/protocol";

/**
 * The tag MLflow's client sets on a nested run (`mlflow.start_run(nested=True)`).
 *
 * @example
 * run.data.tags?.find((t) => t.key === PARENT_TAG)?.value;
 */
export const PARENT_TAG = "mlflow.parentRunId";

/** One visible row of the grouped runs table. */
export interface RunRow {
  readonly run: Run;
  /** 0 for a top-level run, 1 for a child, 2 for a grandchild… */
  readonly depth: number;
  /** How many loaded runs name this one as their parent (0: no expander). */
  readonly childCount: number;
  readonly expanded: boolean;
}

/**
 * The parent run ID of a run, or undefined.
 *
 * @example
 * parentOf(childRun); // "4b0c…" (its mlflow.parentRunId tag)
 */
export function parentOf(run: Run): string | undefined {
  const tags = run.data.tags;
  if (!tags) return undefined;
  for (const t of tags) if (t.key === PARENT_TAG) return t.value || undefined;
  return undefined;
}

/**
 * Groups runs under their parents as MLflow's runs table does: a run whose parent is among the
 * loaded runs is listed under it (shown when the parent is expanded); a run whose parent is not
 * loaded (filtered out, deleted, on a page not loaded yet) is listed at the top level. The order of
 * `runs` is kept at every level, so a sort sorts parents among parents and children within their
 * parent. One pass to index, one to walk: 10,000 runs group in a few milliseconds.
 *
 * A cycle of parent tags (hand-written tags can make one) cannot hide runs: whatever the walk from
 * the top level did not reach is listed at the top level.
 *
 * @example
 * const rows = groupRuns(runs, new Set([parentId]));
 * rows.map((r) => `${"  ".repeat(r.depth)}${r.run.info.run_name}`); // ["sweep", "  trial-1", "  trial-2", "other"]
 */
export function groupRuns(runs: readonly Run[], expanded: Pick<ReadonlySet<string>, "has">): RunRow[] {
  const ids = new Set<string>();
  for (const run of runs) ids.add(run.info.run_id);
  const children = new Map<string, Run[]>();
  const tops: Run[] = [];
  for (const run of runs) {
    const parent = parentOf(run);
    if (parent !== undefined && parent !== run.info.run_id && ids.has(parent)) {
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(run);
    } else {
      tops.push(run);
    }
  }
  const rows: RunRow[] = [];
  // An explicit stack, not recursion: a chain of thousands of nested runs must not overflow.
  // `guard` is only needed among runs a cycle of tags may bring back.
  const walk = (start: Run, guard?: Set<string>) => {
    const stack: { run: Run; depth: number }[] = [{ run: start, depth: 0 }];
    while (stack.length) {
      const { run, depth } = stack.pop()!;
      const id = run.info.run_id;
      if (guard) {
        if (guard.has(id)) continue;
        guard.add(id);
      }
      const kids = children.get(id);
      const open = kids !== undefined && expanded.has(id);
      rows.push({ run, depth, childCount: kids?.length ?? 0, expanded: open });
      if (open) for (let i = kids.length - 1; i >= 0; i -= 1) stack.push({ run: kids[i]!, depth: depth + 1 });
    }
  };
  for (const run of tops) walk(run);
  // Each run has one parent, so below the top level the runs form a forest, each reached once:
  // counting what the top level leads to (collapsed or not) tells whether a cycle hides some.
  let reached = tops.length;
  const pending = tops.map((r) => r.info.run_id);
  while (pending.length) {
    const kids = children.get(pending.pop()!);
    if (!kids) continue;
    reached += kids.length;
    for (const kid of kids) pending.push(kid.info.run_id);
  }
  if (reached >= runs.length) return rows;
  const reachable = new Set<string>();
  const mark = (id: string) => {
    const stack = [id];
    while (stack.length) {
      const next = stack.pop()!;
      if (reachable.has(next)) continue;
      reachable.add(next);
      for (const kid of children.get(next) ?? []) stack.push(kid.info.run_id);
    }
  };
  for (const run of tops) mark(run.info.run_id);
  const guard = new Set<string>();
  for (const run of runs) {
    if (reachable.has(run.info.run_id)) continue;
    mark(run.info.run_id);
    walk(run, guard);
  }
  return rows;
}
