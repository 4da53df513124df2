import { useEffect, useState } from "preact/hooks";
import { formatBytes } from "../lib/format.js";

// Larger files are offered for download only: a preview must not stall the page.
const MAX_PREVIEW = 2 * 1024 * 1024;
const IMAGE = /\.(png|jpe?g|gif|svg|bmp|webp)$/i;
const TEXT = /(\.(txt|log|md|py|json|ya?ml|csv|tsv|ini|cfg|toml|sh|js|ts|html|xml|sql|r)$|^MLmodel$|(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml)$)/i;

/** A preview of one artifact: images, text (JSON pretty-printed, YAML as is), CSV/TSV as a table. */
export function ArtifactPreview(props: { url: string; path: string; size?: number }) {
  const [text, setText] = useState<string>();
  const [table, setTable] = useState<string[][]>();
  const [error, setError] = useState<string>();
  const name = props.path.split("/").pop() ?? props.path;
  const tooBig = (props.size ?? 0) > MAX_PREVIEW;
  const isImage = IMAGE.test(name);
  const isText = TEXT.test(name) || (!isImage && !/\.[a-z0-9]+$/i.test(name));
  useEffect(() => {
    setText(undefined);
    setTable(undefined);
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
          setTable(Papa.parse<string[]>(body, { delimiter: name.toLowerCase().endsWith(".tsv") ? "\t" : "", skipEmptyLines: true }).data);
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
    const [head, ...body] = table;
    return (
      <div class="table-scroll small">
        <table class="grid">
          <thead>
            <tr>
              {(head ?? []).map((h, i) => (
                <th key={i} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.slice(0, 1000).map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {body.length > 1000 && <p class="muted">First 1,000 of {body.length} rows</p>}
      </div>
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
