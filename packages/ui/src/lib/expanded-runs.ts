import { isRunId } from "./run-id.js";

/**
 * Which parents of the runs table are expanded: the listed ones, or (`all`, after "Expand all")
 * every parent but the listed ones — so "Expand all" stays one short parameter however many
 * parents there are, and parents loaded later open too.
 *
 * @example
 * const afterExpandAll: ExpandedRuns = { all: true, ids: ["<a parent collapsed since>"] };
 */
export interface ExpandedRuns {
  readonly all: boolean;
  /** Without `all`, the parents expanded; with it, those collapsed. At most {@link MAX_EXPANDED}. */
  readonly ids: readonly string[];
}

/**
 * How many run IDs the URL keeps (about 17 KB of address at most); past it the oldest is dropped.
 *
 * @example
 * toggleExpanded(state, id).ids.length <= MAX_EXPANDED; // true
 */
export const MAX_EXPANDED = 300;

// MLflow 2's UI kept its `runsExpanded` map in the URL through `qs`: `runsExpanded[<run id>]=true`.
// Ours is the same parameter, with `*` for "every parent" (a key no run ID can be, and one MLflow
// reads as a run that does not exist, so its links stay valid there).
const PARAM = /^runsExpanded\[([^\]]*)\]$/;
const ALL = "*";

/**
 * The expanded parents as `groupRuns` asks for them: one lookup per parent, whatever the count.
 *
 * @example
 * expandedLookup({ all: true, ids: ["a"] }).has("a"); // false: collapsed after "Expand all"
 */
export function expandedLookup(state: ExpandedRuns | undefined): { has(runId: string): boolean } {
  if (!state) return { has: () => false };
  const listed = new Set(state.ids);
  return { has: (runId) => state.all !== listed.has(runId) };
}

/**
 * The state with one parent expanded or collapsed (whichever it was not).
 *
 * @example
 * toggleExpanded({ all: false, ids: [] }, "a"); // { all: false, ids: ["a"] }
 */
export function toggleExpanded(state: ExpandedRuns, runId: string): ExpandedRuns {
  const ids = state.ids.filter((id) => id !== runId);
  if (ids.length === state.ids.length) ids.push(runId);
  return { all: state.all, ids: ids.slice(-MAX_EXPANDED) };
}

/**
 * The expanded parents a URL's parameters name: `runsExpanded[<run id>]=true` (MLflow 2's form),
 * `runsExpanded[*]=true` with `runsExpanded[<run id>]=false` for "all but these". What is not a
 * run ID, or past {@link MAX_EXPANDED}, is ignored. Undefined when nothing is expanded.
 *
 * @example
 * parseExpandedRuns(new URLSearchParams("runsExpanded%5Babc%5D=true")); // { all: false, ids: ["abc"] }
 */
export function parseExpandedRuns(params: URLSearchParams): ExpandedRuns | undefined {
  const all = params.get(`runsExpanded[${ALL}]`) === "true";
  const ids: string[] = [];
  for (const [name, value] of params) {
    const id = PARAM.exec(name)?.[1];
    // Without "all", `false` entries (MLflow writes them for parents collapsed again) mean nothing.
    if (id === undefined || !isRunId(id) || value !== String(!all) || ids.includes(id)) continue;
    ids.push(id);
    if (ids.length === MAX_EXPANDED) break;
  }
  return all || ids.length ? { all, ids } : undefined;
}

/**
 * Writes the expanded parents into a URL's parameters, replacing what was there.
 *
 * @example
 * writeExpandedRuns(params, { all: true, ids: ["abc"] }); // runsExpanded[*]=true&runsExpanded[abc]=false
 */
export function writeExpandedRuns(params: URLSearchParams, state: ExpandedRuns | undefined): void {
  for (const name of [...params.keys()]) if (PARAM.test(name)) params.delete(name);
  if (!state) return;
  if (state.all) params.set(`runsExpanded[${ALL}]`, "true");
  for (const id of state.ids.slice(-MAX_EXPANDED)) params.set(`runsExpanded[${id}]`, String(!state.all));
}
