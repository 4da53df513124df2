import { useRef } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { ATTRIBUTE_COLUMNS, cellText, columnId, type Column } from "../lib/columns.js";
import { formatTime } from "../lib/format.js";
import { link } from "../lib/router.js";
import { useVirtualizer } from "../lib/use-virtualizer.js";

const ROW = 32;

export interface SortState {
  readonly column: Column;
  readonly ascending: boolean;
}

/**
 * The runs table: virtualised rows (10,000 runs render as fast as 30), a sticky header whose
 * columns sort, a checkbox per run for comparison; with `experimentNames` (runs of several
 * experiments) an Experiment column after the run's name.
 */
export function RunsTable(props: {
  runs: readonly Run[];
  columns: readonly Column[];
  sort: SortState | undefined;
  onSort: (column: Column) => void;
  selected: ReadonlySet<string>;
  onSelect: (runIds: string[], on: boolean) => void;
  experimentNames?: ReadonlyMap<string, string>;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: props.runs.length, estimateSize: () => ROW, getScrollElement: () => scroller.current });
  const items = virtualizer.getVirtualItems();
  const now = Date.now();
  const extra = props.columns.filter((c) => c.kind !== "attribute");
  const attrs = ATTRIBUTE_COLUMNS;
  const names = props.experimentNames;
  const span = 1 + attrs.length + extra.length + (names ? 1 : 0);
  const allSelected = props.runs.length > 0 && props.runs.every((r) => props.selected.has(r.info.run_id));
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
      <table class="grid runs" style={{ width: `${32 + attrs.reduce((s, a) => s + a.width, 0) + (names ? 160 : 0) + extra.length * 120}px` }}>
        <colgroup>
          <col style={{ width: "32px" }} />
          {attrs.map((a, i) => [<col key={a.key} style={{ width: `${a.width}px` }} />, i === 0 && names ? <col key="experiment" style={{ width: "160px" }} /> : null])}
          {extra.map((c) => (
            <col key={columnId(c)} style={{ width: "120px" }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all runs" checked={allSelected} onChange={(e) => props.onSelect(props.runs.map((r) => r.info.run_id), (e.target as HTMLInputElement).checked)} />
            </th>
            {attrs.map((a, i) => [
              header(a, a.label, a.orderBy !== undefined || a.key === "duration"),
              i === 0 && names ? (
                <th key="experiment" scope="col">
                  Experiment
                </th>
              ) : null,
            ])}
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
            const run = props.runs[item.index]!;
            const id = run.info.run_id;
            return (
              <tr key={id} class={run.info.lifecycle_stage === "deleted" ? "deleted" : ""} style={{ height: `${ROW}px` }}>
                <td>
                  <input type="checkbox" aria-label={`Select run ${run.info.run_name}`} checked={props.selected.has(id)} onChange={(e) => props.onSelect([id], (e.target as HTMLInputElement).checked)} />
                </td>
                <td class="name">
                  <a href={link.run(run.info.experiment_id, id)} title={run.info.run_name}>
                    {run.info.run_name || id}
                  </a>
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
