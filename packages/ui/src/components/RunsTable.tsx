import { useMemo, useRef } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { ATTRIBUTE_COLUMNS, cellText, columnId, type Column } from "../lib/columns.js";
import { datasetContext } from "../lib/dataset-schema.js";
import { formatTime } from "../lib/format.js";
import type { RunRow } from "../lib/group-runs.js";
import { headerSelection } from "../lib/header-selection.js";
import { link } from "../lib/router.js";
import { useVirtualizer } from "../lib/use-virtualizer.js";

const ROW = 32;

export interface SortState {
  readonly column: Column;
  readonly ascending: boolean;
}

const DATASETS_WIDTH = 200;

/** The datasets of a run, as chips that open the dataset drawer. */
function DatasetCell(props: { run: Run; onOpen?: (run: Run, index: number) => void }) {
  const inputs = props.run.inputs.dataset_inputs ?? [];
  if (inputs.length === 0) return null;
  const first = inputs[0]!;
  const context = datasetContext(first);
  return (
    <>
      <button type="button" class="chip dataset-chip" title={`${first.dataset.name} (digest ${first.dataset.digest})`} onClick={() => props.onOpen?.(props.run, 0)}>
        {first.dataset.name}
        {context ? <span class="muted"> {context}</span> : null}
      </button>
      {inputs.length > 1 && (
        <button type="button" class="link" aria-label={`${inputs.length - 1} more datasets of ${props.run.info.run_name}`} onClick={() => props.onOpen?.(props.run, 1)}>
          +{inputs.length - 1}
        </button>
      )}
    </>
  );
}

/**
 * The runs table: virtualised rows (10,000 runs render as fast as 30), a sticky header whose
 * columns sort, a checkbox per run for comparison; with `experimentNames` (runs of several
 * experiments) an Experiment column after the run's name.
 *
 * `rows` groups nested runs (see `groupRuns`): a parent's name has an expander (`onToggle`) and
 * its children are indented under it; without `rows` every run is a row of its own. "Select all"
 * selects (and its tick shows) the rows listed, not the children of collapsed parents. With
 * `onDatasets`, a Datasets column shows each run's dataset inputs, which open the dataset drawer.
 *
 * @example
 * <RunsTable runs={runs} rows={groupRuns(runs, expanded)} onToggle={toggle} columns={columns} sort={sort} onSort={setSort} selected={selected} onSelect={select} />
 */
