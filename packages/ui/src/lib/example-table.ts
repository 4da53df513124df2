/** An input example laid out as a table: column names and rows of cell texts. */
export interface ExampleTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const cell = (value: unknown): string => (typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value));

function fromSplit(split: Record<string, unknown>): ExampleTable | undefined {
  if (!Array.isArray(split.data)) return undefined;
  const rows = split.data.filter(Array.isArray) as unknown[][];
  const columns = Array.isArray(split.columns) ? split.columns.map(cell) : (rows[0] ?? []).map((_, i) => String(i));
  return { columns, rows: rows.map((r) => columns.map((_, i) => cell(r[i]))) };
}

function fromRecords(records: unknown[]): ExampleTable | undefined {
  if (records.length === 0 || !records.every(isObject)) return undefined;
  const columns = [...new Set(records.flatMap((r) => Object.keys(r as object)))];
  return { columns, rows: records.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c]))) };
}

function fromMatrix(matrix: unknown): ExampleTable | undefined {
  if (!Array.isArray(matrix) || matrix.length === 0) return undefined;
  // A row is a list of scalars; a list of scalars alone is one column.
  const rows = matrix.map((r) => (Array.isArray(r) ? r : [r]));
  if (rows.some((r) => r.some((v) => typeof v === "object" && v !== null))) return undefined;
  const width = Math.max(...rows.map((r) => r.length));
  return { columns: Array.from({ length: width }, (_, i) => String(i)), rows: rows.map((r) => Array.from({ length: width }, (_, i) => cell(r[i]))) };
}

/**
 * Lays out a saved input example (the JSON MLflow writes next to MLmodel) as a table when it is
 * tabular: a DataFrame in `split` orient (`{columns, data}`), a serving request
 * (`{dataframe_split}`, `{dataframe_records}`, `{inputs}`, `{instances}`), a list of records, or a
 * matrix. Anything else (free-form JSON, a dict of tensors) is shown as JSON instead: undefined.
 *
 * @example
 * exampleTable({ columns: ["age", "plan"], data: [[31, "pro"]] }); // { columns: ["age", "plan"], rows: [["31", "pro"]] }
 */
export function exampleTable(example: unknown): ExampleTable | undefined {
  if (Array.isArray(example)) return fromRecords(example) ?? fromMatrix(example);
  if (!isObject(example)) return undefined;
  if (isObject(example.dataframe_split)) return fromSplit(example.dataframe_split);
  if (Array.isArray(example.dataframe_records)) return fromRecords(example.dataframe_records);
  if ("data" in example && Array.isArray(example.data) && (example.columns === undefined || Array.isArray(example.columns))) return fromSplit(example);
  for (const key of ["inputs", "instances"]) {
    const value = example[key];
    if (Array.isArray(value)) return fromRecords(value) ?? fromMatrix(value);
  }
  return undefined;
}
