import { isImageCell, type DataTable } from "./log-table.js";

/** One row of the Evaluation view: a distinct combination of the "group by" values, and each run's output. */
export interface EvaluationRow {
  /** The row's identity: its group-by texts, as JSON. */
  readonly key: string;
  /** The text of each group-by column's value, in the order of the columns. */
  readonly groups: readonly string[];
  /** Each compared run's value of the output column, by the run's position; `undefined` where it has none. */
  readonly cells: unknown[];
}

/** The columns the Evaluation view offers for "group by" and "compare". */
export interface EvaluationColumns {
  /** Text columns: "group by" candidates (and "compare" ones). */
  readonly text: readonly string[];
  /** Columns of logged images: "compare" only, drawn as images. */
  readonly image: readonly string[];
}

// MLflow's own bookkeeping columns (prompt engineering's MLFLOW_latency…) are neither inputs nor outputs.
const isMetadata = (column: string) => column.startsWith("MLFLOW_");

/**
 * The text of a cell as the Evaluation view shows and groups it: text as it is, nothing for
 * null, anything else as JSON (numbers, booleans, objects), as MLflow's view does.
 *
 * @example
 * evaluationCellText("hi"); // "hi"
 * evaluationCellText({ a: 1 }); // '{"a":1}'
 * evaluationCellText(null); // ""
 */
export function evaluationCellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * The columns of the chosen tables of the compared runs, each once in first-seen order, without
 * MLflow's `MLFLOW_*` metadata columns; a column whose first value is a logged image
 * (`{"type": "image", ...}`) is an image column.
 *
 * @example
 * evaluationColumns([{ columns: ["question", "answer"], rows: [["q", "a"]] }]); // { text: ["question", "answer"], image: [] }
 */
export function evaluationColumns(tables: readonly DataTable[]): EvaluationColumns {
  const text: string[] = [];
  const image: string[] = [];
  for (const table of tables) {
    table.columns.forEach((column, i) => {
      if (isMetadata(column) || text.includes(column) || image.includes(column)) return;
      const first = table.rows.find((row) => row[i] !== null && row[i] !== undefined)?.[i];
      (isImageCell(first) ? image : text).push(column);
    });
  }
  return { text, image };
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === "";

/**
 * MLflow's evaluation comparison: one row per distinct combination of the `groupBy` columns'
 * values across every run's tables (in the order first seen: run by run, table by table, row by
 * row), and in it each run's value of the `output` column. When a run has several rows with the
 * same inputs, its first value is shown; a row whose group-by values are all empty is left out;
 * a run without the table (or without the row) has no value there.
 *
 * `tablesByRun[i]` are the chosen tables of the i-th compared run (`undefined` while loading or
 * when the run logged none of them).
 *
 * @example
 * evaluationRows([[{ columns: ["q", "a"], rows: [["hi", "hello"]] }], undefined], ["q"], "a");
 * // [{ key: '["hi"]', groups: ["hi"], cells: ["hello", undefined] }]
 */
export function evaluationRows(tablesByRun: readonly (readonly DataTable[] | undefined)[], groupBy: readonly string[], output: string): EvaluationRow[] {
  const rows: EvaluationRow[] = [];
  const byKey = new Map<string, EvaluationRow>();
  tablesByRun.forEach((tables, run) => {
    for (const table of tables ?? []) {
      const groupAt = groupBy.map((column) => table.columns.indexOf(column));
      const outputAt = table.columns.indexOf(output);
      for (const values of table.rows) {
        const groups = groupAt.map((i) => (i < 0 ? "" : evaluationCellText(values[i])));
        if (groups.every((g) => g === "")) continue;
        const key = JSON.stringify(groups);
        let row = byKey.get(key);
        if (!row) {
          row = { key, groups, cells: new Array<unknown>(tablesByRun.length).fill(undefined) };
          byKey.set(key, row);
          rows.push(row);
        }
        const value = outputAt < 0 ? undefined : values[outputAt];
        if (isEmpty(row.cells[run]) && !isEmpty(value)) row.cells[run] = value;
      }
    }
  });
  return rows;
}
