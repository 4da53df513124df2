import type { RegistryStore, TrackingStore } from "@mlflow-ts/plugin-api";
import { f } from "../params.js";
import { keyValueSchema, keyValues } from "./key-values.js";
import { readParams } from "../read-params.js";
import { route, type RouteDefinition } from "../route.js";

const version = f.string(true, { coerceNumber: true });
const search = { filter: f.string(), max_results: f.int(), order_by: f.strings(), page_token: f.string() };


/** Resolves `models:/m-<id>` sources (MLflow 3 logged models) to the model's artifact location. */
async function downloadUri(registry: RegistryStore, tracking: TrackingStore, name: string, v: string): Promise<string> {
  const source = await registry.getModelVersionDownloadUri(name, v);
  const match = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(source);
  if (!match) return source;
  return (await tracking.getLoggedModel(match[1]!)).info.artifact_uri;
}

/**
 * The ModelRegistryService endpoints (spec §3 F–H).
 *
 * @example
 * for (const r of registryRoutes(stores.registry, stores.tracking)) mount(r);
 */
export function registryRoutes(registry: RegistryStore, tracking: TrackingStore): RouteDefinition[] {
  const latest = async (req: Parameters<RouteDefinition["handler"]>[0]) => {
    const p = readParams({ name: f.string(true), stages: f.strings() }, req);
    const versions = await registry.getLatestVersions(p.name, p.stages);
    return versions.length > 0 ? { model_versions: versions } : {};
  };
  return [
    route("POST", "/mlflow/registered-models/create", async (req) => {
      const p = readParams({ name: f.string(true), tags: f.objects(keyValueSchema), description: f.string() }, req);
      return { registered_model: await registry.createRegisteredModel({ name: p.name, tags: keyValues(p.tags), description: p.description }) };
    }),
    route("GET", "/mlflow/registered-models/get", async (req) => {
      return { registered_model: await registry.getRegisteredModel(readParams({ name: f.string(true) }, req).name) };
    }),
    route("POST", "/mlflow/registered-models/rename", async (req) => {
      const p = readParams({ name: f.string(true), new_name: f.string(true) }, req);
      return { registered_model: await registry.renameRegisteredModel(p.name, p.new_name) };
    }),
    route("PATCH", "/mlflow/registered-models/update", async (req) => {
      const p = readParams({ name: f.string(true), description: f.string() }, req);
      return { registered_model: await registry.updateRegisteredModel(p.name, p.description) };
    }),
    route("DELETE", "/mlflow/registered-models/delete", async (req) => {
      await registry.deleteRegisteredModel(readParams({ name: f.string(true) }, req).name);
      return {};
    }),
    route("GET", "/mlflow/registered-models/search", async (req) => {
      const p = readParams(search, req);
      const result = await registry.searchRegisteredModels({ filter: p.filter, maxResults: p.max_results, orderBy: p.order_by, pageToken: p.page_token });
      return result.registered_models.length === 0 && !result.next_page_token ? {} : result;
    }),
    route("POST", "/mlflow/registered-models/get-latest-versions", latest),
    route("GET", "/mlflow/registered-models/get-latest-versions", latest),
    route("POST", "/mlflow/registered-models/set-tag", async (req) => {
      const p = readParams({ name: f.string(true), ...keyValueSchema }, req);
      await registry.setRegisteredModelTag(p.name, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("DELETE", "/mlflow/registered-models/delete-tag", async (req) => {
      const p = readParams({ name: f.string(true), key: f.string(true) }, req);
      await registry.deleteRegisteredModelTag(p.name, p.key);
      return {};
    }),
    route("POST", "/mlflow/registered-models/alias", async (req) => {
      const p = readParams({ name: f.string(true), alias: f.string(true), version }, req);
      await registry.setRegisteredModelAlias(p.name, p.alias, p.version);
      return {};
    }),
    route("DELETE", "/mlflow/registered-models/alias", async (req) => {
      const p = readParams({ name: f.string(true), alias: f.string(true) }, req);
      await registry.deleteRegisteredModelAlias(p.name, p.alias);
      return {};
    }),
    route("GET", "/mlflow/registered-models/alias", async (req) => {
      const p = readParams({ name: f.string(true), alias: f.string(true) }, req);
      return { model_version: await registry.getModelVersionByAlias(p.name, p.alias) };
    }),
    route("POST", "/mlflow/model-versions/create", async (req) => {
      const p = readParams(
        { name: f.string(true), source: f.string(true), run_id: f.string(), tags: f.objects(keyValueSchema), run_link: f.string(), description: f.string(), model_id: f.string() },
        req,
      );
      const mv = await registry.createModelVersion({
        name: p.name,
        source: p.source,
        runId: p.run_id,
        tags: keyValues(p.tags),
        runLink: p.run_link,
        description: p.description,
        modelId: p.model_id,
        userId: req.state.authorization?.username,
      });
      return { model_version: mv };
    }),
    route("GET", "/mlflow/model-versions/get", async (req) => {
      const p = readParams({ name: f.string(true), version }, req);
      return { model_version: await registry.getModelVersion(p.name, p.version) };
    }),
    route("PATCH", "/mlflow/model-versions/update", async (req) => {
      const p = readParams({ name: f.string(true), version, description: f.string() }, req);
      return { model_version: await registry.updateModelVersion(p.name, p.version, p.description) };
    }),
    route("POST", "/mlflow/model-versions/transition-stage", async (req) => {
      const p = readParams({ name: f.string(true), version, stage: f.string(true), archive_existing_versions: f.bool() }, req);
      return { model_version: await registry.transitionModelVersionStage(p.name, p.version, p.stage, p.archive_existing_versions ?? false) };
    }),
    route("DELETE", "/mlflow/model-versions/delete", async (req) => {
      const p = readParams({ name: f.string(true), version }, req);
      await registry.deleteModelVersion(p.name, p.version);
      return {};
    }),
    route("GET", "/mlflow/model-versions/search", async (req) => {
      const p = readParams(search, req);
      const result = await registry.searchModelVersions({ filter: p.filter, maxResults: p.max_results, orderBy: p.order_by, pageToken: p.page_token });
      return result.model_versions.length === 0 && !result.next_page_token ? {} : result;
    }),
    route("GET", "/mlflow/model-versions/get-download-uri", async (req) => {
      const p = readParams({ name: f.string(true), version }, req);
      return { artifact_uri: await downloadUri(registry, tracking, p.name, p.version) };
    }),
    route("POST", "/mlflow/model-versions/set-tag", async (req) => {
      const p = readParams({ name: f.string(true), version, key: f.string(true), value: f.string() }, req);
      await registry.setModelVersionTag(p.name, p.version, { key: p.key, value: p.value ?? "" });
      return {};
    }),
    route("DELETE", "/mlflow/model-versions/delete-tag", async (req) => {
      const p = readParams({ name: f.string(true), version, key: f.string(true) }, req);
      await registry.deleteModelVersionTag(p.name, p.version, p.key);
      return {};
    }),
  ];
}

export { downloadUri };
