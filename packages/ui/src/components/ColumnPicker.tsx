import { useState } from "preact/hooks";
import { columnId, type Column } from "../lib/columns.js";

/**
 * Chooses the metric, param and tag columns of the runs table from every key the runs have — tens
 * of thousands included: the list is filtered by a search and shows 300 matches at a time.
 */
export function ColumnPicker(props: { keys: { metrics: string[]; params: string[]; tags: string[] }; chosen: readonly Column[]; onChange: (columns: Column[]) => void }) {
  const [query, setQuery] = useState("");
  const chosen = new Set(props.chosen.map(columnId));
  const q = query.toLowerCase();
  const all: Column[] = [
    ...props.keys.metrics.map((key) => ({ kind: "metric" as const, key })),
    ...props.keys.params.map((key) => ({ kind: "param" as const, key })),
    ...props.keys.tags.map((key) => ({ kind: "tag" as const, key })),
  ];
  const matches = all.filter((c) => c.key.toLowerCase().includes(q));
  const toggle = (c: Column, on: boolean) => props.onChange(on ? [...props.chosen, c] : props.chosen.filter((x) => columnId(x) !== columnId(c)));
  return (
    <details class="column-picker">
      <summary>
        Columns ({props.chosen.length} of {all.length})
      </summary>
      <div class="popover">
        <input type="search" placeholder="Filter columns" aria-label="Filter columns" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <div class="row-actions">
          <button type="button" onClick={() => props.onChange([])}>
            Clear
          </button>
          <button type="button" onClick={() => props.onChange([...props.chosen, ...matches.slice(0, 50).filter((c) => !chosen.has(columnId(c)))])}>
            Add first 50 matches
          </button>
        </div>
        <div class="checklist">
          {matches.slice(0, 300).map((c) => (
            <label key={columnId(c)}>
              <input type="checkbox" checked={chosen.has(columnId(c))} onChange={(e) => toggle(c, (e.target as HTMLInputElement).checked)} /> <span class={`kind ${c.kind}`}>{c.kind}</span> {c.key}
            </label>
          ))}
          {matches.length > 300 && <p class="muted">{matches.length - 300} more: refine the filter</p>}
        </div>
      </div>
    </details>
  );
}
