import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { getDatasetRecords, type DatasetRecord } from "./dataset-api.js";

/** The records of a dataset loaded so far. */
export interface RecordsState {
  readonly records: readonly DatasetRecord[];
  /** Every page is here. */
  readonly complete: boolean;
  readonly loading: boolean;
  readonly error?: Error;
  /** Fetches the next page unless one is on its way or none is left. */
  loadMore(): void;
}

// MLflow's page of GetDatasetRecords (its default and its own UI's).
const PAGE = 1000;

/**
 * Reads a dataset's records page by page, on demand: the table asks for the next page as the user
 * scrolls towards the end of what is loaded.
 *
 * @example
 * const state = useRecordsLoader("d-0af7…");
 * if (nearEnd) state.loadMore();
 */
export function useRecordsLoader(datasetId: string): RecordsState {
  const [state, setState] = useState<{ records: DatasetRecord[]; complete: boolean; loading: boolean; error?: Error }>({ records: [], complete: false, loading: true });
  const load = useRef({ id: 0, token: undefined as string | undefined, busy: false, done: false, records: [] as DatasetRecord[], controller: new AbortController() });

  const fetchPage = useCallback(() => {
    const s = load.current;
    if (s.busy || s.done) return;
    s.busy = true;
    const id = s.id;
    setState((st) => ({ ...st, loading: true }));
    getDatasetRecords(datasetId, { maxResults: PAGE, pageToken: s.token, signal: s.controller.signal }).then(
      (page) => {
        if (id !== load.current.id) return;
        // A new array, so that memos keyed on it see the page.
        s.records = [...s.records, ...page.records];
        s.token = page.nextPageToken;
        s.done = !page.nextPageToken || page.records.length === 0;
        s.busy = false;
        setState({ records: s.records, complete: s.done, loading: false });
      },
      (error: Error) => {
        if (id !== load.current.id || error.name === "AbortError") return;
        s.busy = false;
        s.done = true;
        setState({ records: s.records, complete: true, loading: false, error });
      },
    );
  }, [datasetId]);

  useEffect(() => {
    load.current.controller.abort();
    load.current = { id: load.current.id + 1, token: undefined, busy: false, done: false, records: [], controller: new AbortController() };
    setState({ records: [], complete: false, loading: true });
    fetchPage();
    return () => load.current.controller.abort();
  }, [datasetId]);

  return { ...state, loadMore: fetchPage };
}
