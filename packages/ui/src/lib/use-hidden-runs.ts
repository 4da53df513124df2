import { useState } from "preact/hooks";
import { loadHiddenRuns, saveHiddenRuns } from "./hidden-runs.js";

/**
 * The runs a panel's legends hide, and how to change them.
 *
 * @example
 * const { hidden, toggle, show }: HiddenRunsState = useHiddenRuns(storageKey);
 */
export interface HiddenRunsState {
  readonly hidden: ReadonlySet<string>;
  /** Hides a shown run, shows a hidden one; kept under the storage key, if there is one. */
  toggle(runId: string): void;
  /** Shows these runs again. */
  show(runIds: readonly string[]): void;
}

/**
 * The runs hidden in a panel's charts, kept in local storage beside its layout (`storageKey`, an
 * experiment's); without a key (the compare page) for as long as the page.
 *
 * @example
 * const runs = useHiddenRuns(chartLayoutKey(experimentId));
 * <ChartLegend title="loss" entries={series} hidden={runs.hidden} onToggle={runs.toggle} />
 */
export function useHiddenRuns(storageKey: string | undefined): HiddenRunsState {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set(storageKey ? loadHiddenRuns(storageKey) : []));
  const keep = (next: Set<string>) => {
    setHidden(next);
    if (storageKey) saveHiddenRuns(storageKey, [...next]);
  };
  return {
    hidden,
    toggle: (runId) => {
      const next = new Set(hidden);
      // Shown again by deleting; hidden again by adding last, as the newest of the kept IDs.
      if (!next.delete(runId)) next.add(runId);
      keep(next);
    },
    show: (runIds) => {
      const next = new Set(hidden);
      for (const id of runIds) next.delete(id);
      keep(next);
    },
  };
}
