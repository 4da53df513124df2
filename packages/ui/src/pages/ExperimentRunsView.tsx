import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { post } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { columnId, orderByClause, sortRuns, type Column } from "../lib/columns.js";
import { useRunsLoader } from "../lib/runs-loader.js";
import { link, navigate } from "../lib/router.js";
import { useHashQuery, setHashQuery } from "../lib/hash-query.js";
import { parseRunsQuery, runsQueryString, type RunsQuery } from "../lib/runs-query.js";
import { groupRuns } from "../lib/group-runs.js";
import { expandedLookup, toggleExpanded } from "../lib/expanded-runs.js";
import { useKnownKeys } from "../lib/use-known-keys.js";
import { RunsTable } from "../components/RunsTable.js";
import { ColumnPicker } from "../components/ColumnPicker.js";
import { FilterInput } from "../components/FilterInput.js";
import { DatasetDrawer } from "../components/DatasetDrawer.js";
import { RunCharts } from "../components/RunCharts.js";
import { loadUplot } from "../components/LineChart.js";
import "../runs.css";
import { filterByBrush, type Brush } from "../lib/brush.js";
import { chartLayoutKey, loadChartLayout } from "../lib/chart-layout.js";
import { loadParallelCoordinates } from "../components/LazyParallelCoordinates.js";
import { LazyExperimentEvaluationView } from "./LazyExperimentEvaluationView.js";

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

function serverOrderOf(sort: RunsQuery["sort"]): string[] {
  const clause = sort && orderByClause(sort.column, sort.ascending);
  return clause ? [clause] : [];
}

/**
 * The Runs and Charts tabs of an experiment: the runs table (filter with key completion, sort,
 * columns, lifecycle, selection, nested runs grouped under their parents, dataset inputs) and charts.
 * With `experimentIds`, of several experiments at once (`experimentId` then keys what is kept per
 * view, and `experimentNames` fills the table's Experiment column).
 *
 * Filter, sort, lifecycle, columns and expanded parents live in the URL (MLflow's own parameter
 * names, see `parseRunsQuery`), so a view can be shared and survives a reload. A new filter, sort or
 * lifecycle is a history entry (Back returns to the previous view); ticking columns or expanding a
 * parent replaces the entry, so Back does not step through every click.
 */
