import { useEffect, useMemo, useState } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { CheckListPopover } from "../components/CheckListPopover.js";
import { EvaluationTable, type OpenedCell } from "../components/EvaluationTable.js";
import { JsonDialog } from "../components/JsonDialog.js";
import { filterEvaluationRows, filterPattern } from "../lib/evaluation-filter.js";
import { evaluationColumns, evaluationRows } from "../lib/evaluation-rows.js";
import type { DataTable } from "../lib/log-table.js";
import { LOGGED_ARTIFACTS_TAG, loggedTablesOfRuns } from "../lib/logged-tables.js";
import { tableKey, useTableArtifacts } from "../lib/use-table-artifacts.js";
import { evaluationChoiceKey, loadEvaluationChoice, type EvaluationChoice } from "../lib/evaluation-choice.js";
import "../evaluation.css";

// MLflow's evaluation view compares at most 10 runs (MAX_RUNS_TO_COMPARE).
const MAX_RUNS = 10;
const PARQUET = /\.parquet$/i;
// MLflow picks `output` for "compare" when there is one; `mlflow.evaluate`'s tables call it `outputs`.
const PREFERRED_OUTPUTS = ["output", "outputs"];

/** What the Evaluation tab is given by the runs view. */
export interface ExperimentEvaluationViewProps {
  readonly experimentId: string;
  /** The runs selected in the runs table, else the table's runs, in the table's order. */
  readonly runs: readonly Run[];
  /** Whether `runs` is the user's selection. */
  readonly selected: boolean;
}

function runsNote(total: number, selected: boolean): string {
  if (selected) return total > MAX_RUNS ? `Comparing the first ${MAX_RUNS} of ${total} selected runs.` : `Comparing ${total} selected run${total === 1 ? "" : "s"}.`;
  return `No runs selected: comparing the first ${Math.min(total, MAX_RUNS)} runs of the table. Select runs on the Runs tab to choose.`;
}

/**
 * The experiment's Evaluation tab (MLflow's `EvaluationArtifactCompareView`): compares the tables
 * that runs logged with `mlflow.log_table` (and `mlflow.evaluate`'s `eval_results_table.json`) —
 * those listed in their `mlflow.loggedArtifacts` tag — across the selected runs (or the first 10 of
 * the table when none is selected, at most 10, as in MLflow). The user picks the table(s), the
 * "group by" input columns and one "compare" output column, and sees one row per distinct input
 * combination with one column per run; a filter (a regular expression, as in MLflow) keeps the rows
 * whose inputs match. The choices are kept per experiment in this browser.
 *
 * @example
 * <ExperimentEvaluationView experimentId="1" runs={selectedRuns} selected />
 */
