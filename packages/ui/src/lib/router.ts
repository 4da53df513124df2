import { useEffect, useState } from "preact/hooks";

/** A parsed UI location: MLflow's hash routes. */
export type Route =
  | { readonly page: "experiments" }
  | { readonly page: "experiment"; readonly experimentId: string; readonly tab?: string; readonly datasetId?: string }
  | { readonly page: "run"; readonly experimentId: string; readonly runId: string; readonly tab?: string; readonly artifact?: string }
  | { readonly page: "trace"; readonly experimentId: string; readonly traceId: string }
  | { readonly page: "compare"; readonly runIds: string[] }
  | { readonly page: "compare-experiments"; readonly experimentIds: string[] }
  | { readonly page: "compare-model-versions"; readonly name: string; readonly versions: string[] }
  | { readonly page: "models" }
  | { readonly page: "model"; readonly name: string }
  | { readonly page: "model-version"; readonly name: string; readonly version: string }
  | { readonly page: "app"; readonly app: string; readonly id: string }
  | { readonly page: "not-found"; readonly hash: string };

function parseJsonList(text: string | null): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * The model and versions of `#/compare-model-versions?name=…&versions=[…]`. MLflow's UI writes the
 * name as a JSON string of the URI-encoded name, and the versions as `runs={"<run_id>": "<v>"}`
 * (which cannot hold two versions of one run); `versions=[…]` is ours, and both are read.
 */
function parseModelVersions(query: URLSearchParams): { name: string; versions: string[] } {
  let name = query.get("name") ?? "";
  try {
    const parsed: unknown = JSON.parse(name);
    if (typeof parsed === "string") name = parsed;
  } catch {
    // A bare name.
  }
  try {
    name = decodeURIComponent(name);
  } catch {
    // Already decoded (a name holding "%").
  }
  let versions = parseJsonList(query.get("versions"));
  if (versions.length === 0) {
    try {
      const runs: unknown = JSON.parse(query.get("runs") ?? "{}");
      if (runs && typeof runs === "object") versions = Object.values(runs).filter((v) => v !== null).map(String);
    } catch {
      // No versions.
    }
  }
  return { name, versions };
}

