import { isRunId } from "./run-id.js";

/**
 * How many hidden runs an experiment keeps; past it the ones hidden longest ago are shown again.
 *
 * @example
 * parseHiddenRuns(JSON.stringify(manyIds)).length <= MAX_HIDDEN_RUNS; // true
 */
export const MAX_HIDDEN_RUNS = 500;

/**
 * The local-storage key of the runs hidden in an experiment's charts: beside its layout's.
 *
 * @example
 * hiddenRunsKey(chartLayoutKey("3")); // "mlflow-ts.charts.3.hidden"
 */
export function hiddenRunsKey(layoutKey: string): string {
  return `${layoutKey}.hidden`;
}

/**
 * Hidden run IDs read back: a JSON list of run IDs, the last {@link MAX_HIDDEN_RUNS} of them.
 * Anything else (edited by hand, another version's) is left out; an unreadable list is none.
 * IDs of runs no longer charted are kept but change nothing: a run hidden stays hidden when it is
 * charted again.
 *
 * @example
 * parseHiddenRuns('["4b0c…", 7, "x]"]'); // ["4b0c…"]
 */
export function parseHiddenRuns(text: string | null): string[] {
  try {
    const value: unknown = JSON.parse(text ?? "[]");
    if (!Array.isArray(value)) return [];
    const ids = [...new Set(value.filter((v): v is string => typeof v === "string" && isRunId(v)))];
    return ids.slice(-MAX_HIDDEN_RUNS);
  } catch {
    return [];
  }
}

/**
 * The runs hidden in the charts kept under a layout key (none if storage refuses).
 *
 * @example
 * new Set(loadHiddenRuns(chartLayoutKey("3")));
 */
export function loadHiddenRuns(layoutKey: string): string[] {
  try {
    return parseHiddenRuns(window.localStorage.getItem(hiddenRunsKey(layoutKey)));
  } catch {
    return [];
  }
}

/**
 * Keeps the hidden runs beside a layout (the last {@link MAX_HIDDEN_RUNS}); none forgets the key.
 *
 * @example
 * saveHiddenRuns(chartLayoutKey("3"), [...hidden]);
 */
export function saveHiddenRuns(layoutKey: string, ids: readonly string[]): void {
  try {
    if (ids.length) window.localStorage.setItem(hiddenRunsKey(layoutKey), JSON.stringify(ids.slice(-MAX_HIDDEN_RUNS)));
    else window.localStorage.removeItem(hiddenRunsKey(layoutKey));
  } catch {
    // Storage refused (private mode, quota): hidden for this page only.
  }
}
