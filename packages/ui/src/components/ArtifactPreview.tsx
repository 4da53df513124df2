import { useEffect, useState } from "preact/hooks";
import { formatBytes } from "../lib/format.js";
import { logTableOf, type DataTable } from "../lib/log-table.js";
import { SortableTable } from "./SortableTable.js";

// Larger files are offered for download only: a preview must not stall the page.
const MAX_PREVIEW = 2 * 1024 * 1024;
const IMAGE = /\.(png|jpe?g|gif|svg|bmp|webp)$/i;
const TEXT = /(\.(txt|log|md|py|json|ya?ml|csv|tsv|ini|cfg|toml|sh|js|ts|html|xml|sql|r)$|^MLmodel$|(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml)$)/i;

/**
 * A preview of one artifact: images, text (JSON pretty-printed, YAML as is), CSV/TSV and
 * `mlflow.log_table` JSON as sortable tables. `resolve` gives the URL of another artifact of the
 * same run (the images a `log_table` refers to).
 *
 * @example
 * <ArtifactPreview url={artifactUrl(runId, "eval.json")} path="eval.json" resolve={(p) => artifactUrl(runId, p)} />
 */
export function ArtifactPreview(props: { url: string; path: string; size?: number; resolve?: (path: string) => string }) {
  const [text, setText] = useState<string>();
  const [table, setTable] = useState<DataTable>();
  const [isLogTable, setIsLogTable] = useState(false);
  const [error, setError] = useState<string>();
  const name = props.path.split("/").pop() ?? props.path;
  const tooBig = (props.size ?? 0) > MAX_PREVIEW;
  const isImage = IMAGE.test(name);
  const isText = TEXT.test(name) || (!isImage && !/\.[a-z0-9]+$/i.test(name));
  useEffect(() => {
    setText(undefined);
    setTable(undefined);
    setIsLogTable(false);
    setError(undefined);
    if (isImage || tooBig || !isText) return;
    const controller = new AbortController();
    fetch(props.url, { signal: controller.signal, credentials: "same-origin" })
      .then(async (r) => {
        if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
        return r.text();
      })
      .then(async (body) => {
        // CSV/TSV through Papa Parse (quoted fields, embedded newlines), loaded only for tables.
        if (/\.(csv|tsv)$/i.test(name)) {
          const { default: Papa } = await import("papaparse");
          const [head, ...rows] = Papa.parse<string[]>(body, { delimiter: name.toLowerCase().endsWith(".tsv") ? "\t" : "", skipEmptyLines: true }).data;
          setTable({ columns: head ?? [], rows });
        } else if (/\.json$/i.test(name)) {
          // mlflow.log_table writes {"columns": [...], "data": [[...]]}: a table, not a JSON document.
          try {
            const logged = logTableOf(JSON.parse(body));
            if (logged) {
              setTable(logged);
              setIsLogTable(true);
            }
          } catch {
            // Not JSON after all: shown as text.
          }
        }
        setText(body);
      })
      .catch((e: Error) => e.name !== "AbortError" && setError(e.message));
    return () => controller.abort();
  }, [props.url]);
  if (tooBig) return <p class="muted">{formatBytes(props.size)}: too large to preview; download it.</p>;
  if (isImage) return <img class="artifact-image" src={props.url} alt={name} />;
  if (!isText) return <p class="muted">No preview for this file type; download it.</p>;
  if (error) return <p class="error">{error}</p>;
  if (text === undefined) return <p class="muted">Loading…</p>;
  if (table) {
    return (
      <>
        {isLogTable && (
          <p class="muted log-table-note">
            Table logged with <code>mlflow.log_table</code>: {table.rows.length} rows × {table.columns.length} columns
          </p>
        )}
        <SortableTable label={name} table={table} resolve={props.resolve} />
      </>
    );
  }
  let shown = text;
  if (/\.json$/i.test(name)) {
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // Shown as it is.
    }
  }
  return <pre class="artifact-text">{shown}</pre>;
}
