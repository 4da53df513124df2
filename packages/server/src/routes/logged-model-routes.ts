import { LOGGED_MODEL_STATUSES } from "@mlflow-ts/protocol";
import type { TrackingStore } from "@mlflow-ts/plugin-api";
import { f } from "../params.js";
import { keyValueSchema, keyValues } from "./key-values.js";
import { readParams } from "../read-params.js";
import { route, type RouteDefinition } from "../route.js";



/**
 * MLflow 3 logged models (spec §4), which `log_model` in 3.x clients needs: create, finalize,
 * get, delete, search, tags, params, and `runs/outputs`.
 */
export function loggedModelRoutes(tracking: TrackingStore): RouteDefinition[] {
  const id = (req: { params: Record<string, unknown> }) => String(req.params.model_id);
  return [
    route("POST", "/mlflow/logged-models", async (req) => {
      const p = readParams(
        {
          experiment_id: f.string(true, { coerceNumber: true }),
          name: f.string(),
          model_type: f.string(),
          source_run_id: f.string(),
          params: f.objects(keyValueSchema),
          tags: f.objects(keyValueSchema),
        },
        req,
      );
      const model = await tracking.createLoggedModel({
        experimentId: p.experiment_id,
        name: p.name,
        modelType: p.model_type,
        sourceRunId: p.source_run_id,
        params: keyValues(p.params),
        tags: keyValues(p.tags),
      });
      return { model };
    }),
    route("POST", "/mlflow/logged-models/search", async (req) => {
      const p = readParams(
        {
          experiment_ids: f.strings(true),
          filter: f.string(),
          datasets: f.objects({ dataset_name: f.string(true), dataset_digest: f.string() }),
          max_results: f.int(),
          order_by: f.objects({ field_name: f.string(true), ascending: f.bool(), dataset_name: f.string(), dataset_digest: f.string() }),
          page_token: f.string(),
        },
        req,
      );
      const result = await tracking.searchLoggedModels({
        experimentIds: p.experiment_ids,
        filter: p.filter,
        maxResults: p.max_results,
        orderBy: p.order_by,
        pageToken: p.page_token,
      });
      return result.models.length === 0 && !result.next_page_token ? {} : result;
    }),
    route("GET", "/mlflow/logged-models/:model_id", async (req) => {
      const p = readParams({ allow_deleted: f.bool() }, req);
      return { model: await tracking.getLoggedModel(id(req), p.allow_deleted ?? false) };
    }),
    route("PATCH", "/mlflow/logged-models/:model_id", async (req) => {
      const p = readParams({ status: f.enumOf(LOGGED_MODEL_STATUSES.slice(1), true) }, req);
      return { model: await tracking.finalizeLoggedModel(id(req), p.status) };
    }),
    route("DELETE", "/mlflow/logged-models/:model_id", async (req) => {
      await tracking.deleteLoggedModel(id(req));
      return {};
    }),
    route("PATCH", "/mlflow/logged-models/:model_id/tags", async (req) => {
      const p = readParams({ tags: f.objects(keyValueSchema) }, req);
      await tracking.setLoggedModelTags(id(req), keyValues(p.tags));
      return { model: await tracking.getLoggedModel(id(req)) };
    }),
    route("DELETE", "/mlflow/logged-models/:model_id/tags/:tag_key", async (req) => {
      await tracking.deleteLoggedModelTag(id(req), String(req.params.tag_key));
      return {};
    }),
    route("POST", "/mlflow/logged-models/:model_id/params", async (req) => {
      const p = readParams({ params: f.objects(keyValueSchema) }, req);
      await tracking.logLoggedModelParams(id(req), keyValues(p.params));
      return {};
    }),
    route("POST", "/mlflow/runs/outputs", async (req) => {
      const p = readParams({ run_id: f.string(true), models: f.objects({ model_id: f.string(true), step: f.int() }, true) }, req);
      await tracking.logOutputs(p.run_id, p.models);
      return {};
    }),
  ];
}
