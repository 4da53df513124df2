import { useEffect, useMemo, useState } from "preact/hooks";
import { post } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { collectKeys, columnId, orderByClause, sortRuns, type Column } from "../lib/columns.js";
import { useRunsLoader } from "../lib/runs-loader.js";
import { link, navigate } from "../lib/router.js";
import { RunsTable, type SortState } from "../components/RunsTable.js";
import { ColumnPicker } from "../components/ColumnPicker.js";
import { RunCharts } from "../components/RunCharts.js";
import { loadUplot } from "../components/LineChart.js";
import { filterByBrush, type Brush } from "../lib/brush.js";
import { chartLayoutKey, loadChartLayout } from "../lib/chart-layout.js";
import { loadParallelCoordinates } from "../components/LazyParallelCoordinates.js";

// Without a saved choice the table shows this many metric and param columns (an experiment may
// have thousands of keys: showing them all is what breaks MLflow's UI).
const DEFAULT_COLUMNS = 8;

function savedColumns(experimentId: string): Column[] | undefined {
  try {
    const raw = window.localStorage.getItem(`mlflow-ts.columns.${experimentId}`);
    return raw ? (JSON.parse(raw) as Column[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The Runs and Charts tabs of an experiment: the runs table (filter, sort, columns, lifecycle, selection) and charts. */
export function ExperimentRunsView(props: { experimentId: string; tab: "runs" | "charts" }) {
  const { notify } = useApp();
  const [filterDraft, setFilterDraft] = useState("");
  const [filter, setFilter] = useState("");
  const [viewType, setViewType] = useState("ACTIVE_ONLY");
  const [sort, setSort] = useState<SortState>();
  const [serverOrder, setServerOrder] = useState<string[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // The parallel coordinates' brush: the table and the charts show the runs inside it.
  const [brush, setBrush] = useState<Brush>({});
  const [columns, setColumns] = useState<Column[] | undefined>(() => savedColumns(props.experimentId));
  const state = useRunsLoader([props.experimentId], filter, serverOrder, viewType);
  const keys = useMemo(() => collectKeys(state.runs), [state.version, state.runs]);
  const shownColumns = columns ?? [...keys.metrics.slice(0, DEFAULT_COLUMNS).map((key) => ({ kind: "metric" as const, key })), ...keys.params.slice(0, DEFAULT_COLUMNS).map((key) => ({ kind: "param" as const, key }))];
  // Sorted in the browser once every run is here; before that the server sorts (and pages).
  const allRows = useMemo(() => (sort && state.complete && serverOrder.length === 0 ? sortRuns(state.runs, sort.column, sort.ascending) : state.runs), [state.version, state.complete, sort, serverOrder]);
  const rows = useMemo(() => filterByBrush(allRows, brush), [allRows, brush]);
  useEffect(() => {
    setSelected(new Set());
  }, [props.experimentId]);
  // The chart library, fetched while the user looks at the table, so Charts opens at once (and the
  // parallel coordinates module, when the experiment's kept layout has such a chart).
  useEffect(() => {
    const id = window.setTimeout(() => {
      void loadUplot();
      if (loadChartLayout(chartLayoutKey(props.experimentId))?.some((c) => c.type === "parallel")) void loadParallelCoordinates();
    }, 300);
    return () => window.clearTimeout(id);
  }, []);
  const chooseColumns = (next: Column[]) => {
    setColumns(next);
    window.localStorage.setItem(`mlflow-ts.columns.${props.experimentId}`, JSON.stringify(next));
  };
  const onSort = (column: Column) => {
    const ascending = sort && columnId(sort.column) === columnId(column) ? !sort.ascending : column.kind === "attribute" && column.key === "run_name";
    setSort({ column, ascending });
    if (state.complete && serverOrder.length === 0) return;
    const clause = orderByClause(column, ascending);
    setServerOrder(clause ? [clause] : []);
  };
  const onSelect = (ids: string[], on: boolean) => {
    // Selected runs are about to be compared: have the chart library here before Charts opens.
    if (on) void loadUplot();
    const next = new Set(selected);
    for (const id of ids) if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const selectedRuns = rows.filter((r) => selected.has(r.info.run_id));
  const tab = props.tab;
  const bulk = async (endpoint: "runs/delete" | "runs/restore") => {
    try {
      for (const id of selected) await post(endpoint, { run_id: id });
      notify(`${endpoint === "runs/delete" ? "Deleted" : "Restored"} ${selected.size} runs`);
      setSelected(new Set());
      state.reload();
    } catch (err) {
      notify((err as Error).message, "error");
    }
  };
  return (
    <>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(filterDraft.trim());
        }}
      >
        <input
          type="search"
          class="filter"
          aria-label="Filter runs (MLflow search syntax)"
          placeholder={"metrics.rmse < 1 and params.model = 'tree'"}
          value={filterDraft}
          onInput={(e) => setFilterDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
        <select aria-label="Lifecycle" value={viewType} onChange={(e) => setViewType((e.target as HTMLSelectElement).value)}>
          <option value="ACTIVE_ONLY">Active</option>
          <option value="DELETED_ONLY">Deleted</option>
          <option value="ALL">All</option>
        </select>
        <ColumnPicker keys={keys} chosen={shownColumns} onChange={chooseColumns} />
        <button type="button" disabled={selected.size < 2} onClick={() => navigate(link.compare([...selected]))}>
          Compare ({selected.size})
        </button>
        {viewType !== "DELETED_ONLY" ? (
          <button type="button" disabled={selected.size === 0} onClick={() => window.confirm(`Delete ${selected.size} runs?`) && bulk("runs/delete")}>
            Delete
          </button>
        ) : (
          <button type="button" disabled={selected.size === 0} onClick={() => bulk("runs/restore")}>
            Restore
          </button>
        )}
        <span class="muted" aria-live="polite">
          {state.runs.length} runs{state.complete ? "" : " (loading…)"}
        </span>
      </form>
      {state.error && (
        <p class="error" role="alert">
          {state.error.message}
        </p>
      )}
      {Object.keys(brush).length > 0 && (
        <p class="brush-note" role="status">
          Brushed on parallel coordinates: {rows.length} of {allRows.length} runs shown.{" "}
          <button type="button" class="link" onClick={() => setBrush({})}>
            Clear brush
          </button>
        </p>
      )}
      {tab === "runs" ? (
        <RunsTable runs={rows} columns={shownColumns} sort={sort} onSort={onSort} selected={selected} onSelect={onSelect} />
      ) : (
        <RunCharts runs={selectedRuns.length ? selectedRuns.slice(0, 100) : rows.slice(0, 10)} allRuns={allRows} storageKey={chartLayoutKey(props.experimentId)} brush={brush} onBrush={setBrush} />
      )}
    </>
  );
}
