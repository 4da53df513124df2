import { useCallback, useEffect, useRef, useState } from "preact/hooks";

/** The state of a load: its value, its error, whether it is running. */
export interface AsyncState<T> {
  readonly value: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  /** Runs the load again (after an edit). */
  reload(): void;
}

/**
 * Runs `load` whenever `deps` change and keeps the latest answer; an answer that arrives after a
 * newer load started is dropped, and the older request aborted.
 *
 * @example
 * const runs = useAsync((signal) => post("runs/search", body, signal), [experimentId]);
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const id = ++latest.current;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (value) => id === latest.current && setState({ value, loading: false }),
      (error: Error) => id === latest.current && error.name !== "AbortError" && setState({ error, loading: false }),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { value: state.value, error: state.error, loading: state.loading, reload };
}
