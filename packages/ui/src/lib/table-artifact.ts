import type { DataTable } from "./log-table.js";

type Row = readonly unknown[];

/** A pandas column label: a MultiIndex label is a list (`["metrics", "score"]`), shown joined. */
function columnName(label: unknown): string {
  return Array.isArray(label) ? label.map(String).join(".") : String(label);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** Rows given as objects (`orient="records"` / `"table"`): one cell per column, by name. */
function fromRecords(columns: string[] | undefined, records: readonly unknown[]): DataTable | undefined {
  if (!records.every(isPlainObject)) return undefined;
  const names = columns ?? [];
  if (!columns) {
    const seen = new Set<string>();
    for (const record of records) {
      for (const key of Object.keys(record)) {
        if (seen.has(key)) continue;
        seen.add(key);
        names.push(key);
      }
    }
  }
  return { columns: names, rows: records.map((record) => names.map((name) => record[name])) };
}

/**
 * Reads a table artifact as `mlflow.log_table` writes it — a pandas DataFrame `to_json(orient="split",
 * index=False)`: `{"columns": [...], "data": [[...], ...]}` — and the variants pandas writes for the
 * same frame: `split` with its `index` (ignored), numeric or MultiIndex column labels (a MultiIndex
 * label is joined with dots), rows shorter than the header (missing cells are empty), `orient="table"`
 * (`{"schema": {"fields": [...]}, "data": [{...}]}`, the index fields left out) and `orient="records"`
 * (`[{...}, ...]`). Anything else is not a table.
 *
 * @example
 * tableOfArtifact({ columns: ["q", "a"], index: [0], data: [["hi", "hello"]] }); // { columns: ["q", "a"], rows: [["hi", "hello"]] }
 * tableOfArtifact([{ q: "hi", a: "hello" }]); // the same table
 * tableOfArtifact({ accuracy: 0.9 }); // undefined
 */
export function tableOfArtifact(value: unknown): DataTable | undefined {
  if (Array.isArray(value)) return value.length ? fromRecords(undefined, value) : undefined;
  if (!isPlainObject(value) || !Array.isArray(value.data)) return undefined;
  const data = value.data as readonly unknown[];
  if (Array.isArray(value.columns)) {
    const columns = value.columns.map(columnName);
    if (data.every(Array.isArray)) return { columns, rows: data as readonly Row[] };
    return fromRecords(columns, data);
  }
  const schema = value.schema;
  if (isPlainObject(schema) && Array.isArray(schema.fields)) {
    const primaryKey = Array.isArray(schema.primaryKey) ? schema.primaryKey.map(String) : [];
    const names = schema.fields.flatMap((f: unknown) => (isPlainObject(f) && f.name !== undefined ? [columnName(f.name)] : [])).filter((n) => !primaryKey.includes(n));
    return fromRecords(names, data);
  }
  return undefined;
}
