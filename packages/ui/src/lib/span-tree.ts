import type { SpanView } from "./normalize-spans.js";

/** A span's place in the tree. */
export interface SpanNode {
  readonly span: SpanView;
  readonly depth: number;
  readonly children: readonly SpanNode[];
}

/** The tree of a trace's spans and the trace's time span (ns) for the timeline. */
export interface SpanTree {
  readonly roots: readonly SpanNode[];
  readonly startNs: number;
  readonly endNs: number;
  readonly size: number;
}

/**
 * Links spans by `parent_span_id`, children in start order. A span whose parent is missing (a
 * partial trace) becomes a root rather than disappearing; a parent cycle is cut where it closes.
 *
 * @example
 * buildSpanTree(spans).roots[0].children.map((n) => n.span.name); // ["retrieve", "generate"]
 */
export function buildSpanTree(spans: readonly SpanView[]): SpanTree {
  const byId = new Map<string, SpanView>();
  for (const s of spans) byId.set(s.spanId, s);
  const childrenOf = new Map<string | undefined, SpanView[]>();
  for (const s of spans) {
    const parent = s.parentId && s.parentId !== s.spanId && byId.has(s.parentId) ? s.parentId : undefined;
    let list = childrenOf.get(parent);
    if (!list) childrenOf.set(parent, (list = []));
    list.push(s);
  }
  const seen = new Set<string>();
  let startNs = Infinity;
  let endNs = -Infinity;
  // Iterative, so a 10,000-deep chain does not overflow the stack.
  const grow = (span: SpanView, depth: number): SpanNode => {
    const node = { span, depth, children: [] as SpanNode[] };
    const stack: (typeof node)[] = [node];
    while (stack.length) {
      const current = stack.pop()!;
      seen.add(current.span.spanId);
      startNs = Math.min(startNs, current.span.startNs);
      endNs = Math.max(endNs, current.span.endNs);
      const kids = (childrenOf.get(current.span.spanId) ?? []).filter((k) => !seen.has(k.spanId)).sort((a, b) => a.startNs - b.startNs);
      for (const kid of kids) {
        const child = { span: kid, depth: current.depth + 1, children: [] as SpanNode[] };
        current.children.push(child);
        stack.push(child);
      }
    }
    return node;
  };
  const roots = (childrenOf.get(undefined) ?? []).sort((a, b) => a.startNs - b.startNs).map((s) => grow(s, 0));
  // Spans only reachable through a cycle: shown as roots too.
  for (const s of spans) if (!seen.has(s.spanId)) roots.push(grow(s, 0));
  if (!Number.isFinite(startNs)) startNs = endNs = 0;
  return { roots, startNs, endNs, size: spans.length };
}

/** A row of the visible tree. */
export interface SpanRow {
  readonly node: SpanNode;
  readonly expanded: boolean;
}

/**
 * The rows shown: depth-first, skipping the descendants of collapsed spans.
 *
 * @example
 * visibleRows(tree, new Set(["0123456789abcdef"])).length;
 */
export function visibleRows(tree: SpanTree, collapsed: ReadonlySet<string>): SpanRow[] {
  const rows: SpanRow[] = [];
  const stack = [...tree.roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    const expanded = !collapsed.has(node.span.spanId);
    rows.push({ node, expanded });
    if (expanded) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return rows;
}
