import type { DatasetInput, Experiment, KeyValue, Metric, Run, RunInfo, RunStatus } from "@mlflow-ts/protocol";
import type { Database } from "./create-database.js";
import { prepareSchema } from "./schema/prepare-schema.js";
import type { SchemaInfo } from "./schema/schema-info.js";
import type { TrackingContext } from "./tracking/context.js";
import * as experiments from "./tracking/experiments.js";
import { searchExperiments, type SearchExperimentsInput } from "./tracking/search-experiments.js";
import * as runs from "./tracking/runs.js";
import { logBatch, deleteTag, type LogBatchInput, type MetricInput } from "./tracking/log-batch.js";
import { logInputs } from "./tracking/log-inputs.js";
import { getMetricHistory } from "./tracking/metric-history.js";
import { searchRuns, type SearchRunsInput } from "./tracking/search-runs.js";
import * as loggedModels from "./logged-models/logged-models.js";
import * as bulk from "./tracking/metric-history-bulk.js";
import type { DatasetSummary, MetricWithRunId } from "./tracking/metric-history-bulk.js";
import { appendToUri, experimentIdNumber } from "./tracking/context.js";
import { ArtifactOwners, refuseForeignLocation, storageKeys } from "./artifacts/artifact-owners.js";
import { belowStorageRoot } from "./artifacts/artifact-location.js";
import { artifactSegments } from "./artifacts/artifact-path.js";
import type { KeyValue as KV, LoggedModel } from "@mlflow-ts/protocol";
import { SqlTraceStore } from "./traces/sql-trace-store.js";
import { SqlDatasetStore } from "./evaluation/sql-dataset-store.js";
import { SqlScorerStore } from "./evaluation/sql-scorer-store.js";

/** Options of {@link SqlTrackingStore}. */
export interface SqlTrackingStoreOptions {
  /** Root of new experiments' artifact locations, for example `mlflow-artifacts:/`. */
  readonly defaultArtifactRoot: string;
  /** Truncate over-long param and tag values (default true, as MLflow). */
  readonly truncateLongValues?: boolean;
  /** Clock in epoch milliseconds (tests). */
  readonly now?: () => number;
  /** Where relative local artifact locations resolve from (default: the process's directory). */
  readonly cwd?: string;
}

/**
 * The tracking store on SQL: experiments, runs, metrics, params, tags, inputs and logged models, in
 * MLflow's own tables at the database's revision, on any dialect {@link createDatabase} opens.
 * Every write of one call runs in one transaction.
 *
 * @example
 * const store = await SqlTrackingStore.open(await createDatabase("sqlite:///mlflow.db"), { defaultArtifactRoot: "mlflow-artifacts:/" });
 * const id = await store.createExperiment({ name: "demo" });
 */
export class SqlTrackingStore {
  readonly database: Database;
  readonly schema: SchemaInfo;
  private readonly ctx: TrackingContext;
  private readonly owners: ArtifactOwners;
  /** Owners below a default artifact root on storage (direct mode); none otherwise. */
  private readonly rootOwners: ArtifactOwners | undefined;
  /** GenAI traces in the same database (and the same connection). */
  readonly traces: SqlTraceStore;
  /** Evaluation datasets in the same database (MLflow 3.4+). */
  readonly datasets: SqlDatasetStore;
  /** Registered scorers in the same database (MLflow 3.4+). */
  readonly scorers: SqlScorerStore;

  constructor(database: Database, schema: SchemaInfo, options: SqlTrackingStoreOptions) {
    this.database = database;
    this.schema = schema;
    this.ctx = {
      database,
      schema,
      defaultArtifactRoot: options.defaultArtifactRoot,
      truncateLongValues: options.truncateLongValues ?? true,
      now: options.now ?? Date.now,
      cwd: options.cwd ?? process.cwd(),
    };
    this.owners = new ArtifactOwners(this.ctx);
    const rootKeys = storageKeys(options.defaultArtifactRoot);
    this.rootOwners = rootKeys(options.defaultArtifactRoot) === "" ? new ArtifactOwners(this.ctx, rootKeys) : undefined;
    this.traces = new SqlTraceStore(this.ctx);
    this.datasets = new SqlDatasetStore(this.ctx);
    this.scorers = new SqlScorerStore(this.ctx);
  }