export function ExperimentEvaluationView(props: ExperimentEvaluationViewProps) {
  const compared = props.runs.slice(0, MAX_RUNS);
  // What the runs declare, as a key: memos below hold while it stays (the runs view renders often).
  const declared = compared.map((r) => `${r.info.run_id} ${r.data.tags?.find((t) => t.key === LOGGED_ARTIFACTS_TAG)?.value ?? ""}`).join("\n");
  const { tables, byRun } = useMemo(() => loggedTablesOfRuns(compared), [declared]);
  const [choice, setChoice] = useState<EvaluationChoice>(() => loadEvaluationChoice(props.experimentId));
  const choose = (patch: Partial<EvaluationChoice>) => {
    const next = { ...choice, ...patch };
    setChoice(next);
    try {
      // "No group by column" holds for this visit; the next one starts with the first column, as in MLflow.
      const kept = next.groupBy?.length === 0 ? { ...next, groupBy: undefined } : next;
      window.localStorage.setItem(evaluationChoiceKey(props.experimentId), JSON.stringify(kept));
    } catch {
      // Storage full or refused: the choice holds for this visit.
    }
  };
  const readable = tables.filter((t) => !PARQUET.test(t));
  // As in MLflow, some table is always chosen while there is one to choose.
  const kept = (choice.tables ?? []).filter((t) => readable.includes(t));
  const chosenTables = kept.length ? kept : readable.slice(0, 1);
  const wanted = compared.flatMap((run) => chosenTables.filter((t) => byRun.get(run.info.run_id)?.includes(t)).map((path) => ({ runId: run.info.run_id, path })));
  const loads = useTableArtifacts(wanted);
  const chosenKey = chosenTables.join("\n");
  const tablesByRun = useMemo(
    () =>
      compared.map((run): DataTable[] | undefined => {
        const own = chosenTables.filter((t) => byRun.get(run.info.run_id)?.includes(t));
        return own.length ? own.flatMap((path) => loads.get(tableKey(run.info.run_id, path))?.table ?? []) : undefined;
      }),
    [declared, chosenKey, loads],
  );
  const pending = wanted.filter((w) => !loads.has(tableKey(w.runId, w.path))).length;
  const failures = wanted.flatMap((w) => {
    const error = loads.get(tableKey(w.runId, w.path))?.error;
    const run = compared.find((r) => r.info.run_id === w.runId);
    return error ? [`${run?.info.run_name || w.runId}: ${w.path}: ${error}`] : [];
  });
  const columns = useMemo(() => evaluationColumns(tablesByRun.flatMap((t) => t ?? [])), [tablesByRun]);
  const keptGroupBy = choice.groupBy?.filter((c) => columns.text.includes(c));
  // No choice yet, or none of it in these tables: the first column, as MLflow does. An empty choice
  // is the user's own ("no group by columns selected").
  const groupBy = keptGroupBy?.length || choice.groupBy?.length === 0 ? keptGroupBy! : columns.text.slice(0, 1);
  const outputs = [...columns.text, ...columns.image].filter((c) => !groupBy.includes(c));
  const output = choice.output && outputs.includes(choice.output) ? choice.output : (PREFERRED_OUTPUTS.find((c) => outputs.includes(c)) ?? outputs[0] ?? "");
  const groupKey = groupBy.join("\n");
  const rows = useMemo(() => evaluationRows(tablesByRun, groupBy, output), [tablesByRun, groupKey, output]);
  const [filter, setFilter] = useState("");
  const [appliedFilter, setAppliedFilter] = useState("");
  // Filtering 10,000 rows takes milliseconds, but not on every key press while typing.
  useEffect(() => {
    const id = window.setTimeout(() => setAppliedFilter(filter), 150);
    return () => window.clearTimeout(id);
  }, [filter]);
  const pattern = useMemo(() => filterPattern(appliedFilter), [appliedFilter]);
  const shown = useMemo(() => filterEvaluationRows(rows, pattern), [rows, pattern]);
  const [opened, setOpened] = useState<OpenedCell>();
  const withoutTable = new Set(tablesByRun.flatMap((t, i) => (t === undefined ? [i] : [])));

  let empty: [string, string] | undefined;
  if (compared.length === 0) empty = ["No runs to compare", "No run is listed in the runs table: check its filter and lifecycle."];
  else if (tables.length === 0)
    empty = ["No evaluation tables logged", "None of these runs logged a table: log one with mlflow.log_table() or mlflow.evaluate(); runs list their tables in the mlflow.loggedArtifacts tag."];
  else if (readable.length === 0) empty = ["No readable tables", "These runs logged Parquet tables only, which the browser cannot read: download them from the runs' artifacts."];
  else if (pending > 0 && columns.text.length === 0) empty = ["Loading tables…", `${wanted.length - pending} of ${wanted.length} loaded.`];
  else if (choice.groupBy?.length === 0) empty = ["No group by columns selected", 'Using the controls above, select at least one "group by" column.'];
  else if (columns.text.length === 0) empty = ["Nothing to compare", "The chosen tables have no columns that could be read."];

  return (
    <section class="evaluation" aria-label="Evaluation">
      <div class="toolbar eval-toolbar">
        <CheckListPopover
          label="Table"
          options={tables.map((t) => (PARQUET.test(t) ? { value: t, disabled: true, note: "Parquet: download it" } : { value: t }))}
          chosen={chosenTables}
          onChange={(next) => choose({ tables: next })}
          disabled={tables.length === 0}
        />
        <input
          type="search"
          class="eval-filter"
          aria-label="Filter rows"
          placeholder={groupBy.length ? `Filter by ${groupBy.join(", ")}` : "Filter rows"}
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
        <CheckListPopover label="Group by" options={columns.text.map((value) => ({ value }))} chosen={groupBy} onChange={(next) => choose({ groupBy: next })} disabled={columns.text.length === 0} />
        <label class="eval-compare">
          <span class="muted">Compare:</span>{" "}
          <select aria-label="Compare" value={output} onChange={(e) => choose({ output: (e.target as HTMLSelectElement).value })} disabled={outputs.length === 0}>
            {outputs.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted eval-status" aria-live="polite">
        {runsNote(props.runs.length, props.selected)}
        {!empty && ` ${shown.length === rows.length ? rows.length.toLocaleString("en") : `${shown.length.toLocaleString("en")} of ${rows.length.toLocaleString("en")}`} rows.`}
        {pending > 0 && !empty && ` Loading ${pending} table${pending === 1 ? "" : "s"}…`}
      </p>
      {failures.length > 0 && (
        <ul class="error eval-errors" role="alert">
          {failures.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {empty ? (
        <div class="eval-empty">
          <h2>{empty[0]}</h2>
          <p class="muted">{empty[1]}</p>
        </div>
      ) : (
        <EvaluationTable runs={compared} groupBy={groupBy} output={output} rows={shown} pattern={pattern} withoutTable={withoutTable} onOpen={setOpened} />
      )}
      {opened && <JsonDialog title={opened.title} value={opened.value} onClose={() => setOpened(undefined)} />}
    </section>
  );
}
