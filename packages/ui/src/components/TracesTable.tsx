import { useEffect, useRef } from "preact/hooks";
import { formatTime } from "../lib/format.js";
import { link, navigate } from "../lib/router.js";
import { assessmentValue, compactJson, durationMs, formatLatency } from "../lib/trace-format.js";
import type { TraceInfo } from "../lib/trace-types.js";
import { useVirtualizer } from "../lib/use-virtualizer.js";

const ROW = 34;
// Ask for the next page while this many loaded rows are still below the view.
const PREFETCH = 60;

/** The server-side order of the traces table: a key MLflow's `order_by` takes, and its direction. */
export interface TraceOrder {
  readonly key: "timestamp_ms" | "execution_time_ms";
  readonly ascending: boolean;
}

/** User tags of a trace (MLflow's own `mlflow.*` tags are plumbing). */
function userTags(info: TraceInfo): [string, string][] {
  return Object.entries(info.tags ?? {}).filter(([k]) => !k.startsWith("mlflow."));
}

/**
 * An experiment's traces: virtualised rows (only those in view exist in the DOM), the next page
 * fetched as the user scrolls near the end, a checkbox per trace, a click opens the trace.
 */
export function TracesTable(props: {
  experimentId: string;
  traces: readonly TraceInfo[];
  complete: boolean;
  loadMore: () => void;
  order: TraceOrder;
  onOrder: (order: TraceOrder) => void;
  selected: ReadonlySet<string>;
  onSelect: (traceIds: string[], on: boolean) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: props.traces.length, estimateSize: () => ROW, getScrollElement: () => scroller.current });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.length ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (!props.complete && lastShown >= props.traces.length - PREFETCH) props.loadMore();
  }, [lastShown, props.traces.length, props.complete]);
  const allSelected = props.traces.length > 0 && props.traces.every((t) => props.selected.has(t.trace_id));
  const sortHeader = (key: TraceOrder["key"], label: string) => {
    const active = props.order.key === key;
    return (
      <th scope="col" aria-sort={active ? (props.order.ascending ? "ascending" : "descending") : undefined}>
        <button type="button" class="sort" aria-label={`Sort by ${label.toLowerCase()}`} onClick={() => props.onOrder({ key, ascending: active ? !props.order.ascending : false })}>
          {label}
          {active ? (props.order.ascending ? " ▲" : " ▼") : ""}
        </button>
      </th>
    );
  };
  const before = items.length ? items[0]!.start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const COLUMNS = 8;
  return (
    <div class="table-scroll" ref={scroller} role="region" aria-label="Traces" tabIndex={0}>
      <table class="grid runs traces">
        <colgroup>
          <col style={{ width: "32px" }} />
          <col style={{ width: "24%" }} />
          <col style={{ width: "24%" }} />
          <col style={{ width: "78px" }} />
          <col style={{ width: "165px" }} />
          <col style={{ width: "84px" }} />
          <col style={{ width: "14%" }} />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all loaded traces" checked={allSelected} onChange={(e) => props.onSelect(props.traces.map((t) => t.trace_id), (e.target as HTMLInputElement).checked)} />
            </th>
            <th scope="col">Request</th>
            <th scope="col">Response</th>
            <th scope="col">Status</th>
            {sortHeader("timestamp_ms", "Request time")}
            {sortHeader("execution_time_ms", "Latency")}
            <th scope="col">Tags</th>
            <th scope="col">Assessments</th>
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr aria-hidden="true" style={{ height: `${before}px` }}>
              <td colSpan={COLUMNS} />
            </tr>
          )}
          {items.map((item) => {
            const t = props.traces[item.index]!;
            const id = t.trace_id;
            const state = t.state ?? "STATE_UNSPECIFIED";
            const time = t.request_time ? Date.parse(t.request_time) : undefined;
            return (
              <tr
                key={id}
                class="clickable"
                style={{ height: `${ROW}px` }}
                data-trace-id={id}
                onClick={(e) => {
                  // The checkbox and links do their own thing.
                  if ((e.target as HTMLElement).closest("input, a, button")) return;
                  navigate(link.trace(props.experimentId, id));
                }}
              >
                <td>
                  <input type="checkbox" aria-label={`Select trace ${id}`} checked={props.selected.has(id)} onChange={(e) => props.onSelect([id], (e.target as HTMLInputElement).checked)} />
                </td>
                <td class="request" title={t.request_preview}>
                  <a href={link.trace(props.experimentId, id)}>{t.request_preview || id}</a>
                </td>
                <td title={t.response_preview}>{t.response_preview}</td>
                <td>
                  <span class={`status ${state === "OK" ? "finished" : state === "ERROR" ? "failed" : state === "IN_PROGRESS" ? "running" : ""}`}>{state}</span>
                </td>
                <td title={t.request_time}>{formatTime(time)}</td>
                <td class="num">{formatLatency(durationMs(t.execution_duration))}</td>
                <td class="chips">
                  {userTags(t).map(([k, v]) => (
                    <span key={k} class="chip" title={`${k} = ${v}`}>
                      {k}={v}
                    </span>
                  ))}
                </td>
                <td class="chips">
                  {(t.assessments ?? []).map((a) => (
                    <span key={a.assessment_id} class={`chip ${a.expectation ? "expectation" : "feedback"}${a.valid === false ? " invalid" : ""}`} title={a.rationale}>
                      {a.assessment_name}: {compactJson(assessmentValue(a))}
                    </span>
                  ))}
                </td>
              </tr>
            );
          })}
          {after > 0 && (
            <tr aria-hidden="true" style={{ height: `${after}px` }}>
              <td colSpan={COLUMNS} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
