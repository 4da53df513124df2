import { useMemo, useState } from "preact/hooks";
import { isImageCell, sortTableRows, type DataTable } from "../lib/log-table.js";

// Rows drawn at once; the rest are sorted with them but offered as a download.
const MAX_ROWS = 1000;

function Cell(props: { value: unknown; resolve?: (path: string) => string }) {
  const v = props.value;
  if (v === undefined) return null;
  if (v === null) return <span class="muted">null</span>;
  if (isImageCell(v) && props.resolve) {
    const path = v.compressed_filepath ?? v.filepath;
    return <img class="table-image" src={props.resolve(path)} alt={v.filepath.split("/").pop() ?? "image"} loading="lazy" />;
  }
  if (typeof v === "object") return <code>{JSON.stringify(v)}</code>;
  return <>{String(v)}</>;
}

/**
 * A table artifact (`log_table` JSON, CSV, TSV) whose columns sort when their header is clicked
 * (again: the other way); numbers sort as numbers, empty cells last. The first 1,000 rows of the
 * sorted table are drawn. `resolve` turns an image cell's artifact path into a URL, so images
 * logged in a table show as thumbnails.
 *
 * @example
 * <SortableTable label="eval_results.json" table={{ columns: ["q", "score"], rows: [["a", 0.9]] }} />
 */
export function SortableTable(props: { label: string; table: DataTable; resolve?: (path: string) => string }) {
  const [sort, setSort] = useState<{ column: number; ascending: boolean }>();
  const rows = useMemo(() => (sort ? sortTableRows(props.table.rows, sort.column, sort.ascending) : props.table.rows), [props.table, sort]);
  return (
    <div class="table-scroll small">
      <table class="grid sortable-table" aria-label={props.label}>
        <thead>
          <tr>
            {props.table.columns.map((name, i) => {
              const active = sort?.column === i;
              return (
                <th key={i} scope="col" aria-sort={active ? (sort!.ascending ? "ascending" : "descending") : undefined}>
                  <button type="button" class="sort" aria-label={`Sort by ${name}`} onClick={() => setSort({ column: i, ascending: active ? !sort!.ascending : true })}>
                    {name}
                    {active ? (sort!.ascending ? " ▲" : " ▼") : ""}
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, MAX_ROWS).map((row, i) => (
            <tr key={i}>
              {props.table.columns.map((_, j) => (
                <td key={j}>
                  <Cell value={row[j]} resolve={props.resolve} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > MAX_ROWS && <p class="muted">First 1,000 of {rows.length} rows</p>}
    </div>
  );
}