  /**
   * Opens a database's tracking schema and the store on it: an empty database is created at the
   * newest revision when `create` is set (the default); one MLflow made is served at its revision,
   * with experiment 0 added if it is missing (as MLflow 3.4+ does at start-up).
   *
   * @example
   * const store = await SqlTrackingStore.open(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
   */
  static async open(database: Database, options: SqlTrackingStoreOptions & { readonly create?: boolean }): Promise<SqlTrackingStore> {
    const create = options.create ?? true;
    const schema = await prepareSchema(database, { create, defaultArtifactRoot: options.defaultArtifactRoot, now: options.now?.() });
    const store = new SqlTrackingStore(database, schema, options);
    if (create) await experiments.ensureDefaultExperiment(store.ctx);
    return store;
  }

  async createExperiment(input: { name: string; artifactLocation?: string; tags?: readonly KeyValue[] }): Promise<string> {
    for (const owners of [this.owners, this.rootOwners]) {
      if (owners && input.artifactLocation) await refuseForeignLocation(owners, input.artifactLocation, this.ctx.defaultArtifactRoot);
    }
    const id = await experiments.createExperiment(this.ctx, input);
    const location = input.artifactLocation || appendToUri(this.ctx.defaultArtifactRoot, id);
    this.owners.remember(id, location);
    this.rootOwners?.remember(id, location);
    return id;
  }
  artifactOwner(relative: string): Promise<string | undefined> {
    return this.owners.ownerOf(relative);
  }
  async rootArtifactOwner(uri: string): Promise<{ owner: string | undefined } | undefined> {
    const below = this.rootOwners ? belowStorageRoot(uri, this.ctx.defaultArtifactRoot) : undefined;
    if (below === undefined) return undefined;
    let key: string;
    try {
      key = artifactSegments(below).join("/");
    } catch {
      // A path the server would refuse to read: nobody's.
      return { owner: undefined };
    }
    return { owner: await this.rootOwners!.ownerOf(key) };
  }
  artifactOwnersInside(relative: string): Promise<string[]> {
    return this.owners.ownersInside(relative);
  }
  getExperiment(id: string): Promise<Experiment> {
    return experiments.getExperiment(this.ctx, id);
  }
  getExperimentByName(name: string): Promise<Experiment> {
    return experiments.getExperimentByName(this.ctx, name);
  }
  deleteExperiment(id: string): Promise<void> {
    return experiments.deleteExperiment(this.ctx, id);
  }
  restoreExperiment(id: string): Promise<void> {
    return experiments.restoreExperiment(this.ctx, id);
  }
  renameExperiment(id: string, newName: string): Promise<void> {
    return experiments.renameExperiment(this.ctx, id, newName);
  }
  setExperimentTag(id: string, tag: KeyValue): Promise<void> {
    return experiments.setExperimentTag(this.ctx, id, tag);
  }
  deleteExperimentTag(id: string, key: string): Promise<void> {
    return experiments.deleteExperimentTag(this.ctx, id, key);
  }
  searchExperiments(input: SearchExperimentsInput): Promise<{ experiments: Experiment[]; next_page_token?: string }> {
    return searchExperiments(this.ctx, input);
  }

