import { toWireDouble } from "@mlflow-ts/protocol";
import type { DatasetInput, Experiment, KeyValue, LoggedModel, Metric, Run, RunInfo, RunStatus, ViewType, WireDouble } from "@mlflow-ts/protocol";
import { RestClient, type RestClientOptions } from "./rest-client.js";
import { ModelRegistryClient } from "./model-registry-client.js";
import { ArtifactsClient } from "./artifacts-client.js";

const API = "/api/2.0/mlflow";

/** A metric to log; `value` may be a number or `"NaN"`/`"Infinity"`/`"-Infinity"`. */
export interface MetricToLog {
  readonly key: string;
  readonly value: number | WireDouble;
  readonly timestamp: number;
  readonly step?: number;
}

function wire(value: number | WireDouble): WireDouble {
  return typeof value === "number" ? toWireDouble(value) : value;
}

/**
 * A typed client of the MLflow tracking REST API (experiments, runs, logging, search).
 *
 * @example
 * const client = new MlflowClient("http://127.0.0.1:5000");
 * const id = await client.createExperiment("demo");
 * const run = await client.createRun(id);
 * await client.logMetric(run.info.run_id, "loss", 0.1);
 */
export class MlflowClient extends RestClient {
  /** The model registry, with the same credentials. */
  readonly registry: ModelRegistryClient;
  /** The artifact proxy, with the same credentials. */
  readonly artifacts: ArtifactsClient;

  constructor(trackingUri: string, options: RestClientOptions = {}) {
    super(trackingUri, options);
    this.registry = new ModelRegistryClient(trackingUri, options);
    this.artifacts = new ArtifactsClient(trackingUri, options);
  }

