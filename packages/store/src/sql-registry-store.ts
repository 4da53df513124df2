import type { KeyValue, ModelVersion, RegisteredModel } from "@mlflow-ts/protocol";
import type { Database } from "./create-database.js";
import type { SchemaInfo } from "./schema/schema-info.js";
import type { TrackingContext } from "./tracking/context.js";
import * as models from "./registry/registered-models.js";
import * as versions from "./registry/model-versions.js";
import { searchModelVersions, searchRegisteredModels, type SearchRegistryInput } from "./registry/search-registry.js";
import { parseVersion, validateAlias } from "./registry/validation.js";

/**
 * The model registry on SQL: registered models, versions with stages, tags and aliases, in MLflow's
 * tables (part of the schema `prepareSchema` opens).
 *
 * @example
 * const registry = new SqlRegistryStore(database, await prepareSchema(database, { create: true, defaultArtifactRoot }));
 * await registry.createRegisteredModel({ name: "churn" });
 * await registry.createModelVersion({ name: "churn", source: "runs:/abc/model", runId: "abc" });
 */
export class SqlRegistryStore {
  private readonly ctx: TrackingContext;
  private readonly runArtifactUriOf: ((runId: string) => Promise<string>) | undefined;

  /**
   * @param options.runArtifactUriOf where a run's artifacts live, for checking local version
   *   sources when the registry has its own database (default: the `runs` table of this one).
   */
  constructor(database: Database, schema: SchemaInfo, options: { now?: () => number; cwd?: string; runArtifactUriOf?: (runId: string) => Promise<string> } = {}) {
    this.ctx = { database, schema, defaultArtifactRoot: "", truncateLongValues: false, now: options.now ?? Date.now, cwd: options.cwd ?? process.cwd() };
    this.runArtifactUriOf = options.runArtifactUriOf;
  }

  createRegisteredModel(input: { name: string; tags?: readonly KeyValue[]; description?: string }): Promise<RegisteredModel> {
    return models.createRegisteredModel(this.ctx, input);
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return models.getRegisteredModel(this.ctx, name);
  }
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return models.renameRegisteredModel(this.ctx, name, newName);
  }
  updateRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    return models.updateRegisteredModel(this.ctx, name, description);
  }
  deleteRegisteredModel(name: string): Promise<void> {
    return models.deleteRegisteredModel(this.ctx, name);
  }
  searchRegisteredModels(input: SearchRegistryInput): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }> {
    return searchRegisteredModels(this.ctx, input);
  }
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    return models.getLatestVersions(this.ctx, name, stages);
  }
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void> {
    return models.setRegisteredModelTag(this.ctx, name, tag);
  }
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return models.deleteRegisteredModelTag(this.ctx, name, key);
  }
  createModelVersion(input: versions.CreateModelVersionInput): Promise<ModelVersion> {
    return versions.createModelVersion(this.ctx, input, this.runArtifactUriOf);
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return versions.getModelVersion(this.ctx, name, parseVersion(version));
  }
  updateModelVersion(name: string, version: string, description?: string): Promise<ModelVersion> {
    return versions.updateModelVersion(this.ctx, name, parseVersion(version), description);
  }
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return versions.transitionStage(this.ctx, name, parseVersion(version), stage, archiveExistingVersions);
  }
  deleteModelVersion(name: string, version: string): Promise<void> {
    return versions.deleteModelVersion(this.ctx, name, parseVersion(version));
  }
  searchModelVersions(input: SearchRegistryInput): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
    return searchModelVersions(this.ctx, input);
  }
  /** Where a version's files are: its storage location (a copy's resolved source), else its source. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return versions.getDownloadUri(this.ctx, name, parseVersion(version));
  }
  setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void> {
    return versions.setModelVersionTag(this.ctx, name, parseVersion(version), tag);
  }
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return versions.deleteModelVersionTag(this.ctx, name, parseVersion(version), key);
  }
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    validateAlias(alias);
    return models.setAlias(this.ctx, name, alias, parseVersion(version));
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return models.deleteAlias(this.ctx, name, alias);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return models.getVersionByAlias(this.ctx, name, alias);
  }
}
