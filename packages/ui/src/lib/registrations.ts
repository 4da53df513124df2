import type { ModelVersion } from "@mlflow-ts/protocol";
import { get } from "./api.js";

/** A registered model's version, by name and number. */
export interface Registration {
  readonly name: string;
  readonly version: string;
}

/** A model a run logged: a folder of the run's artifacts, or an MLflow 3 logged model. */
export interface LoggedModelRef {
  readonly runId: string;
  readonly artifactUri: string;
  /** The folder inside the run's artifacts (`model`); absent for a logged model. */
  readonly path?: string;
  /** MLflow 3's logged model ID (`m-…`). */
  readonly modelId?: string;
}

const trimmed = (uri: string) => uri.replace(/\/+$/, "");

/**
 * The versions registered from a logged model. A version points at a run's folder through its
 * source, written one of three ways: the folder's full location (`<artifact_uri>/model`, what the
 * UI and MLflow 2's `register_model` store), `runs:/<run_id>/model`, or — with the version's
 * run_id — any location ending in `/artifacts/model` (the run's root as another client spelled it).
 * A version of an MLflow 3 logged model carries its `model_id` or the source `models:/<model_id>`.
 *
 * @example
 * registrationsOf(versions, { runId: "abc", artifactUri: "mlflow-artifacts:/1/abc/artifacts", path: "model" });
 * // [{ name: "churn", version: "1" }]
 */
export function registrationsOf(versions: readonly ModelVersion[], model: LoggedModelRef): Registration[] {
  const path = model.path?.replace(/^\/+|\/+$/g, "");
  const matches = (v: ModelVersion) => {
    const source = trimmed(v.source ?? "");
    if (model.modelId && (v.model_id === model.modelId || source === `models:/${model.modelId}`)) return true;
    if (!path) return false;
    if (source === `${trimmed(model.artifactUri)}/${path}` || source === `runs:/${model.runId}/${path}`) return true;
    return v.run_id === model.runId && source.endsWith(`/artifacts/${path}`);
  };
  return versions
    .filter(matches)
    .map((v) => ({ name: v.name, version: v.version }))
    .sort((a, b) => a.name.localeCompare(b.name) || Number(a.version) - Number(b.version));
}

/**
 * Every version registered with this run as its source run (MLflow's `run_id = '…'` search),
 * all pages.
 *
 * @example
 * const versions = await versionsOfRun(runId, signal);
 */
export async function versionsOfRun(runId: string, signal?: AbortSignal): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await get<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      "model-versions/search",
      { filter: `run_id = '${runId.replace(/'/g, "")}'`, max_results: 1000, page_token: pageToken },
      signal,
    );
    out.push(...(page.model_versions ?? []));
    pageToken = page.next_page_token;
  } while (pageToken && out.length < 10_000);
  return out;
}
