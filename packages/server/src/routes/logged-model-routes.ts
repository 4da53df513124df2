import { LOGGED_MODEL_STATUSES, f } from "@mlflow-ts/protocol";
import { requestStores } from "@mlflow-ts/plugin-api";
import { keyValueSchema, keyValues } from "./key-values.js";
import { route, type RouteDefinition } from "../route.js";

/** The logged model a path names (`/logged-models/:model_id…`). */
export const modelIdParam = { model_id: f.string(true) };

/**
 * MLflow 3 logged models (spec §4), which `log_model` in 3.x clients needs: create, finalize,
 * get, delete, search, tags, params, and `runs/outputs`.
 */
export function loggedModelRoutes(): RouteDefinition[] {
  return [
    route(
      "POST",
      "/mlflow/logged-models",
      {
        experiment_id: f.id(true),
        name: f.string(),
        model_type: f.string(),
        source_run_id: f.string(),
        params: f.objects(keyValueSchema),
        tags: f.objects(keyValueSchema),
      },
      async (p, req) => ({
        model: await requestStores(req).tracking.createLoggedModel({
          experimentId: p.experiment_id,
          name: p.name,
          modelType: p.model_type,
          sourceRunId: p.source_run_id,
          params: keyValues(p.params),
          tags: keyValues(p.tags),
        }),
      }),
    ),
    route(
      "POST",
      "/mlflow/logged-models/search",
      {
        experiment_ids: f.ids(true),
        filter: f.string(),
        datasets: f.objects({ dataset_name: f.string(true), dataset_digest: f.string() }),
        max_results: f.int(),
        order_by: f.objects({ field_name: f.string(true), ascending: f.bool(), dataset_name: f.string(), dataset_digest: f.string() }),
        page_token: f.string(),
      },
      async (p, req) => {
        const result = await requestStores(req).tracking.searchLoggedModels({
          experimentIds: p.experiment_ids,
          filter: p.filter,
          maxResults: p.max_results,
          orderBy: p.order_by,
          pageToken: p.page_token,
          datasets: p.datasets,
        });
        return result.models.length === 0 && !result.next_page_token ? {} : result;
      },
    ),
    route("GET", "/mlflow/logged-models/:model_id", { ...modelIdParam, allow_deleted: f.bool() }, async (p, req) => ({
      model: await requestStores(req).tracking.getLoggedModel(p.model_id, p.allow_deleted ?? false),
    })),
    route("PATCH", "/mlflow/logged-models/:model_id", { ...modelIdParam, status: f.enumOf(LOGGED_MODEL_STATUSES.slice(1), true) }, async (p, req) => ({
      model: await requestStores(req).tracking.finalizeLoggedModel(p.model_id, p.status),
    })),
    route("DELETE", "/mlflow/logged-models/:model_id", modelIdParam, async (p, req) => {
      await requestStores(req).tracking.deleteLoggedModel(p.model_id);
      return {};
    }),
    route("PATCH", "/mlflow/logged-models/:model_id/tags", { ...modelIdParam, tags: f.objects(keyValueSchema) }, async (p, req) => {
      await requestStores(req).tracking.setLoggedModelTags(p.model_id, keyValues(p.tags));
      return { model: await requestStores(req).tracking.getLoggedModel(p.model_id) };
    }),
    route("DELETE", "/mlflow/logged-models/:model_id/tags/:tag_key", { ...modelIdParam, tag_key: f.string(true) }, async (p, req) => {
      await requestStores(req).tracking.deleteLoggedModelTag(p.model_id, p.tag_key);
      return {};
    }),
    route("POST", "/mlflow/logged-models/:model_id/params", { ...modelIdParam, params: f.objects(keyValueSchema) }, async (p, req) => {
      await requestStores(req).tracking.logLoggedModelParams(p.model_id, keyValues(p.params));
      return {};
    }),
    route("POST", "/mlflow/runs/outputs", { run_id: f.string(true), models: f.objects({ model_id: f.string(true), step: f.int() }, true) }, async (p, req) => {
      await requestStores(req).tracking.logOutputs(p.run_id, p.models);
      return {};
    }),
  ];
}
