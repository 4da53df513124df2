import type { KeyValue, ModelVersion, RegisteredModel } from "@mlflow-ts/protocol";
import { RestClient } from "./rest-client.js";

const API = "/api/2.0/mlflow";

/** Options of the registry searches. */
export interface RegistrySearchOptions {
  filter?: string;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/**
 * A typed client of the model registry REST API (registered models, versions, stages, tags, aliases).
 *
 * @example
 * const registry = new ModelRegistryClient("http://127.0.0.1:5000");
 * await registry.createRegisteredModel("churn");
 * const v = await registry.createModelVersion("churn", `runs:/${runId}/model`, { runId });
 */
export class ModelRegistryClient extends RestClient {
  async createRegisteredModel(name: string, options: { tags?: readonly KeyValue[]; description?: string } = {}): Promise<RegisteredModel> {
    return (await this.request<{ registered_model: RegisteredModel }>("POST", `${API}/registered-models/create`, { name, ...options })).registered_model;
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.request<{ registered_model: RegisteredModel }>("GET", `${API}/registered-models/get`, { name })).registered_model;
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return (await this.request<{ registered_model: RegisteredModel }>("POST", `${API}/registered-models/rename`, { name, new_name: newName })).registered_model;
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return (await this.request<{ registered_model: RegisteredModel }>("PATCH", `${API}/registered-models/update`, { name, description })).registered_model;
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.request("DELETE", `${API}/registered-models/delete`, { name });
  }
  async searchRegisteredModels(options: RegistrySearchOptions = {}): Promise<{ registeredModels: RegisteredModel[]; nextPageToken?: string }> {
    const r = await this.request<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("GET", `${API}/registered-models/search`, {
      filter: options.filter,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    });
    return { registeredModels: r.registered_models ?? [], ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}) };
  }
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    return (await this.request<{ model_versions?: ModelVersion[] }>("POST", `${API}/registered-models/get-latest-versions`, { name, stages })).model_versions ?? [];
  }
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.request("POST", `${API}/registered-models/set-tag`, { name, key, value });
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.request("DELETE", `${API}/registered-models/delete-tag`, { name, key });
  }
  async createModelVersion(
    name: string,
    source: string,
    options: { runId?: string; tags?: readonly KeyValue[]; runLink?: string; description?: string; modelId?: string } = {},
  ): Promise<ModelVersion> {
    const r = await this.request<{ model_version: ModelVersion }>("POST", `${API}/model-versions/create`, {
      name,
      source,
      run_id: options.runId,
      tags: options.tags,
      run_link: options.runLink,
      description: options.description,
      model_id: options.modelId,
    });
    return r.model_version;
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return (await this.request<{ model_version: ModelVersion }>("GET", `${API}/model-versions/get`, { name, version })).model_version;
  }
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return (await this.request<{ model_version: ModelVersion }>("PATCH", `${API}/model-versions/update`, { name, version, description })).model_version;
  }
  async transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions = false): Promise<ModelVersion> {
    const r = await this.request<{ model_version: ModelVersion }>("POST", `${API}/model-versions/transition-stage`, {
      name,
      version,
      stage,
      archive_existing_versions: archiveExistingVersions,
    });
    return r.model_version;
  }
  async deleteModelVersion(name: string, version: string): Promise<void> {
    await this.request("DELETE", `${API}/model-versions/delete`, { name, version });
  }
  async searchModelVersions(options: RegistrySearchOptions = {}): Promise<{ modelVersions: ModelVersion[]; nextPageToken?: string }> {
    const r = await this.request<{ model_versions?: ModelVersion[]; next_page_token?: string }>("GET", `${API}/model-versions/search`, {
      filter: options.filter,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    });
    return { modelVersions: r.model_versions ?? [], ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}) };
  }
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return (await this.request<{ artifact_uri: string }>("GET", `${API}/model-versions/get-download-uri`, { name, version })).artifact_uri;
  }
  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.request("POST", `${API}/model-versions/set-tag`, { name, version, key, value });
  }
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.request("DELETE", `${API}/model-versions/delete-tag`, { name, version, key });
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.request("POST", `${API}/registered-models/alias`, { name, alias, version });
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.request("DELETE", `${API}/registered-models/alias`, { name, alias });
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (await this.request<{ model_version: ModelVersion }>("GET", `${API}/registered-models/alias`, { name, alias })).model_version;
  }
}
