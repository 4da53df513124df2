import { artifactUrl } from "./api.js";
import type { DataTable } from "./log-table.js";
import { tableOfArtifact } from "./table-artifact.js";

/**
 * Fetches one table artifact of a run through the artifact API (`get-artifact`, as every other
 * preview) and reads it (see {@link tableOfArtifact}). Fails with a message a user can act on: the
 * HTTP status, "not valid JSON", "not a table", or a Parquet table (`log_table(df, "t.parquet")`),
 * which the browser cannot read without a Parquet decoder.
 *
 * @example
 * const table = await loadTableArtifact(runId, "eval_results_table.json", signal);
 */
export async function loadTableArtifact(runId: string, path: string, signal?: AbortSignal): Promise<DataTable> {
  if (/\.parquet$/i.test(path)) throw new Error("a Parquet table, which the browser cannot read: download it from the run's artifacts");
  const response = await fetch(artifactUrl(runId, path), { signal, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`.trim());
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("not valid JSON");
  }
  const table = tableOfArtifact(value);
  if (!table) throw new Error('not a table (expected log_table\'s {"columns": [...], "data": [[...]]})');
  return table;
}
