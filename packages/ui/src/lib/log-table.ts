/** A table read from an artifact: column names and rows of cells. */
export interface DataTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** An image cell of `mlflow.log_table` (a PIL image or array logged in a column). */
export interface ImageCell {
  readonly type: "image";
  readonly filepath: string;
  readonly compressed_filepath?: string;
}

/**
 * Reads `mlflow.log_table` output: MLflow writes a DataFrame as `{"columns": [...], "data":
 * [[...], ...]}` (pandas' `split` orientation without the index). Anything else — another JSON
 * document that happens to have a `columns` key — is not a table.
 *
 * @example
 * logTableOf({ columns: ["q", "score"], data: [["a", 0.9]] }); // { columns: ["q", "score"], rows: [["a", 0.9]] }
 * logTableOf({ accuracy: 0.9 }); // undefined
 */
export function logTableOf(value: unknown): DataTable | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { columns, data } = value as { columns?: unknown; data?: unknown };
  if (!Array.isArray(columns) || !Array.isArray(data)) return undefined;
  if (!columns.every((c) => typeof c === "string" || typeof c === "number")) return undefined;
  if (!data.every((row) => Array.isArray(row) && row.length <= columns.length)) return undefined;
  return { columns: columns.map(String), rows: data as unknown[][] };
}

/**
 * Whether a cell is an image that `log_table` stored as an artifact of its own.
 *
 * @example
 * isImageCell({ type: "image", filepath: "table_images/a.png" }); // true
 */
export function isImageCell(value: unknown): value is ImageCell {
  return !!value && typeof value === "object" && (value as { type?: unknown }).type === "image" && typeof (value as { filepath?: unknown }).filepath === "string";
}

function sortKey(value: unknown): number | string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    // CSV cells are all text: numbers in them sort as numbers.
    const n = Number(value);
    return value.trim() !== "" && Number.isFinite(n) ? n : value;
  }
  return JSON.stringify(value);
}

/**
 * Sorts a table's rows by one column: numbers by value, text in locale order (numbers first when
 * ascending), empty cells last whichever the direction; ties keep the file's order.
 *
 * @example
 * sortTableRows([["b", 2], ["a", 10]], 1, false); // [["a", 10], ["b", 2]]
 */
export function sortTableRows<R extends readonly unknown[]>(rows: readonly R[], column: number, ascending: boolean): R[] {
  const keyed = rows.map((row, i) => ({ row, i, k: sortKey(row[column]) }));
  keyed.sort((a, b) => {
    if (a.k === undefined || b.k === undefined) return a.k === b.k ? a.i - b.i : a.k === undefined ? 1 : -1;
    let cmp: number;
    if (typeof a.k === "number" && typeof b.k === "number") cmp = a.k - b.k;
    else if (typeof a.k === "number") cmp = -1;
    else if (typeof b.k === "number") cmp = 1;
    else cmp = a.k.localeCompare(b.k);
    return cmp === 0 ? a.i - b.i : ascending ? cmp : -cmp;
  });
  return keyed.map((x) => x.row);
}
