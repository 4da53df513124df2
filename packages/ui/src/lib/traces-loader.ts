import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { searchTraces } from "./trace-api.js";
import type { TraceInfo } from "./trace-types.js";

/** The traces of a search loaded so far; `version` changes whenever a page arrives. */
export interface TracesState {
  readonly traces: readonly TraceInfo[];
  /** Every page is here. */
  readonly complete: boolean;
  readonly loading: boolean;
  readonly error?: Error;
  readonly version: number;
  /** Fetches the next page unless one is on its way or none is left. */
  loadMore(): void;
  reload(): void;
}

// MLflow's limit per search call is 500 (spec §5.5); the first page is smaller so rows show at once.
const FIRST_PAGE = 100;
const PAGE = 500;

/**
 * Searches an experiment's traces page by page, on demand: the table asks for the next page as the
 * user scrolls towards the end of what is loaded, so 100,000 traces cost nothing until seen.
 *
 * @example
 * const state = useTracesLoader("1", "trace.status = 'OK'", ["timestamp_ms DESC"]);
 * if (nearEnd) state.loadMore();
 */
export function useTracesLoader(experimentId: string, filter: string, orderBy: readonly string[]): TracesState {
  const [state, setState] = useState<{ traces: TraceInfo[]; complete: boolean; loading: boolean; error?: Error; version: number }>({ traces: [], complete: false, loading: true, version: 0 });
  const [tick, setTick] = useState(0);
  // The search in progress: its page token, and whether a page is being fetched.
  const search = useRef({ id: 0, token: undefined as string | undefined, busy: false, done: false, traces: [] as TraceInfo[], controller: new AbortController() });
  const key = JSON.stringify([experimentId, filter, orderBy, tick]);

  const fetchPage = useCallback(() => {
    const s = search.current;
    if (s.busy || s.done) return;
    s.busy = true;
    const id = s.id;
    setState((st) => ({ ...st, loading: true }));
    searchTraces(experimentId, { filter, orderBy, maxResults: s.traces.length ? PAGE : FIRST_PAGE, pageToken: s.token, signal: s.controller.signal }).then(
      (page) => {
        if (id !== search.current.id) return;
        s.traces.push(...page.traces);
        s.token = page.nextPageToken;
        // MLflow returns a token whenever a page is full, so the last one may be empty.
        s.done = !page.nextPageToken || page.traces.length === 0;
        s.busy = false;
        setState({ traces: s.traces, complete: s.done, loading: false, version: s.traces.length });
      },
      (error: Error) => {
        if (id !== search.current.id || error.name === "AbortError") return;
        s.busy = false;
        s.done = true;
        setState({ traces: s.traces, complete: true, loading: false, error, version: s.traces.length });
      },
    );
    // experimentId, filter and orderBy are captured with `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    search.current.controller.abort();
    search.current = { id: search.current.id + 1, token: undefined, busy: false, done: false, traces: [], controller: new AbortController() };
    setState({ traces: search.current.traces, complete: false, loading: true, version: 0 });
    fetchPage();
    return () => search.current.controller.abort();
  }, [key]);

  return { ...state, loadMore: fetchPage, reload: useCallback(() => setTick((t) => t + 1), []) };
}
