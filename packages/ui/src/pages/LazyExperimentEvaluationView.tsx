import { useEffect, useState } from "preact/hooks";
import type { ExperimentEvaluationViewProps } from "./ExperimentEvaluationView.js";

type Module = typeof import("./ExperimentEvaluationView.js");
let loading: Promise<Module> | undefined;
let loaded: Module | undefined;

function load(): Promise<Module> {
  loading ??= import("./ExperimentEvaluationView.js").then(
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
 * The Evaluation tab ({@link ExperimentEvaluationView}), whose code is fetched the first time it
 * opens: it stays out of the JavaScript the UI's first page loads.
 *
 * @example
 * <LazyExperimentEvaluationView experimentId="1" runs={runs} selected={false} />
 */
export function LazyExperimentEvaluationView(props: ExperimentEvaluationViewProps) {
  const [module, setModule] = useState<Module | undefined>(loaded);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (module) return;
    let live = true;
    load().then(
      (m) => live && setModule(m),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, []);
  if (module) return <module.ExperimentEvaluationView {...props} />;
  return error ? <p class="error">{error}</p> : <p class="muted">Loading…</p>;
}
