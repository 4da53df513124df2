import { useEffect, useRef, useState } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { post } from "./api.js";

/** Runs of a search, loaded page by page in the background; `version` changes as pages arrive. */
export interface RunsState {
  readonly runs: readonly Run[];
  readonly complete: boolean;
  readonly error?: Error;
  readonly version: number;
  reload(): void;
}

// The first page is small, so rows show at once; the rest come in large pages behind it.
const FIRST_PAGE = 200;
const PAGE = 2500;
// Beyond this many runs the table stops loading more (the filter narrows them).
export const MAX_LOADED = 100_000;

/**
 * Searches runs of experiments with MLflow's filter, order and lifecycle, loading every page.
 *
 * @example
 * const state = useRunsLoader(["1"], "metrics.acc > 0.9", ["metrics.acc DESC"], "ACTIVE_ONLY");
 */
export function useRunsLoader(experimentIds: readonly string[], filter: string, orderBy: readonly string[], viewType: string): RunsState {
  const [state, setState] = useState<{ runs: Run[]; complete: boolean; error?: Error; version: number }>({ runs: [], complete: false, version: 0 });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const key = JSON.stringify([experimentIds, filter, orderBy, viewType, tick]);
  useEffect(() => {
    const id = ++generation.current;
    const controller = new AbortController();
    const runs: Run[] = [];
    setState({ runs, complete: false, version: 0 });
    (async () => {
      let pageToken: string | undefined;
      let first = true;
      do {
        const page = await post<{ runs?: Run[]; next_page_token?: string }>(
          "runs/search",
          { experiment_ids: experimentIds, filter: filter || undefined, order_by: orderBy, run_view_type: viewType, max_results: first ? FIRST_PAGE : PAGE, page_token: pageToken },
          controller.signal,
        );
        if (id !== generation.current) return;
        for (const run of page.runs ?? []) runs.push(run);
        pageToken = page.next_page_token;
        first = false;
        setState({ runs, complete: !pageToken || runs.length >= MAX_LOADED, version: runs.length });
      } while (pageToken && runs.length < MAX_LOADED);
    })().catch((error: Error) => {
      if (id === generation.current && error.name !== "AbortError") setState({ runs, complete: true, error, version: runs.length });
    });
    return () => controller.abort();
  }, [key]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