/**
 * Parses `location.hash` as MLflow's UI does: `#/experiments/1`, `#/experiments/1/runs/<id>`,
 * `#/compare-runs?runs=[...]`, `#/compare-experiments/s?experiments=[...]`,
 * `#/models/<name>/versions/<v>`, `#/compare-model-versions?name=…&versions=[…]`; plus `#/apps/<app>/<page>`.
 *
 * Traces: `#/experiments/1/traces` is the tab, and a trace opens from our own
 * `#/experiments/1/traces/<trace_id>` and from the links MLflow's UI and clients make:
 * `…/traces?selectedEvaluationId=<id>` (3.x traces table, assessment links),
 * `…/traces?selectedTraceId=<id>` (the older traces view), and
 * `#/experiments/1?compareRunsMode=TRACES&selectedTraceId=<id>` (the notebook widget's "open in UI").
 *
 * Evaluation (tables of runs compared): `#/experiments/1/evaluation`, or MLflow 2's
 * `#/experiments/1?compareRunsMode=ARTIFACT`.
 *
 * Evaluation datasets: `#/experiments/1/datasets` is the tab, `#/experiments/1/datasets/<dataset_id>`
 * one dataset's records.
 *
 * @example
 * parseHash("#/experiments/3/runs/abc"); // { page: "run", experimentId: "3", runId: "abc" }
 * parseHash("#/experiments/3/traces?selectedEvaluationId=tr-1"); // { page: "trace", experimentId: "3", traceId: "tr-1" }
 * parseHash("#/experiments/3/datasets/d-1"); // { page: "experiment", experimentId: "3", tab: "datasets", datasetId: "d-1" }
 */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const [pathPart, queryPart] = raw.split("?", 2) as [string, string | undefined];
  const query = new URLSearchParams(queryPart ?? "");
  const parts = pathPart.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  const [a, b, c, d, ...rest] = parts;
  if (parts.length === 0 || (a === "experiments" && b === undefined)) return { page: "experiments" };
  if (a === "experiments" && b !== undefined) {
    if (c === "runs" && d !== undefined) {
      const tab = rest[0];
      return { page: "run", experimentId: b, runId: d, tab, artifact: tab === "artifacts" ? rest.slice(1).join("/") || undefined : undefined };
    }
    if (c === "datasets") return { page: "experiment", experimentId: b, tab: "datasets", datasetId: d };
    const selected = query.get("selectedEvaluationId") ?? query.get("selectedTraceId");
    const tracesMode = c === "traces" || (c === undefined && query.get("compareRunsMode") === "TRACES");
    if (tracesMode && d !== undefined) return { page: "trace", experimentId: b, traceId: d };
    if (tracesMode && selected) return { page: "trace", experimentId: b, traceId: selected };
    // MLflow 2's Evaluation view: `#/experiments/1?compareRunsMode=ARTIFACT`.
    const evaluation = c === undefined && query.get("compareRunsMode") === "ARTIFACT";
    return { page: "experiment", experimentId: b, tab: tracesMode ? "traces" : evaluation ? "evaluation" : c };
  }
  if (a === "compare-runs") return { page: "compare", runIds: parseJsonList(query.get("runs")) };
  // MLflow's `#/compare-experiments/s?experiments=["1","2"]`: the runs of several experiments.
  if (a === "compare-experiments") return { page: "compare-experiments", experimentIds: parseJsonList(query.get("experiments")) };
  if (a === "compare-model-versions") return { page: "compare-model-versions", ...parseModelVersions(query) };
  if (a === "models" && b === undefined) return { page: "models" };
  if (a === "models" && b !== undefined) {
    if (c === "versions" && d !== undefined) return { page: "model-version", name: b, version: d };
    return { page: "model", name: b };
  }
  if (a === "apps" && b !== undefined && c !== undefined) return { page: "app", app: b, id: c };
  return { page: "not-found", hash: raw };
}

/** The hash of a route, for links. */
export const link = {
  experiments: () => "#/experiments",
  experiment: (id: string, tab?: string) => `#/experiments/${encodeURIComponent(id)}${tab ? `/${tab}` : ""}`,
  run: (experimentId: string, runId: string, tab?: string) => `#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}${tab ? `/${tab}` : ""}`,
  artifact: (experimentId: string, runId: string, path: string) => `${link.run(experimentId, runId, "artifacts")}/${path.split("/").map(encodeURIComponent).join("/")}`,
  traces: (experimentId: string) => `#/experiments/${encodeURIComponent(experimentId)}/traces`,
  trace: (experimentId: string, traceId: string) => `#/experiments/${encodeURIComponent(experimentId)}/traces/${encodeURIComponent(traceId)}`,
  datasets: (experimentId: string) => `#/experiments/${encodeURIComponent(experimentId)}/datasets`,
  dataset: (experimentId: string, datasetId: string) => `#/experiments/${encodeURIComponent(experimentId)}/datasets/${encodeURIComponent(datasetId)}`,
  compare: (runIds: readonly string[]) => `#/compare-runs?runs=${encodeURIComponent(JSON.stringify(runIds))}`,
  compareExperiments: (experimentIds: readonly string[]) => `#/compare-experiments/s?experiments=${encodeURIComponent(JSON.stringify([...experimentIds].sort()))}`,
  compareModelVersions: (name: string, versions: readonly string[]) =>
    `#/compare-model-versions?name=${encodeURIComponent(JSON.stringify(encodeURIComponent(name)))}&versions=${encodeURIComponent(JSON.stringify(versions))}`,
  models: () => "#/models",
  model: (name: string) => `#/models/${encodeURIComponent(name)}`,
  modelVersion: (name: string, version: string) => `#/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`,
  app: (app: string, id: string) => `#/apps/${encodeURIComponent(app)}/${encodeURIComponent(id)}`,
};

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Opens a route. */
export function navigate(hash: string): void {
  window.location.hash = hash.replace(/^#/, "");
}
