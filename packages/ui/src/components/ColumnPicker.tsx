import { useEffect, useRef, useState } from "preact/hooks";
import { columnId, type Column } from "../lib/columns.js";

/**
 * Chooses the metric, param and tag columns of the runs table from every key the runs have — tens
 * of thousands included: the list is filtered by a search and shows 300 matches at a time.
 *
 * A popover as a keyboard user expects one: Escape closes it and gives the focus back to its
 * button, as does a click outside it. `keys` are every key seen since the page opened, so a filter
 * that matches nothing (or fails) does not empty the list; `emptyReason` says why it is empty when
 * no key was ever seen.
 *
 * @example
 * <ColumnPicker keys={keys} chosen={columns} onChange={setColumns} emptyReason="No runs yet" />
 */
export function ColumnPicker(props: { keys: { metrics: readonly string[]; params: readonly string[]; tags: readonly string[] }; chosen: readonly Column[]; onChange: (columns: Column[]) => void; emptyReason?: string }) {
  const [query, setQuery] = useState("");
  const details = useRef<HTMLDetailsElement>(null);
  const [isOpen, setIsOpen] = useState(false);
  const close = () => {
    const el = details.current;
    if (!el?.open) return;
    el.open = false;
    el.querySelector("summary")?.focus();
  };
  useEffect(() => {
    if (!isOpen) return;
    const onDown = (e: PointerEvent) => {
      if (details.current && !details.current.contains(e.target as Node)) {
        details.current.open = false;
      }
    };
    document.addEventListener("pointerdown", onDown);
    return () => document.removeEventListener("pointerdown", onDown);
  }, [isOpen]);
  const chosen = new Set(props.chosen.map(columnId));
  const q = query.toLowerCase();
  const all: Column[] = [
    ...props.keys.metrics.map((key) => ({ kind: "metric" as const, key })),
    ...props.keys.params.map((key) => ({ kind: "param" as const, key })),
    ...props.keys.tags.map((key) => ({ kind: "tag" as const, key })),
  ];
  // Chosen columns (from a link, say) are listed even when no loaded run has them, so they can be removed.
  const known = new Set(all.map(columnId));
  for (const c of props.chosen) if (!known.has(columnId(c))) all.push(c);
  const matches = all.filter((c) => c.key.toLowerCase().includes(q));
  const toggle = (c: Column, on: boolean) => props.onChange(on ? [...props.chosen, c] : props.chosen.filter((x) => columnId(x) !== columnId(c)));
  return (
    <details
      class="column-picker"
      ref={details}
      onToggle={(e) => setIsOpen((e.currentTarget as HTMLDetailsElement).open)}
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        // Escape in the popover's search box would otherwise only clear the box.
        e.preventDefault();
        close();
      }}
    >
      <summary>{all.length === 0 ? `Columns (${props.chosen.length})` : `Columns (${props.chosen.length} of ${all.length})`}</summary>
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
        {all.length === 0 && <p class="muted">{props.emptyReason ?? "These runs have no metrics, params or tags yet."}</p>}
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