  createRun(input: runs.CreateRunInput): Promise<Run> {
    return runs.createRun(this.ctx, input);
  }
  getRunInfo(runId: string): Promise<RunInfo> {
    return runs.getRunInfo(this.ctx, runId);
  }
  async runArtifactUri(runId: string): Promise<string> {
    return (await runs.getRunInfo(this.ctx, runId)).artifact_uri;
  }
  getRun(runId: string): Promise<Run> {
    return runs.getRun(this.ctx, runId);
  }
  updateRun(runId: string, input: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    return runs.updateRun(this.ctx, runId, input);
  }
  deleteRun(runId: string): Promise<void> {
    return runs.deleteRun(this.ctx, runId);
  }
  restoreRun(runId: string): Promise<void> {
    return runs.restoreRun(this.ctx, runId);
  }
  logMetric(runId: string, metric: MetricInput): Promise<void> {
    return logBatch(this.ctx, runId, { metrics: [metric] }, false);
  }
  logParam(runId: string, param: KeyValue): Promise<void> {
    return logBatch(this.ctx, runId, { params: [param] }, false);
  }
  setTag(runId: string, tag: KeyValue): Promise<void> {
    return logBatch(this.ctx, runId, { tags: [tag] }, false);
  }
  deleteTag(runId: string, key: string): Promise<void> {
    return deleteTag(this.ctx, runId, key);
  }
  logBatch(runId: string, input: LogBatchInput): Promise<void> {
    return logBatch(this.ctx, runId, input);
  }
  logInputs(runId: string, datasets: readonly DatasetInput[], models?: readonly { model_id: string }[]): Promise<void> {
    return logInputs(this.ctx, runId, datasets, models);
  }
  logOutputs(runId: string, models: readonly { model_id: string; step?: number }[]): Promise<void> {
    return loggedModels.logOutputs(this.ctx, runId, models);
  }
  createLoggedModel(input: loggedModels.CreateLoggedModelInput): Promise<LoggedModel> {
    return loggedModels.createLoggedModel(this.ctx, input);
  }
  getLoggedModel(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    return loggedModels.getLoggedModel(this.ctx, modelId, allowDeleted);
  }
  finalizeLoggedModel(modelId: string, status: string | number): Promise<LoggedModel> {
    return loggedModels.finalizeLoggedModel(this.ctx, modelId, status);
  }
  deleteLoggedModel(modelId: string): Promise<void> {
    return loggedModels.deleteLoggedModel(this.ctx, modelId);
  }
  setLoggedModelTags(modelId: string, tags: readonly KV[]): Promise<void> {
    return loggedModels.setLoggedModelPairs(this.ctx, modelId, tags, "tag");
  }
  deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return loggedModels.deleteLoggedModelTag(this.ctx, modelId, key);
  }
  logLoggedModelParams(modelId: string, params: readonly KV[]): Promise<void> {
    return loggedModels.setLoggedModelPairs(this.ctx, modelId, params, "param");
  }
  searchLoggedModels(input: loggedModels.SearchLoggedModelsInput): Promise<{ models: LoggedModel[]; next_page_token?: string }> {
    return loggedModels.searchLoggedModels(this.ctx, input);
  }
  getMetricHistory(runId: string, key: string, maxResults?: number, pageToken?: string): Promise<{ metrics: Metric[]; next_page_token?: string }> {
    return getMetricHistory(this.ctx, runId, key, maxResults, pageToken);
  }
  searchRuns(input: SearchRunsInput): Promise<{ runs: Run[]; next_page_token?: string }> {
    return searchRuns(this.ctx, input);
  }
  getMetricHistoryBulk(runIds: readonly string[], key: string, maxResults: number): Promise<MetricWithRunId[]> {
    return bulk.getMetricHistoryBulk(this.ctx, runIds, key, maxResults);
  }
  getMetricHistoryBulkInterval(runIds: readonly string[], key: string, options: { maxResults: number; startStep?: number; endStep?: number }): Promise<MetricWithRunId[]> {
    return bulk.getMetricHistoryBulkInterval(this.ctx, runIds, key, options);
  }
  searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    return bulk.searchDatasets(this.ctx, experimentIds.map(experimentIdNumber).filter((n): n is number => n !== undefined));
  }
}
