import { useState } from "preact/hooks";
import { loadChartLayout, saveChartLayout, type ChartSpec } from "./chart-layout.js";

/** A panel's charts, and how to change them. */
export interface ChartLayoutState {
  /** The charts shown: the kept layout, or the default one. */
  readonly charts: readonly ChartSpec[];
  /** Whether the charts are a kept (arranged) layout rather than the default. */
  readonly arranged: boolean;
  /** Replaces the charts, and keeps them (under the storage key, if there is one). */
  update(charts: readonly ChartSpec[]): void;
  /** Forgets the arranged layout: back to the default charts. */
  reset(): void;
}

/**
 * The charts of a panel: the layout kept in local storage under `storageKey` (an experiment's),
 * else `fallback` — the default charts, which follow the runs' metrics until the user arranges
 * them. Without a key (the compare page) an arranged layout lasts as long as the page.
 *
 * @example
 * const layout = useChartLayout(chartLayoutKey(experimentId), defaults);
 * layout.update([...layout.charts, { id: newChartId("bar"), type: "bar", metric: "acc" }]);
 */
export function useChartLayout(storageKey: string | undefined, fallback: readonly ChartSpec[]): ChartLayoutState {
  const [kept, setKept] = useState<readonly ChartSpec[] | undefined>(() => (storageKey ? loadChartLayout(storageKey) : undefined));
  return {
    charts: kept ?? fallback,
    arranged: kept !== undefined,
    update: (charts) => {
      setKept(charts);
      if (storageKey) saveChartLayout(storageKey, charts);
    },
    reset: () => {
      setKept(undefined);
      if (storageKey) saveChartLayout(storageKey, undefined);
    },
  };
}
