import { useMemo, useRef, useState } from "preact/hooks";
import { visibleRows, type SpanTree as Tree } from "../lib/span-tree.js";
import { formatLatency } from "../lib/trace-format.js";
import { useVirtualizer } from "../lib/use-virtualizer.js";

const ROW = 30;

/**
 * A trace's spans as a collapsible tree, each with a timeline bar placed by its start and end
 * relative to the trace, its type and status. Virtualised: a 10,000-span trace renders the rows in
 * view only. Arrow keys, Home and End move the selection; Left/Right collapse and expand.
 *
 * @example
 * <SpanTree tree={buildSpanTree(spans)} selected={id} onSelect={setId} />
 */
export function SpanTree(props: { tree: Tree; selected: string | undefined; onSelect: (spanId: string) => void }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => visibleRows(props.tree, collapsed), [props.tree, collapsed]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, estimateSize: () => ROW, getScrollElement: () => scroller.current });
  const total = Math.max(1, props.tree.endNs - props.tree.startNs);
  const toggle = (spanId: string) => {
    const next = new Set(collapsed);
    if (!next.delete(spanId)) next.add(spanId);
    setCollapsed(next);
  };
  const onKey = (e: KeyboardEvent) => {
    const at = rows.findIndex((r) => r.node.span.spanId === props.selected);
    const row = rows[at];
    let next = at;
    if (e.key === "ArrowDown") next = Math.min(rows.length - 1, at + 1);
    else if (e.key === "ArrowUp") next = Math.max(0, at - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = rows.length - 1;
    else if (e.key === "ArrowLeft" && row && row.expanded && row.node.children.length) return toggle(row.node.span.spanId), e.preventDefault();
    else if (e.key === "ArrowRight" && row && !row.expanded) return toggle(row.node.span.spanId), e.preventDefault();
    else return;
    e.preventDefault();
    const target = rows[next];
    if (target) {
      props.onSelect(target.node.span.spanId);
      virtualizer.scrollToIndex(next);
    }
  };
  return (
    <div class="span-tree" ref={scroller} role="tree" aria-label="Spans" tabIndex={0} onKeyDown={onKey}>
      <div style={{ height: `${virtualizer.getTotalSize()}px`, position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const { node, expanded } = rows[item.index]!;
          const s = node.span;
          const left = ((s.startNs - props.tree.startNs) / total) * 100;
          const width = ((s.endNs - s.startNs) / total) * 100;
          const selected = s.spanId === props.selected;
          return (
            <div
              key={s.spanId}
              role="treeitem"
              aria-level={node.depth + 1}
              aria-selected={selected}
              aria-expanded={node.children.length ? expanded : undefined}
              class={`span-row${selected ? " selected" : ""}`}
              style={{ transform: `translateY(${item.start}px)`, height: `${ROW}px` }}
              onClick={() => props.onSelect(s.spanId)}
            >
              <span class="span-name" style={{ paddingLeft: `${node.depth * 14}px` }}>
                {node.children.length ? (
                  <button
                    type="button"
                    class="toggle"
                    aria-label={`${expanded ? "Collapse" : "Expand"} ${s.name}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      toggle(s.spanId);
                    }}
                  >
                    {expanded ? "▾" : "▸"}
                  </button>
                ) : (
                  <span class="toggle" />
                )}
                <span class="name" title={s.name}>
                  {s.name}
                </span>
                {s.type && <span class="span-type">{s.type}</span>}
                {s.status === "ERROR" && <span class="status failed">ERROR</span>}
              </span>
              <span class="span-time" title={`${formatLatency((s.endNs - s.startNs) / 1e6)} at +${formatLatency((s.startNs - props.tree.startNs) / 1e6)}`}>
                <span class={`bar ${s.status.toLowerCase()}`} style={{ left: `${left}%`, width: `max(2px, ${width}%)` }} />
              </span>
              <span class="duration">{formatLatency((s.endNs - s.startNs) / 1e6)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
