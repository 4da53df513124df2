import { Transform } from "node:stream";
import { f, invalidParameter } from "@mlflow-ts/protocol";
import { requestStores, type ServerConfig } from "@mlflow-ts/plugin-api";
import { artifactSegments } from "@mlflow-ts/store";
import { resolveArtifactUri } from "../artifact-access.js";
import { route, type RouteDefinition } from "../route.js";
import { promptlabRunRoute } from "./promptlab-run-route.js";

const MAX_BULK_RUNS = 100;
const MAX_BULK_RESULTS = 25_000;
const MAX_INTERVAL_RESULTS_PER_RUN = 2500;
const MAX_DATASET_EXPERIMENTS = 20;
const MAX_UI_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Counts a stream's bytes and fails it past `limit` (a chunked body has no Content-Length to check first). */
function capped(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(invalidParameter("Artifact size is too large. Max size is 10MB."));
      else done(null, chunk);
    },
  });
}

/**
 * The endpoints MLflow's web UI calls besides the REST API (spec §3, UI-only items): metric
 * histories of several runs at once (whole, or sampled to a number of steps), the datasets of some
 * experiments, a small artifact upload, and the prompt-engineering page's run creation. Paths are relative to `/ajax-api/2.0` (and `/api/2.0`
 * for the sampled history, which is a proto endpoint too).
 *
 * @example
 * for (const r of uiRoutes(config)) mount(r);
 */
export function uiRoutes(config: ServerConfig): { ajaxOnly: RouteDefinition[]; both: RouteDefinition[] } {
  const bulk = route("GET", "/mlflow/metrics/get-history-bulk", { run_id: f.strings(), metric_key: f.string(), max_results: f.int() }, async (p, req) => {
    const runIds = p.run_id ?? [];
    if (runIds.length === 0) throw invalidParameter("GetMetricHistoryBulk request must specify at least one run_id.");
    if (runIds.length > MAX_BULK_RUNS) {
      throw invalidParameter(`GetMetricHistoryBulk request cannot specify more than ${MAX_BULK_RUNS} run_ids. Received ${runIds.length} run_ids.`);
    }
    if (p.metric_key === undefined) throw invalidParameter("GetMetricHistoryBulk request must specify a metric_key.");
    const maxResults = Math.min(p.max_results ?? MAX_BULK_RESULTS, MAX_BULK_RESULTS);
    return { metrics: await requestStores(req).tracking.getMetricHistoryBulk([...runIds], p.metric_key, Math.max(0, maxResults)) };
  });
  const interval = route(
    "GET",
    "/mlflow/metrics/get-history-bulk-interval",
    { run_ids: f.strings(true), metric_key: f.string(true), start_step: f.int(), end_step: f.int(), max_results: f.int() },
    async (p, req) => {
      if (p.run_ids.length > MAX_BULK_RUNS) {
        throw invalidParameter(`GetMetricHistoryBulkInterval request must specify at most ${MAX_BULK_RUNS} run_ids. Received ${p.run_ids.length} run_ids.`);
      }
      const maxResults = p.max_results ?? MAX_INTERVAL_RESULTS_PER_RUN;
      if (maxResults < 1 || maxResults > MAX_INTERVAL_RESULTS_PER_RUN) throw invalidParameter(`max_results must be between 1 and ${MAX_INTERVAL_RESULTS_PER_RUN}.`);
      if ((p.start_step === undefined) !== (p.end_step === undefined)) {
        throw invalidParameter("If either start step or end step are specified, both must be specified.");
      }
      if (p.start_step !== undefined && p.end_step !== undefined && p.start_step > p.end_step) {
        throw invalidParameter(`end_step must be greater than start_step. Found start_step=${p.start_step} and end_step=${p.end_step}.`);
      }
      const metrics = await requestStores(req).tracking.getMetricHistoryBulkInterval([...p.run_ids], p.metric_key, { maxResults, startStep: p.start_step, endStep: p.end_step });
      return metrics.length > 0 ? { metrics } : {};
    },
  );
  const datasets = route("POST", "/mlflow/experiments/search-datasets", { experiment_ids: f.ids() }, async (p, req) => {
    const ids = p.experiment_ids ?? [];
    if (ids.length === 0) throw invalidParameter("SearchDatasets request must specify at least one experiment_id.");
    if (ids.length > MAX_DATASET_EXPERIMENTS) {
      throw invalidParameter(`SearchDatasets request cannot specify more than ${MAX_DATASET_EXPERIMENTS} experiment_ids. Received ${ids.length} experiment_ids.`);
    }
    return { dataset_summaries: await requestStores(req).tracking.searchDatasets([...ids]) };
  });
  const upload = route(
    "POST",
    "/mlflow/upload-artifact",
    { run_uuid: f.string(), path: f.string() },
    async (p, req) => {
      if (!p.run_uuid) throw invalidParameter("Request must specify run_uuid.");
      if (!p.path) throw invalidParameter("Request must specify path.");
      artifactSegments(p.path);
      const length = req.headers["content-length"];
      if (length !== undefined && Number(length) > MAX_UI_UPLOAD_BYTES) throw invalidParameter("Artifact size is too large. Max size is 10MB.");
      if (length === "0" || (length === undefined && req.headers["transfer-encoding"] === undefined)) throw invalidParameter("Request must specify data.");
      // Asked as a write: EDIT on the run, also where its artifacts live in a local root that no
      // caller-scoped artifact store wraps.
      const root = await requestStores(req).tracking.runArtifactUri(p.run_uuid, "write");
      const { store, relative } = resolveArtifactUri(config, requestStores(req).artifacts, root, p.path);
      await store.write(relative, req.pipe(capped(MAX_UI_UPLOAD_BYTES)));
      return {};
    },
    // The body is the file; its parameters are in the URL, as MLflow reads them.
    { rawBody: true },
  );
  return { ajaxOnly: [bulk, datasets, upload, promptlabRunRoute(config)], both: [interval] };
}
