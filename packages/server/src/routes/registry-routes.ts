import { f, invalidParameter } from "@mlflow-ts/protocol";
import { parseModelSource } from "@mlflow-ts/store";
import { requestStores, type MlflowRequest, type ServerConfig, type TrackingStore } from "@mlflow-ts/plugin-api";
import { keyValueSchema, keyValues } from "./key-values.js";
import { route, type RouteDefinition } from "../route.js";

const name = { name: f.string(true) };
const version = { name: f.string(true), version: f.id(true) };
const search = { filter: f.string(), max_results: f.int(), order_by: f.strings(), page_token: f.string() };


/**
 * Where a version's files are, from its stored location: a logged model (`models:/m-<id>`, MLflow
 * 3) resolved to the model's artifact location. Sources are read by `parseModelSource`, as the
 * store and authorization read them.
 *
 * @example
 * await filesOfVersion(stores.tracking, await stores.registry.getModelVersionDownloadUri("churn", "2"));
 */
export async function filesOfVersion(tracking: TrackingStore, stored: string): Promise<string> {
  const parsed = parseModelSource(stored);
  return parsed.kind === "logged-model" ? (await tracking.getLoggedModel(parsed.modelId)).info.artifact_uri : stored;
}

/**
 * The ModelRegistryService endpoints (spec §3 F–H).
 *
 * @example
 * for (const r of registryRoutes()) mount(r);
 */
export function registryRoutes(config: Pick<ServerConfig, "modelVersionSourceRegex"> = {}): RouteDefinition[] {
  // MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: sources must match it (MLflow 3, re.search).
  const sourcePattern = config.modelVersionSourceRegex ? new RegExp(config.modelVersionSourceRegex, "u") : undefined;
  const latestSchema = { ...name, stages: f.strings() };
  const latest = async (p: { name: string; stages?: readonly string[] }, req: MlflowRequest) => {
    const versions = await requestStores(req).registry.getLatestVersions(p.name, p.stages);
    return versions.length > 0 ? { model_versions: versions } : {};
  };
  return [
    route("POST", "/mlflow/registered-models/create", { ...name, tags: f.objects(keyValueSchema), description: f.string() }, async (p, req) => ({
      registered_model: await requestStores(req).registry.createRegisteredModel({ name: p.name, tags: keyValues(p.tags), description: p.description }),
    })),
    route("GET", "/mlflow/registered-models/get", name, async (p, req) => ({ registered_model: await requestStores(req).registry.getRegisteredModel(p.name) })),
    route("POST", "/mlflow/registered-models/rename", { ...name, new_name: f.string(true) }, async (p, req) => ({
      registered_model: await requestStores(req).registry.renameRegisteredModel(p.name, p.new_name),
    })),
    route("PATCH", "/mlflow/registered-models/update", { ...name, description: f.string() }, async (p, req) => ({
      registered_model: await requestStores(req).registry.updateRegisteredModel(p.name, p.description),
    })),
    route("DELETE", "/mlflow/registered-models/delete", name, async (p, req) => {
      await requestStores(req).registry.deleteRegisteredModel(p.name);
      return {};
    }),
    route("GET", "/mlflow/registered-models/search", search, async (p, req) => {
      const result = await requestStores(req).registry.searchRegisteredModels({ filter: p.filter, maxResults: p.max_results, orderBy: p.order_by, pageToken: p.page_token });
      return result.registered_models.length === 0 && !result.next_page_token ? {} : result;
    }),
    route("POST", "/mlflow/registered-models/get-latest-versions", latestSchema, latest),
    route("GET", "/mlflow/registered-models/get-latest-versions", latestSchema, latest),
    route("POST", "/mlflow/registered-models/set-tag", { ...name, ...keyValueSchema }, async (p, req) => {
      await requestStores(req).registry.setRegisteredModelTag(p.name, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("DELETE", "/mlflow/registered-models/delete-tag", { ...name, key: f.string(true) }, async (p, req) => {
      await requestStores(req).registry.deleteRegisteredModelTag(p.name, p.key);
      return {};
    }),
    route("POST", "/mlflow/registered-models/alias", { ...version, alias: f.string(true) }, async (p, req) => {
      await requestStores(req).registry.setRegisteredModelAlias(p.name, p.alias, p.version);
      return {};
    }),
    route("DELETE", "/mlflow/registered-models/alias", { ...name, alias: f.string(true) }, async (p, req) => {
      await requestStores(req).registry.deleteRegisteredModelAlias(p.name, p.alias);
      return {};
    }),
    route("GET", "/mlflow/registered-models/alias", { ...name, alias: f.string(true) }, async (p, req) => ({
      model_version: await requestStores(req).registry.getModelVersionByAlias(p.name, p.alias),
    })),
    route(
      "POST",
      "/mlflow/model-versions/create",
      { ...name, source: f.string(true), run_id: f.string(), tags: f.objects(keyValueSchema), run_link: f.string(), description: f.string(), model_id: f.string() },
      async (p, req) => {
        if (sourcePattern && !sourcePattern.test(p.source)) throw invalidParameter(`Invalid model version source: '${p.source}'.`);
        return {
        model_version: await requestStores(req).registry.createModelVersion({
          name: p.name,
          source: p.source,
          runId: p.run_id,
          tags: keyValues(p.tags),
          runLink: p.run_link,
          modelId: p.model_id,
          userId: req.state.authorization?.username,
          // MLflow stores the proto's "" for an absent description, and answers it.
          description: p.description ?? "",
        }),
        };
      },
    ),
    route("GET", "/mlflow/model-versions/get", version, async (p, req) => ({ model_version: await requestStores(req).registry.getModelVersion(p.name, p.version) })),
    route("PATCH", "/mlflow/model-versions/update", { ...version, description: f.string() }, async (p, req) => ({
      model_version: await requestStores(req).registry.updateModelVersion(p.name, p.version, p.description),
    })),
    route("POST", "/mlflow/model-versions/transition-stage", { ...version, stage: f.string(true), archive_existing_versions: f.bool() }, async (p, req) => ({
      model_version: await requestStores(req).registry.transitionModelVersionStage(p.name, p.version, p.stage, p.archive_existing_versions ?? false),
    })),
    route("DELETE", "/mlflow/model-versions/delete", version, async (p, req) => {
      await requestStores(req).registry.deleteModelVersion(p.name, p.version);
      return {};
    }),
    route("GET", "/mlflow/model-versions/search", search, async (p, req) => {
      const result = await requestStores(req).registry.searchModelVersions({ filter: p.filter, maxResults: p.max_results, orderBy: p.order_by, pageToken: p.page_token });
      return result.model_versions.length === 0 && !result.next_page_token ? {} : result;
    }),
    route("GET", "/mlflow/model-versions/get-download-uri", version, async (p, req) => {
      const { registry, tracking } = requestStores(req);
      return { artifact_uri: await filesOfVersion(tracking, await registry.getModelVersionDownloadUri(p.name, p.version)) };
    }),
    route("POST", "/mlflow/model-versions/set-tag", { ...version, ...keyValueSchema }, async (p, req) => {
      await requestStores(req).registry.setModelVersionTag(p.name, p.version, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("DELETE", "/mlflow/model-versions/delete-tag", { ...version, key: f.string(true) }, async (p, req) => {
      await requestStores(req).registry.deleteModelVersionTag(p.name, p.version, p.key);
      return {};
    }),
  ];
}

