import { VIEW_TYPES } from "@mlflow-ts/protocol";
import type { TrackingStore } from "@mlflow-ts/plugin-api";
import { f } from "../params.js";
import { keyValueSchema, keyValues } from "./key-values.js";
import { readParams } from "../read-params.js";
import { route, type RouteDefinition } from "../route.js";

const experimentId = f.string(true, { coerceNumber: true });
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
 * for (const r of experimentRoutes(stores.tracking)) mount(r);
 */
export function experimentRoutes(tracking: TrackingStore): RouteDefinition[] {
  const search = async (req: Parameters<RouteDefinition["handler"]>[0]) => {
    const p = readParams(searchSchema, req);
    const result = await tracking.searchExperiments({
      maxResults: p.max_results,
      pageToken: p.page_token,
      filter: p.filter,
      orderBy: p.order_by,
      viewType: p.view_type,
    });
    return result.experiments.length === 0 && !result.next_page_token ? {} : result;
  };
  return [
    route("POST", "/mlflow/experiments/create", async (req) => {
      const p = readParams({ name: f.string(true), artifact_location: f.string(), tags: f.objects(keyValueSchema) }, req);
      const id = await tracking.createExperiment({
        name: p.name,
        artifactLocation: p.artifact_location || undefined,
        tags: keyValues(p.tags),
      });
      return { experiment_id: id };
    }),
    route("GET", "/mlflow/experiments/get", async (req) => {
      const p = readParams({ experiment_id: experimentId }, req);
      return { experiment: await tracking.getExperiment(p.experiment_id) };
    }),
    route("GET", "/mlflow/experiments/get-by-name", async (req) => {
      const p = readParams({ experiment_name: f.string(true) }, req);
      return { experiment: await tracking.getExperimentByName(p.experiment_name) };
    }),
    route("POST", "/mlflow/experiments/delete", async (req) => {
      await tracking.deleteExperiment(readParams({ experiment_id: experimentId }, req).experiment_id);
      return {};
    }),
    route("POST", "/mlflow/experiments/restore", async (req) => {
      await tracking.restoreExperiment(readParams({ experiment_id: experimentId }, req).experiment_id);
      return {};
    }),
    route("POST", "/mlflow/experiments/update", async (req) => {
      const p = readParams({ experiment_id: experimentId, new_name: f.string(true) }, req);
      await tracking.renameExperiment(p.experiment_id, p.new_name);
      return {};
    }),
    route("POST", "/mlflow/experiments/search", search),
    route("GET", "/mlflow/experiments/search", search),
    route("POST", "/mlflow/experiments/set-experiment-tag", async (req) => {
      const p = readParams({ experiment_id: experimentId, key: f.string(true), value: f.string() }, req);
      await tracking.setExperimentTag(p.experiment_id, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("POST", "/mlflow/experiments/delete-experiment-tag", async (req) => {
      const p = readParams({ experiment_id: experimentId, key: f.string(true) }, req);
      await tracking.deleteExperimentTag(p.experiment_id, p.key);
      return {};
    }),
  ];
}
