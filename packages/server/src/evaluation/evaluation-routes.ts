import { f, type EvaluationDataset, type ScorerVersion } from "@mlflow-ts/protocol";
import { requestStores, type JsonObject } from "@mlflow-ts/plugin-api";
import { route, type RouteDefinition } from "../route.js";

/** A dataset as MLflow's `message_to_json` writes it: an empty `experiment_ids` is left out. */
function datasetJson(d: EvaluationDataset): JsonObject {
  const { experiment_ids, ...rest } = d;
  return { ...rest, ...(experiment_ids && experiment_ids.length > 0 ? { experiment_ids: [...experiment_ids] } : {}) } as JsonObject;
}

/** The `Scorer` message: its experiment ID is an int32. */
function scorerJson(s: ScorerVersion): JsonObject {
  return {
    experiment_id: Number(s.experiment_id),
    scorer_name: s.scorer_name,
    scorer_version: s.scorer_version,
    serialized_scorer: s.serialized_scorer,
    creation_time: s.creation_time,
    scorer_id: s.scorer_id,
  };
}

const datasetId = { dataset_id: f.string(true) };
const searchSchema = { experiment_ids: f.ids(), filter_string: f.string(), max_results: f.int(), order_by: f.strings(), page_token: f.string() };

/**
 * MLflow 3's evaluation-dataset API (served under `/api/3.0` and `/ajax-api/3.0` only): create,
 * get, delete, search, tags, records (upsert and read), and the experiments a dataset belongs to.
 *
 * @example
 * for (const r of datasetRoutes()) table.add({ ...r, path: `/api/3.0${r.path}` });
 */
export function datasetRoutes(): RouteDefinition[] {
  const search = (method: "GET" | "POST") =>
    route(method, "/mlflow/datasets/search", searchSchema, async (p, req) => {
      const result = await requestStores(req).datasets.searchDatasets({
        experimentIds: p.experiment_ids,
        filter: p.filter_string || undefined,
        // As MLflow: 0 (protobuf's unset) means the default.
        maxResults: p.max_results || undefined,
        orderBy: p.order_by,
        pageToken: p.page_token || undefined,
      });
      return { ...(result.datasets.length > 0 ? { datasets: result.datasets.map(datasetJson) } : {}), ...(result.next_page_token ? { next_page_token: result.next_page_token } : {}) };
    });
  return [
    // Static paths first: they must win over /mlflow/datasets/:dataset_id.
    route("POST", "/mlflow/datasets/create", { name: f.string(true), experiment_ids: f.ids(), tags: f.string() }, async (p, req) => ({
      dataset: datasetJson(await requestStores(req).datasets.createDataset({ name: p.name, experimentIds: p.experiment_ids, tags: p.tags || undefined })),
    })),
    search("POST"),
    search("GET"),
    route("GET", "/mlflow/datasets/:dataset_id", datasetId, async (p, req) => ({ dataset: datasetJson(await requestStores(req).datasets.getDataset(p.dataset_id)) })),
    route("DELETE", "/mlflow/datasets/:dataset_id", datasetId, async (p, req) => {
      await requestStores(req).datasets.deleteDataset(p.dataset_id);
      return {};
    }),
    route("PATCH", "/mlflow/datasets/:dataset_id/tags", { ...datasetId, tags: f.string(true) }, async (p, req) => {
      await requestStores(req).datasets.setDatasetTags(p.dataset_id, p.tags);
      return {};
    }),
    route("DELETE", "/mlflow/datasets/:dataset_id/tags/:key", { ...datasetId, key: f.string(true) }, async (p, req) => {
      await requestStores(req).datasets.deleteDatasetTag(p.dataset_id, p.key);
      return {};
    }),
    route("POST", "/mlflow/datasets/:dataset_id/records", { ...datasetId, records: f.string(true) }, async (p, req) => {
      const result = await requestStores(req).datasets.upsertDatasetRecords(p.dataset_id, p.records);
      return { inserted_count: result.inserted, updated_count: result.updated };
    }),
    route("GET", "/mlflow/datasets/:dataset_id/records", { ...datasetId, max_results: f.int(), page_token: f.string() }, async (p, req) => {
      const page = await requestStores(req).datasets.getDatasetRecords(p.dataset_id, { maxResults: p.max_results || undefined, pageToken: p.page_token || undefined });
      return { records: page.records, ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}) };
    }),
    route("GET", "/mlflow/datasets/:dataset_id/experiment-ids", datasetId, async (p, req) => {
      const ids = await requestStores(req).datasets.getDatasetExperimentIds(p.dataset_id);
      return ids.length > 0 ? { experiment_ids: ids } : {};
    }),
    route("POST", "/mlflow/datasets/:dataset_id/add-experiments", { ...datasetId, experiment_ids: f.ids() }, async (p, req) => ({
      dataset: datasetJson(await requestStores(req).datasets.addDatasetToExperiments(p.dataset_id, p.experiment_ids ?? [])),
    })),
    route("POST", "/mlflow/datasets/:dataset_id/remove-experiments", { ...datasetId, experiment_ids: f.ids() }, async (p, req) => ({
      dataset: datasetJson(await requestStores(req).datasets.removeDatasetFromExperiments(p.dataset_id, p.experiment_ids ?? [])),
    })),
  ];
}

const scorerKey = { experiment_id: f.id(true), name: f.string(true) };

/**
 * MLflow 3's scorer API (`/api/3.0/mlflow/scorers/*`): register a version, list scorers or one
 * scorer's versions, get and delete.
 *
 * @example
 * for (const r of scorerRoutes()) table.add({ ...r, path: `/api/3.0${r.path}` });
 */
export function scorerRoutes(): RouteDefinition[] {
  return [
    route("POST", "/mlflow/scorers/register", { ...scorerKey, serialized_scorer: f.string(true) }, async (p, req) => {
      const v = await requestStores(req).scorers.registerScorer(p.experiment_id, p.name, p.serialized_scorer);
      return { version: v.scorer_version, scorer_id: v.scorer_id, experiment_id: v.experiment_id, name: v.scorer_name, serialized_scorer: v.serialized_scorer, creation_time: v.creation_time };
    }),
    route("GET", "/mlflow/scorers/list", { experiment_id: f.id(true) }, async (p, req) => {
      const scorers = await requestStores(req).scorers.listScorers(p.experiment_id);
      return scorers.length > 0 ? { scorers: scorers.map(scorerJson) } : {};
    }),
    route("GET", "/mlflow/scorers/versions", scorerKey, async (p, req) => {
      const scorers = await requestStores(req).scorers.listScorerVersions(p.experiment_id, p.name);
      return { scorers: scorers.map(scorerJson) };
    }),
    route("GET", "/mlflow/scorers/get", { ...scorerKey, version: f.int() }, async (p, req) => ({
      scorer: scorerJson(await requestStores(req).scorers.getScorer(p.experiment_id, p.name, p.version)),
    })),
    route("DELETE", "/mlflow/scorers/delete", { ...scorerKey, version: f.int() }, async (p, req) => {
      await requestStores(req).scorers.deleteScorer(p.experiment_id, p.name, p.version);
      return {};
    }),
  ];
}
