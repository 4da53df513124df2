import { VIEW_TYPES, f } from "@mlflow-ts/protocol";
import { requestStores, type MlflowRequest } from "@mlflow-ts/plugin-api";
import { keyValueSchema, keyValues } from "./key-values.js";
import { route, type RouteDefinition } from "../route.js";

const experimentId = { experiment_id: f.id(true) };
const searchSchema = {
  max_results: f.int(),
  page_token: f.string(),
  filter: f.string(),
  order_by: f.strings(),
  view_type: f.enumOf(VIEW_TYPES),
};

/**
 * The experiment endpoints of MlflowService (spec §3 A).
 *
 * @example
 * for (const r of experimentRoutes()) mount(r);
 */
export function experimentRoutes(): RouteDefinition[] {
  const search = async (p: { max_results?: number; page_token?: string; filter?: string; order_by?: readonly string[]; view_type?: (typeof VIEW_TYPES)[number] }, req: MlflowRequest) => {
    const result = await requestStores(req).tracking.searchExperiments({
      maxResults: p.max_results,
      pageToken: p.page_token,
      filter: p.filter,
      orderBy: p.order_by,
      viewType: p.view_type,
    });
    return result.experiments.length === 0 && !result.next_page_token ? {} : result;
  };
  return [
    route("POST", "/mlflow/experiments/create", { name: f.string(true), artifact_location: f.string(), tags: f.objects(keyValueSchema) }, async (p, req) => {
      const id = await requestStores(req).tracking.createExperiment({
        name: p.name,
        artifactLocation: p.artifact_location || undefined,
        tags: keyValues(p.tags),
      });
      return { experiment_id: id };
    }),
    route("GET", "/mlflow/experiments/get", experimentId, async (p, req) => ({ experiment: await requestStores(req).tracking.getExperiment(p.experiment_id) })),
    route("GET", "/mlflow/experiments/get-by-name", { experiment_name: f.string(true) }, async (p, req) => ({
      experiment: await requestStores(req).tracking.getExperimentByName(p.experiment_name),
    })),
    route("POST", "/mlflow/experiments/delete", experimentId, async (p, req) => {
      await requestStores(req).tracking.deleteExperiment(p.experiment_id);
      return {};
    }),
    route("POST", "/mlflow/experiments/restore", experimentId, async (p, req) => {
      await requestStores(req).tracking.restoreExperiment(p.experiment_id);
      return {};
    }),
    route("POST", "/mlflow/experiments/update", { ...experimentId, new_name: f.string(true) }, async (p, req) => {
      await requestStores(req).tracking.renameExperiment(p.experiment_id, p.new_name);
      return {};
    }),
    route("POST", "/mlflow/experiments/search", searchSchema, search),
    route("GET", "/mlflow/experiments/search", searchSchema, search),
    route("POST", "/mlflow/experiments/set-experiment-tag", { ...experimentId, key: f.string(true), value: f.string() }, async (p, req) => {
      await requestStores(req).tracking.setExperimentTag(p.experiment_id, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("POST", "/mlflow/experiments/delete-experiment-tag", { ...experimentId, key: f.string(true) }, async (p, req) => {
      await requestStores(req).tracking.deleteExperimentTag(p.experiment_id, p.key);
      return {};
    }),
  ];
}
