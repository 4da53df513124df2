import { useLayoutEffect, useReducer, useState } from "preact/hooks";
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect, type VirtualizerOptions } from "@tanstack/virtual-core";

/**
 * TanStack's framework-agnostic virtualizer bound to a Preact component: only the rows in view
 * (plus `overscan`) are rendered, however many there are.
 *
 * @example
 * const v = useVirtualizer({ count: runs.length, estimateSize: () => 32, getScrollElement: () => ref.current });
 * v.getVirtualItems().map((item) => <Row index={item.index} />);
 */
export function useVirtualizer(options: Pick<VirtualizerOptions<HTMLElement, Element>, "count" | "estimateSize" | "getScrollElement" | "overscan">): Virtualizer<HTMLElement, Element> {
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const full: VirtualizerOptions<HTMLElement, Element> = {
    overscan: 12,
    ...options,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => rerender(undefined),
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLElement, Element>(full));
  virtualizer.setOptions(full);
  useLayoutEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());
  return virtualizer;
}
