import { useEffect, useState } from "preact/hooks";
import type { ParallelCoordinatesProps } from "./ParallelCoordinates.js";

type Module = typeof import("./ParallelCoordinates.js");
let loading: Promise<Module> | undefined;
// The module once it has arrived: a chart shown after that is drawn in its first render.
let loaded: Module | undefined;

/**
 * The parallel coordinates module, fetched once, on first use: it stays out of the JavaScript the
 * UI's first page loads.
 *
 * @example
 * void loadParallelCoordinates(); // warm it before the chart is shown
 */
export function loadParallelCoordinates(): Promise<Module> {
  loading ??= import("./ParallelCoordinates.js").then(
    (m) => (loaded = m),
    (error: unknown) => {
      // A failed fetch (a flaky network, a server restarted on a new build) is tried again next time.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * {@link ParallelCoordinates}, drawn once its module has arrived (a placeholder until then).
 *
 * @example
 * <LazyParallelCoordinates title="Parallel coordinates" runs={rows} axes={axes} brush={brush} onBrush={setBrush} />
 */
export function LazyParallelCoordinates(props: ParallelCoordinatesProps) {
  const [module, setModule] = useState<Module | undefined>(loaded);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (module) return;
    let live = true;
    loadParallelCoordinates().then(
      (m) => live && setModule(m),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, []);
  if (module) return <module.ParallelCoordinates {...props} />;
  return (
    <figure class="chart parallel loading">
      <figcaption>{props.title}</figcaption>
      {error ? <p class="error">{error}</p> : <p class="muted">Loading…</p>}
    </figure>
  );
}