export function ExperimentRunsView(props: { experimentId: string; tab: "runs" | "charts" | "evaluation"; experimentIds?: readonly string[]; experimentNames?: ReadonlyMap<string, string> }) {
  const { notify } = useApp();
  const query = useHashQuery();
  const view = useMemo(() => parseRunsQuery(query), [query]);
  const { filter, viewType, sort } = view;
  const [filterDraft, setFilterDraft] = useState(filter);
  // Sorted by the server while runs are still loading (the first page must be the right one);
  // once all are here, by the browser, without loading them again.
  const [serverOrder, setServerOrder] = useState<string[]>(() => serverOrderOf(sort));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [drawer, setDrawer] = useState<{ run: Run; index: number }>();
  // The parallel coordinates' brush: the table and the charts show the runs inside it.
  const [brush, setBrush] = useState<Brush>({});
  const saved = useMemo(() => savedColumns(props.experimentId), [props.experimentId]);
  const columns = view.columns ?? saved;
  const state = useRunsLoader(props.experimentIds ?? [props.experimentId], filter, serverOrder, viewType);
  const keys = useKnownKeys(state.runs);
  const shownColumns = columns ?? [...keys.metrics.slice(0, DEFAULT_COLUMNS).map((key) => ({ kind: "metric" as const, key })), ...keys.params.slice(0, DEFAULT_COLUMNS).map((key) => ({ kind: "param" as const, key }))];
  const sortKey = sort ? `${columnId(sort.column)} ${sort.ascending}` : "";
  // Sorted in the browser once every run is here; before that the server sorts (and pages).
  const allRows = useMemo(() => (sort && state.complete && serverOrder.length === 0 ? sortRuns(state.runs, sort.column, sort.ascending) : state.runs), [state.version, state.complete, sortKey, serverOrder]);
  const rows = useMemo(() => filterByBrush(allRows, brush), [allRows, brush]);
  const expanded = useMemo(() => expandedLookup(view.expanded), [view.expanded]);
  const grouped = useMemo(() => groupRuns(rows, expanded), [rows, state.version, expanded]);
  // Every tree's root is a visible row, so the visible rows tell whether any run has children, and
  // whether all are open.
  const nesting = useMemo(() => {
    let any = false;
    let allOpen = true;
    for (const row of grouped) {
      if (row.childCount === 0) continue;
      any = true;
      if (!row.expanded) allOpen = false;
    }
    return { any, allOpen };
  }, [grouped]);
  const hasDatasets = useMemo(() => state.runs.some((r) => (r.inputs.dataset_inputs?.length ?? 0) > 0), [state.runs, state.version]);
  const update = (patch: Partial<RunsQuery>, push: boolean) => setHashQuery(runsQueryString({ ...view, ...patch }, query), { push });
  // Back and forward change the filter under the box: the box follows.
  useEffect(() => setFilterDraft(filter), [filter]);
  const lastSort = useRef(sortKey);
  useEffect(() => {
    if (lastSort.current === sortKey) return;
    lastSort.current = sortKey;
    if (state.complete && serverOrder.length === 0) return;
    setServerOrder(serverOrderOf(sort));
  }, [sortKey]);
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
    window.localStorage.setItem(`mlflow-ts.columns.${props.experimentId}`, JSON.stringify(next));
    update({ columns: next }, false);
  };
  const onSort = (column: Column) => {
    const ascending = sort && columnId(sort.column) === columnId(column) ? !sort.ascending : column.kind === "attribute" && column.key === "run_name";
    update({ sort: { column, ascending } }, true);
  };
  // Expanding is a detail of the current view, like ticking a column: it replaces the entry.
  const toggle = (runId: string) => update({ expanded: toggleExpanded(view.expanded ?? { all: false, ids: [] }, runId) }, false);
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
          update({ filter: filterDraft.trim() }, true);
        }}
      >
        <FilterInput
          label="Filter runs (MLflow search syntax)"
          placeholder={"metrics.rmse < 1 and params.model = 'tree'"}
          value={filterDraft}
          onInput={setFilterDraft}
          keys={{ metrics: keys.metrics, params: keys.params, tags: keys.allTags }}
        />
        <button type="submit">Search</button>
        <select aria-label="Lifecycle" value={viewType} onChange={(e) => update({ viewType: (e.target as HTMLSelectElement).value as RunsQuery["viewType"] }, true)}>
          <option value="ACTIVE_ONLY">Active</option>
          <option value="DELETED_ONLY">Deleted</option>
          <option value="ALL">All</option>
        </select>
        <ColumnPicker
          keys={keys}
          chosen={shownColumns}
          onChange={chooseColumns}
          emptyReason={state.error ? "The search failed, so no run's keys are known yet: fix the filter." : state.complete ? undefined : "Loading runs…"}
        />
        {tab === "runs" && nesting.any && (
          <button type="button" onClick={() => update({ expanded: nesting.allOpen ? undefined : { all: true, ids: [] } }, false)}>
            {nesting.allOpen ? "Collapse all" : "Expand all"}
          </button>
        )}
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
        <RunsTable
          runs={rows}
          rows={grouped}
          onToggle={toggle}
          onDatasets={hasDatasets ? (run, index) => setDrawer({ run, index }) : undefined}
          columns={shownColumns}
          sort={sort}
          onSort={onSort}
          selected={selected}
          onSelect={onSelect}
          experimentNames={props.experimentNames}
        />
      ) : tab === "evaluation" ? (
        <LazyExperimentEvaluationView experimentId={props.experimentId} runs={selectedRuns.length ? selectedRuns : rows} selected={selectedRuns.length > 0} />
      ) : (
        <RunCharts runs={selectedRuns.length ? selectedRuns.slice(0, 100) : rows.slice(0, 10)} allRuns={allRows} storageKey={chartLayoutKey(props.experimentId)} brush={brush} onBrush={setBrush} />
      )}
      {drawer && <DatasetDrawer runName={drawer.run.info.run_name || drawer.run.info.run_id} inputs={drawer.run.inputs.dataset_inputs ?? []} initial={drawer.index} onClose={() => setDrawer(undefined)} />}
    </>
  );
}
