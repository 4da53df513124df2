import { useEffect, useRef, useState } from "preact/hooks";
import type { DataTable } from "./log-table.js";
import { loadTableArtifact } from "./load-table-artifact.js";

/** One table of one run, once it is settled: its rows, or why it could not be read. */
export interface TableLoad {
  readonly table?: DataTable;
  readonly error?: string;
}

/** The key of a run's table in {@link useTableArtifacts}' answer. */
export const tableKey = (runId: string, path: string): string => `${runId}\n${path}`;

/**
 * Loads the given tables of runs, each once for as long as the component lives (choosing another
 * table and back does not fetch again; leaving the view and coming back does, so a table that
 * `log_table` appended to since is read anew). Loads run in parallel and are answered as they
 * settle (those of one frame together): a wanted key missing from the answer is still loading.
 *
 * @example
 * const loads = useTableArtifacts([{ runId, path: "eval.json" }]);
 * loads.get(tableKey(runId, "eval.json"))?.table; // undefined while loading
 */
export function useTableArtifacts(wanted: readonly { runId: string; path: string }[]): ReadonlyMap<string, TableLoad> {
  const started = useRef(new Set<string>());
  const [loads, setLoads] = useState<ReadonlyMap<string, TableLoad>>(new Map());
  const controller = useRef<AbortController>();
  // Loads settled since the last frame, answered together: ten tables arriving within a few
  // milliseconds re-pivot the view once, not ten times.
  const settled = useRef<[string, TableLoad][]>([]);
  const frame = useRef(0);
  useEffect(() => {
    controller.current = new AbortController();
    return () => {
      controller.current?.abort();
      window.cancelAnimationFrame(frame.current);
    };
  }, []);
  const answer = (key: string, load: TableLoad) => {
    settled.current.push([key, load]);
    if (settled.current.length > 1) return;
    frame.current = window.requestAnimationFrame(() => {
      const batch = settled.current;
      settled.current = [];
      setLoads((before) => new Map([...before, ...batch]));
    });
  };
  const wantedKey = wanted.map((w) => tableKey(w.runId, w.path)).join("\n");
  useEffect(() => {
    const signal = controller.current!.signal;
    for (const { runId, path } of wanted) {
      const key = tableKey(runId, path);
      if (started.current.has(key)) continue;
      started.current.add(key);
      loadTableArtifact(runId, path, signal)
        .then(
          (table): TableLoad => ({ table }),
          (error: Error): TableLoad => ({ error: error.message }),
        )
        .then((load) => !signal.aborted && answer(key, load));
    }
  }, [wantedKey]);
  return loads;
}
