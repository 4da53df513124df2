import { useState } from "preact/hooks";
import { useApp } from "../lib/app-context.js";
import { deleteTraces } from "../lib/trace-api.js";
import { useTracesLoader } from "../lib/traces-loader.js";
import { TracesTable, type TraceOrder } from "../components/TracesTable.js";
import "../traces.css";

/**
 * `#/experiments/<id>/traces`: the experiment's traces, searched with MLflow's trace filter syntax
 * (`tags.env = 'prod' AND trace.status = 'OK'`), newest first, paged as the user scrolls;
 * selected traces can be deleted.
 */
export function ExperimentTracesView(props: { experimentId: string }) {
  const { notify } = useApp();
  const [filterDraft, setFilterDraft] = useState("");
  const [filter, setFilter] = useState("");
  const [order, setOrder] = useState<TraceOrder>({ key: "timestamp_ms", ascending: false });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Newest first by default, as in MLflow; the server appends its own tie-breakers (spec §5.4).
  const orderBy = [`${order.key} ${order.ascending ? "ASC" : "DESC"}`];
  const state = useTracesLoader(props.experimentId, filter, orderBy);
  const onSelect = (ids: string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const remove = async () => {
    if (!window.confirm(`Delete ${selected.size} traces?`)) return;
    try {
      const deleted = await deleteTraces(props.experimentId, [...selected]);
      notify(`Deleted ${deleted} traces`);
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
          setSelected(new Set());
        }}
      >
        <input
          type="search"
          class="filter"
          aria-label="Filter traces (MLflow search syntax)"
          placeholder={"tags.env = 'prod' AND trace.status = 'OK'"}
          value={filterDraft}
          onInput={(e) => setFilterDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
        <button type="button" disabled={selected.size === 0} onClick={remove}>
          Delete ({selected.size})
        </button>
        <span class="muted" aria-live="polite">
          {state.traces.length}
          {state.complete ? "" : "+"} traces{state.loading ? " (loading…)" : ""}
        </span>
      </form>
      {state.error && (
        <p class="error" role="alert">
          {state.error.message}
        </p>
      )}
      {!state.error && state.complete && state.traces.length === 0 ? (
        <p class="muted empty">{filter ? "No traces match the filter." : "No traces in this experiment yet."}</p>
      ) : (
        <TracesTable
          // A new search starts at the top (a reload after a delete keeps the scroll position).
          key={`${filter}\n${orderBy[0]}`}
          experimentId={props.experimentId}
          traces={state.traces}
          complete={state.complete}
          loadMore={state.loadMore}
          order={order}
          onOrder={(next) => setOrder(next)}
          selected={selected}
          onSelect={onSelect}
        />
      )}
    </>
  );
}
