import { RUN_STATUSES, VIEW_TYPES, f, invalidParameter, missingParameterMessage } from "@mlflow-ts/protocol";
import { requestStores } from "@mlflow-ts/plugin-api";
import { keyValueSchema, keyValues } from "./key-values.js";
import { route, type RouteDefinition } from "../route.js";

/** A run named by `run_id`, or by the deprecated `run_uuid` when `run_id` is absent. */
export const runRef = { run_id: f.or(f.string(true), "run_uuid") };
const metric = {
  key: f.string(true),
  value: f.double(true),
  timestamp: f.int(true),
  step: f.int(),
  model_id: f.string(),
  dataset_name: f.string(),
  dataset_digest: f.string(),
};

function metricInput(m: { key: string; value: number; timestamp: number; step?: number; model_id?: string; dataset_name?: string; dataset_digest?: string }) {
  return {
    key: m.key,
    value: m.value,
    timestamp: m.timestamp,
    step: m.step,
    ...(m.model_id ? { modelId: m.model_id, datasetName: m.dataset_name, datasetDigest: m.dataset_digest } : {}),
  };
}
const dataset = {
  name: f.string(true),
  digest: f.string(true),
  source_type: f.string(true),
  source: f.string(true),
  schema: f.string(),
  profile: f.string(),
};
const searchSchema = {
  experiment_ids: f.ids(),
  filter: f.string(),
  run_view_type: f.enumOf(VIEW_TYPES),
  max_results: f.int(),
  order_by: f.strings(),
  page_token: f.string(),
};

/**
 * The run, logging, history and search endpoints of MlflowService (spec §3 B–D).
 *
 * @example
 * for (const r of runRoutes()) mount(r);
 */
export function runRoutes(): RouteDefinition[] {
  return [
    route(
      "POST",
      "/mlflow/runs/create",
      { experiment_id: f.id(), user_id: f.string(), run_name: f.string(), start_time: f.int(), tags: f.objects(keyValueSchema) },
      async (p, req) => {
        const run = await requestStores(req).tracking.createRun({
          experimentId: p.experiment_id,
          userId: p.user_id,
          runName: p.run_name,
          startTime: p.start_time,
          tags: keyValues(p.tags),
        });
        return { run };
      },
    ),
    route("POST", "/mlflow/runs/update", { ...runRef, status: f.enumOf(RUN_STATUSES), end_time: f.int(), run_name: f.string() }, async (p, req) => {
      const info = await requestStores(req).tracking.updateRun(p.run_id, { status: p.status, endTime: p.end_time, runName: p.run_name });
      return { run_info: info };
    }),
    route("POST", "/mlflow/runs/delete", { run_id: f.string(true) }, async (p, req) => {
      await requestStores(req).tracking.deleteRun(p.run_id);
      return {};
    }),
    route("POST", "/mlflow/runs/restore", { run_id: f.string(true) }, async (p, req) => {
      await requestStores(req).tracking.restoreRun(p.run_id);
      return {};
    }),
    route("GET", "/mlflow/runs/get", runRef, async (p, req) => ({ run: await requestStores(req).tracking.getRun(p.run_id) })),
    route("POST", "/mlflow/runs/log-metric", { ...runRef, ...metric }, async (p, req) => {
      await requestStores(req).tracking.logMetric(p.run_id, metricInput(p));
      return {};
    }),
    route("POST", "/mlflow/runs/log-parameter", { ...runRef, key: f.string(true), value: f.string() }, async (p, req) => {
      await requestStores(req).tracking.logParam(p.run_id, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("POST", "/mlflow/runs/set-tag", { ...runRef, key: f.string(true), value: f.string() }, async (p, req) => {
      await requestStores(req).tracking.setTag(p.run_id, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("POST", "/mlflow/runs/delete-tag", { run_id: f.string(true), key: f.string(true) }, async (p, req) => {
      await requestStores(req).tracking.deleteTag(p.run_id, p.key);
      return {};
    }),
    route(
      "POST",
      "/mlflow/runs/log-batch",
      { run_id: f.string(true), metrics: f.objects(metric), params: f.objects(keyValueSchema), tags: f.objects(keyValueSchema) },
      async (p, req) => {
        await requestStores(req).tracking.logBatch(p.run_id, { metrics: p.metrics?.map(metricInput), params: keyValues(p.params), tags: keyValues(p.tags) });
        return {};
      },
    ),
    route(
      "POST",
      "/mlflow/runs/log-inputs",
      { run_id: f.string(true), datasets: f.objects({ tags: f.objects(keyValueSchema), dataset: f.object(dataset, true) }), models: f.objects({ model_id: f.string(true) }) },
      async (p, req) => {
        if (!p.datasets?.length && !p.models?.length) throw invalidParameter(missingParameterMessage("datasets"));
        await requestStores(req).tracking.logInputs(
          p.run_id,
          (p.datasets ?? []).map((d) => ({ ...(d.tags ? { tags: keyValues(d.tags) } : {}), dataset: d.dataset })),
          p.models ?? [],
        );
        return {};
      },
    ),
    route("GET", "/mlflow/metrics/get-history", { ...runRef, metric_key: f.string(true), max_results: f.int(), page_token: f.string() }, async (p, req) => {
      const result = await requestStores(req).tracking.getMetricHistory(p.run_id, p.metric_key, p.max_results, p.page_token);
      return result.metrics.length === 0 && !result.next_page_token ? {} : result;
    }),
    route("POST", "/mlflow/runs/search", searchSchema, async (p, req) => {
      const result = await requestStores(req).tracking.searchRuns({
        experimentIds: p.experiment_ids ?? [],
        filter: p.filter,
        runViewType: p.run_view_type,
        maxResults: p.max_results,
        orderBy: p.order_by,
        pageToken: p.page_token,
      });
      if (result.runs.length === 0) return result.next_page_token ? { next_page_token: result.next_page_token } : {};
      return result;
    }),
  ];
}