  async createExperiment(name: string, options: { artifactLocation?: string; tags?: readonly KeyValue[] } = {}): Promise<string> {
    const r = await this.request<{ experiment_id: string }>("POST", `${API}/experiments/create`, {
      name,
      artifact_location: options.artifactLocation,
      tags: options.tags,
    });
    return r.experiment_id;
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.request<{ experiment: Experiment }>("GET", `${API}/experiments/get`, { experiment_id: experimentId })).experiment;
  }
  async getExperimentByName(name: string): Promise<Experiment> {
    return (await this.request<{ experiment: Experiment }>("GET", `${API}/experiments/get-by-name`, { experiment_name: name })).experiment;
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.request("POST", `${API}/experiments/delete`, { experiment_id: experimentId });
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    await this.request("POST", `${API}/experiments/restore`, { experiment_id: experimentId });
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.request("POST", `${API}/experiments/update`, { experiment_id: experimentId, new_name: newName });
  }
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.request("POST", `${API}/experiments/set-experiment-tag`, { experiment_id: experimentId, key, value });
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.request("POST", `${API}/experiments/delete-experiment-tag`, { experiment_id: experimentId, key });
  }
  async searchExperiments(
    options: { filter?: string; maxResults?: number; orderBy?: readonly string[]; pageToken?: string; viewType?: ViewType } = {},
  ): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
    const r = await this.request<{ experiments?: Experiment[]; next_page_token?: string }>("POST", `${API}/experiments/search`, {
      filter: options.filter,
      max_results: options.maxResults ?? 1000,
      order_by: options.orderBy,
      page_token: options.pageToken,
      view_type: options.viewType,
    });
    return { experiments: r.experiments ?? [], ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}) };
  }

  async createRun(
    experimentId: string,
    options: { runName?: string; startTime?: number; tags?: readonly KeyValue[]; userId?: string } = {},
  ): Promise<Run> {
    const r = await this.request<{ run: Run }>("POST", `${API}/runs/create`, {
      experiment_id: experimentId,
      run_name: options.runName,
      start_time: options.startTime ?? Date.now(),
      tags: options.tags,
      user_id: options.userId,
    });
    return r.run;
  }
  async getRun(runId: string): Promise<Run> {
    return (await this.request<{ run: Run }>("GET", `${API}/runs/get`, { run_id: runId })).run;
  }
  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    const r = await this.request<{ run_info: RunInfo }>("POST", `${API}/runs/update`, {
      run_id: runId,
      run_uuid: runId,
      status: update.status,
      end_time: update.endTime,
      run_name: update.runName,
    });
    return r.run_info;
  }
  async deleteRun(runId: string): Promise<void> {
    await this.request("POST", `${API}/runs/delete`, { run_id: runId });
  }
  async restoreRun(runId: string): Promise<void> {
    await this.request("POST", `${API}/runs/restore`, { run_id: runId });
  }
  async logMetric(runId: string, key: string, value: number | WireDouble, options: { timestamp?: number; step?: number } = {}): Promise<void> {
    await this.request("POST", `${API}/runs/log-metric`, {
      run_id: runId,
      run_uuid: runId,
      key,
      value: wire(value),
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
    });
  }
  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.request("POST", `${API}/runs/log-parameter`, { run_id: runId, run_uuid: runId, key, value });
  }
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.request("POST", `${API}/runs/set-tag`, { run_id: runId, run_uuid: runId, key, value });
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.request("POST", `${API}/runs/delete-tag`, { run_id: runId, key });
  }
  async logBatch(
    runId: string,
    batch: { metrics?: readonly MetricToLog[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] },
  ): Promise<void> {
    await this.request("POST", `${API}/runs/log-batch`, {
      run_id: runId,
      metrics: batch.metrics?.map((m) => ({ ...m, value: wire(m.value), step: m.step ?? 0 })),
      params: batch.params,
      tags: batch.tags,
    });
  }
  async logInputs(runId: string, datasets: readonly DatasetInput[], models?: readonly { model_id: string }[]): Promise<void> {
    await this.request("POST", `${API}/runs/log-inputs`, { run_id: runId, datasets, models });
  }
  async createLoggedModel(
    experimentId: string,
    options: { name?: string; modelType?: string; sourceRunId?: string; params?: readonly KeyValue[]; tags?: readonly KeyValue[] } = {},
  ): Promise<LoggedModel> {
    const r = await this.request<{ model: LoggedModel }>("POST", `${API}/logged-models`, {
      experiment_id: experimentId,
      name: options.name,
      model_type: options.modelType,
      source_run_id: options.sourceRunId,
      params: options.params,
      tags: options.tags,
    });
    return r.model;
  }
  async getLoggedModel(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    return (await this.request<{ model: LoggedModel }>("GET", `${API}/logged-models/${encodeURIComponent(modelId)}`, allowDeleted ? { allow_deleted: true } : {})).model;
  }
  async finalizeLoggedModel(modelId: string, status: "LOGGED_MODEL_READY" | "LOGGED_MODEL_UPLOAD_FAILED" | "LOGGED_MODEL_PENDING"): Promise<LoggedModel> {
    return (await this.request<{ model: LoggedModel }>("PATCH", `${API}/logged-models/${encodeURIComponent(modelId)}`, { model_id: modelId, status })).model;
  }
  async deleteLoggedModel(modelId: string): Promise<void> {
    await this.request("DELETE", `${API}/logged-models/${encodeURIComponent(modelId)}`, {});
  }
  async setLoggedModelTags(modelId: string, tags: readonly KeyValue[]): Promise<void> {
    await this.request("PATCH", `${API}/logged-models/${encodeURIComponent(modelId)}/tags`, { tags });
  }
  async deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    await this.request("DELETE", `${API}/logged-models/${encodeURIComponent(modelId)}/tags/${encodeURIComponent(key)}`, {});
  }
  async logLoggedModelParams(modelId: string, params: readonly KeyValue[]): Promise<void> {
    await this.request("POST", `${API}/logged-models/${encodeURIComponent(modelId)}/params`, { params });
  }
  async searchLoggedModels(
    experimentIds: readonly string[],
    options: { filter?: string; maxResults?: number; orderBy?: readonly { field_name: string; ascending?: boolean }[]; pageToken?: string } = {},
  ): Promise<{ models: LoggedModel[]; nextPageToken?: string }> {
    const r = await this.request<{ models?: LoggedModel[]; next_page_token?: string }>("POST", `${API}/logged-models/search`, {
      experiment_ids: experimentIds,
      filter: options.filter,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    });
    return { models: r.models ?? [], ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}) };
  }
  async logOutputs(runId: string, models: readonly { model_id: string; step?: number }[]): Promise<void> {
    await this.request("POST", `${API}/runs/outputs`, { run_id: runId, models });
  }
  async getMetricHistory(runId: string, key: string, options: { maxResults?: number; pageToken?: string } = {}): Promise<{ metrics: Metric[]; nextPageToken?: string }> {
    const r = await this.request<{ metrics?: Metric[]; next_page_token?: string }>("GET", `${API}/metrics/get-history`, {
      run_id: runId,
      metric_key: key,
      max_results: options.maxResults,
      page_token: options.pageToken,
    });
    return { metrics: r.metrics ?? [], ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}) };
  }
  /** Every point of a metric, following page tokens as the Python client does (25,000 a page). */
  async getFullMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const all: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.getMetricHistory(runId, key, { maxResults: 25000, pageToken });
      all.push(...page.metrics);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all;
  }
  async searchRuns(
    experimentIds: readonly string[],
    options: { filter?: string; runViewType?: ViewType; maxResults?: number; orderBy?: readonly string[]; pageToken?: string } = {},
  ): Promise<{ runs: Run[]; nextPageToken?: string }> {
    const r = await this.request<{ runs?: Run[]; next_page_token?: string }>("POST", `${API}/runs/search`, {
      experiment_ids: experimentIds,
      filter: options.filter,
      run_view_type: options.runViewType,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    });
    return { runs: r.runs ?? [], ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}) };
  }
}
