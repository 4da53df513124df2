import { useMemo, useRef } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";

/** Every key seen among the runs a view has loaded, sorted. */
export interface KnownKeys {
  readonly metrics: readonly string[];
  readonly params: readonly string[];
  /** User tags (columns offer these). */
  readonly tags: readonly string[];
  /** Every tag, MLflow's own `mlflow.*` included (the filter completes these too). */
  readonly allTags: readonly string[];
}

/**
 * The metric, param and tag keys of every run loaded since the view opened — a union, not the keys
 * of the current result: a filter that matches nothing, or fails, leaves the column list and the
 * filter's completions as they were. Pages of runs are read once each as they arrive.
 *
 * @example
 * const keys = useKnownKeys(state.runs);
 * keys.metrics; // ["accuracy", "loss"]
 */
export function useKnownKeys(runs: readonly Run[]): KnownKeys {
  const seen = useRef({ metrics: new Set<string>(), params: new Set<string>(), tags: new Set<string>(), source: runs, read: 0 });
  const s = seen.current;
  if (s.source !== runs) {
    s.source = runs;
    s.read = 0;
  }
  for (; s.read < runs.length; s.read += 1) {
    const { data } = runs[s.read]!;
    for (const m of data.metrics ?? []) s.metrics.add(m.key);
    for (const p of data.params ?? []) s.params.add(p.key);
    for (const t of data.tags ?? []) s.tags.add(t.key);
  }
  const size = s.metrics.size + s.params.size + s.tags.size;
  // Sorted again only when a key was added (the runs change with every page; the keys rarely).
  return useMemo(() => {
    const allTags = [...s.tags].sort();
    return { metrics: [...s.metrics].sort(), params: [...s.params].sort(), tags: allTags.filter((k) => !k.startsWith("mlflow.")), allTags };
  }, [size]);
}
