import { useEffect, useRef } from "preact/hooks";
import type { DatasetRecord } from "../lib/dataset-api.js";
import { cellValue, type RecordColumn } from "../lib/dataset-columns.js";
import { formatTime } from "../lib/format.js";
import { compactJson } from "../lib/trace-format.js";
import { useVirtualizer } from "../lib/use-virtualizer.js";

const ROW = 34;
// Ask for the next page while this many loaded rows are still below the view.
const PREFETCH = 200;
// Least widths: a wide screen shares out the rest; a narrow one scrolls sideways.
const WIDTH: Record<RecordColumn["kind"], number> = { input: 200, expectation: 170, outputs: 200, tags: 120, source: 150, updated: 150 };

/** A record's source briefly: `TRACE tr-123`, `HUMAN alice`. */
function sourceText(record: DatasetRecord): string {
  const type = record.source?.source_type ?? record.source_type;
  if (!type) return "";
  return record.source_id ? `${type} ${record.source_id}` : type;
}

function cellText(column: RecordColumn, record: DatasetRecord, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (column.kind === "source") return sourceText(record);
  if (column.kind === "updated") return formatTime(value as number);
  if (column.kind === "tags") return Object.entries(value as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(" ");
  return compactJson(value);
}

/**
 * A dataset's records: one column per input and expectation key, virtualised rows (only those in
 * view exist in the DOM), the next page fetched as the user scrolls near the end; a cell shows its
 * JSON on one line and opens the full JSON when clicked.
 */
export function RecordsTable(props: {
  records: readonly DatasetRecord[];
  columns: readonly RecordColumn[];
  complete: boolean;
  loadMore: () => void;
  onOpen: (column: RecordColumn, record: DatasetRecord) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: props.records.length, estimateSize: () => ROW, getScrollElement: () => scroller.current });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.length ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (!props.complete && lastShown >= props.records.length - PREFETCH) props.loadMore();
  }, [lastShown, props.records.length, props.complete]);
  const before = items.length ? items[0]!.start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const width = props.columns.reduce((sum, c) => sum + WIDTH[c.kind], 0);
  const span = props.columns.length;
  return (
    <div class="table-scroll" ref={scroller} role="region" aria-label="Dataset records" tabIndex={0}>
      <table class="grid runs records" style={{ minWidth: `${width}px` }}>
        <colgroup>
          {props.columns.map((c) => (
            <col key={c.label} style={{ width: `${WIDTH[c.kind]}px` }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.label} scope="col" class={c.kind} title={c.label}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr aria-hidden="true" style={{ height: `${before}px` }}>
              <td colSpan={span} />
            </tr>
          )}
          {items.map((item) => {
            const r = props.records[item.index]!;
            return (
              <tr key={r.dataset_record_id} style={{ height: `${ROW}px` }} data-record-id={r.dataset_record_id} data-index={item.index}>
                {props.columns.map((c) => {
                  const value = cellValue(c, r);
                  const text = cellText(c, r, value);
                  return (
                    <td key={c.label} class={c.kind} data-column={c.label}>
                      {c.kind === "updated" ? (
                        text
                      ) : text && (
                        <button type="button" class="cell" title={text.length > 200 ? `${text.slice(0, 200)}…` : text} onClick={() => props.onOpen(c, r)}>
                          {text}
                        </button>
                      )}
                    </td>
                  );
                })}
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