export function RunsTable(props: {
  runs: readonly Run[];
  rows?: readonly RunRow[];
  onToggle?: (runId: string) => void;
  onDatasets?: (run: Run, index: number) => void;
  columns: readonly Column[];
  sort: SortState | undefined;
  onSort: (column: Column) => void;
  selected: ReadonlySet<string>;
  onSelect: (runIds: string[], on: boolean) => void;
  experimentNames?: ReadonlyMap<string, string>;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const count = props.rows ? props.rows.length : props.runs.length;
  const virtualizer = useVirtualizer({ count, estimateSize: () => ROW, getScrollElement: () => scroller.current });
  const items = virtualizer.getVirtualItems();
  const now = Date.now();
  const extra = props.columns.filter((c) => c.kind !== "attribute");
  const attrs = ATTRIBUTE_COLUMNS;
  const names = props.experimentNames;
  const datasets = props.onDatasets !== undefined;
  // Names line up under an expander's width only when some run has children.
  const nested = useMemo(() => props.rows?.some((r) => r.childCount > 0 || r.depth > 0) ?? false, [props.rows]);
  const span = 1 + attrs.length + (names ? 1 : 0) + (datasets ? 1 : 0) + extra.length;
  const shown = useMemo(() => (props.rows ? props.rows.map((r) => r.run) : props.runs).map((r) => r.info.run_id), [props.rows, props.runs]);
  const all = headerSelection(shown, props.selected);
  const header = (c: Column, label: string, sortable: boolean, group?: string) => {
    const active = props.sort && columnId(props.sort.column) === columnId(c);
    return (
      <th
        key={columnId(c)}
        scope="col"
        class={group}
        aria-sort={active ? (props.sort!.ascending ? "ascending" : "descending") : undefined}
        title={group ? `${group}: ${c.key}` : label}
      >
        {sortable ? (
          <button type="button" class="sort" onClick={() => props.onSort(c)} aria-label={`Sort by ${group ? `${group} ` : ""}${label}`}>
            {label}
            {active ? (props.sort!.ascending ? " ▲" : " ▼") : ""}
          </button>
        ) : (
          label
        )}
      </th>
    );
  };
  const before = items.length ? items[0]!.start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  return (
    <div class="table-scroll" ref={scroller} role="region" aria-label="Runs" tabIndex={0}>
      <table class="grid runs" style={{ width: `${32 + attrs.reduce((s, a) => s + a.width, 0) + (names ? 160 : 0) + (datasets ? DATASETS_WIDTH : 0) + extra.length * 120}px` }}>
        <colgroup>
          <col style={{ width: "32px" }} />
          {attrs.map((a, i) => [<col key={a.key} style={{ width: `${a.width}px` }} />, i === 0 && names ? <col key="experiment" style={{ width: "160px" }} /> : null])}
          {datasets && <col style={{ width: `${DATASETS_WIDTH}px` }} />}
          {extra.map((c) => (
            <col key={columnId(c)} style={{ width: "120px" }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all runs" checked={all.checked} indeterminate={all.indeterminate} onChange={() => props.onSelect(shown, !all.checked)} />
            </th>
            {attrs.map((a, i) => [
              header(a, a.label, a.orderBy !== undefined || a.key === "duration"),
              i === 0 && names ? (
                <th key="experiment" scope="col">
                  Experiment
                </th>
              ) : null,
            ])}
            {datasets && <th scope="col">Datasets</th>}
            {extra.map((c) => header(c, c.key, true, c.kind === "metric" ? "metric" : c.kind === "param" ? "param" : "tag"))}
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr aria-hidden="true" style={{ height: `${before}px` }}>
              <td colSpan={span} />
            </tr>
          )}
          {items.map((item) => {
            const row = props.rows?.[item.index];
            const run = row ? row.run : props.runs[item.index]!;
            const id = run.info.run_id;
            const depth = row?.depth ?? 0;
            const name = run.info.run_name || id;
            return (
              <tr key={id} class={`${run.info.lifecycle_stage === "deleted" ? "deleted" : ""}${depth ? " child" : ""}`} style={{ height: `${ROW}px` }}>
                <td>
                  <input type="checkbox" aria-label={`Select run ${run.info.run_name}`} checked={props.selected.has(id)} onChange={(e) => props.onSelect([id], (e.target as HTMLInputElement).checked)} />
                </td>
                <td class="name" style={depth ? { paddingLeft: `${8 + depth * 18}px` } : undefined}>
                  {row && row.childCount > 0 ? (
                    <button type="button" class="expander" aria-expanded={row.expanded} aria-label={`${row.expanded ? "Collapse" : "Expand"} ${name} (${row.childCount} child runs)`} onClick={() => props.onToggle?.(id)}>
                      {row.expanded ? "▾" : "▸"}
                    </button>
                  ) : nested ? (
                    <span class="expander-space" />
                  ) : null}
                  <a href={link.run(run.info.experiment_id, id)} title={run.info.run_name}>
                    {name}
                  </a>
                  {row && row.childCount > 0 && <span class="child-count muted"> {row.childCount}</span>}
                </td>
                {names && (
                  <td>
                    <a href={link.experiment(run.info.experiment_id)}>{names.get(run.info.experiment_id) ?? run.info.experiment_id}</a>
                  </td>
                )}
                <td title={formatTime(run.info.start_time)}>{cellText(run, attrs[1]!, now)}</td>
                <td>{cellText(run, attrs[2]!, now)}</td>
                <td>{run.info.user_id}</td>
                <td>
                  <span class={`status ${run.info.status.toLowerCase()}`}>{run.info.status}</span>
                </td>
                {datasets && (
                  <td class="datasets">
                    <DatasetCell run={run} onOpen={props.onDatasets} />
                  </td>
                )}
                {extra.map((c) => (
                  <td key={columnId(c)} class={c.kind === "metric" ? "num" : ""}>
                    {cellText(run, c, now)}
                  </td>
                ))}
              </tr>
            );
          })}
          {after > 0 && (
            <tr aria-hidden="true" style={{ height: `${after}px` }}>
              <td colSpan={span} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
