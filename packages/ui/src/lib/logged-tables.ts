import type { KeyValue, Run } from "@mlflow-ts/protocol";

/** The run tag in which `mlflow.log_table` lists the tables a run logged (MLflow's `MLFLOW_LOGGED_ARTIFACTS`). */
export const LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts";

/**
 * The table artifacts a run declares in its `mlflow.loggedArtifacts` tag, which `log_table` (and so
 * `mlflow.evaluate`'s `eval_results_table.json`) keeps as a JSON list: `[{"path": "eval.json",
 * "type": "table"}]`. Entries of other types, duplicates, and a tag that is not such a list (written
 * by hand) give nothing rather than an error: one odd run must not hide the other runs' tables.
 *
 * @example
 * loggedTablesOf([{ key: "mlflow.loggedArtifacts", value: '[{"path": "eval.json", "type": "table"}]' }]); // ["eval.json"]
 * loggedTablesOf(undefined); // []
 */
export function loggedTablesOf(tags: readonly KeyValue[] | undefined): string[] {
  const raw = tags?.find((t) => t.key === LOGGED_ARTIFACTS_TAG)?.value;
  if (!raw) return [];
  let declared: unknown;
  try {
    declared = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(declared)) return [];
  const out: string[] = [];
  for (const entry of declared) {
    if (!entry || typeof entry !== "object") continue;
    const { path, type } = entry as { path?: unknown; type?: unknown };
    if (type === "table" && typeof path === "string" && path && !out.includes(path)) out.push(path);
  }
  return out;
}

/** The tables of a set of runs: every table once, in the order the runs list them, and each run's own. */
export interface RunsTables {
  readonly tables: readonly string[];
  readonly byRun: ReadonlyMap<string, readonly string[]>;
}

/**
 * The tables logged by any of `runs` (what the Evaluation view offers), in first-seen order, and
 * which run logged which (a run is only asked for the tables it declares).
 *
 * @example
 * const { tables, byRun } = loggedTablesOfRuns(runs); // tables: ["eval.json", "eval_results_table.json"]
 * byRun.get(runs[0].info.run_id); // ["eval.json"]
 */
export function loggedTablesOfRuns(runs: readonly Run[]): RunsTables {
  const tables: string[] = [];
  const byRun = new Map<string, readonly string[]>();
  for (const run of runs) {
    const own = loggedTablesOf(run.data.tags);
    byRun.set(run.info.run_id, own);
    for (const path of own) if (!tables.includes(path)) tables.push(path);
  }
  return { tables, byRun };
}
