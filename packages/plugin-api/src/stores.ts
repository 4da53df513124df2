import type { DatasetInput, Experiment, KeyValue, Metric, Run, RunInfo, RunStatus, ViewType } from "@mlflow-ts/protocol";

/** A metric point to log; `value` may be NaN or ±Infinity. */
export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step?: number;
}

/**
 * The tracking store as apps see it (`app.context.stores.tracking`): the server's own connection,
 * so an auth app can resolve a run to its experiment without opening a second one. Errors are
 * `MlflowError`s with MLflow's codes.
 *
 * @example
 * const { info } = await app.context.stores.tracking.getRun(runId);
 * info.experiment_id;
 */
export interface TrackingStore {
  createExperiment(input: { name: string; artifactLocation?: string; tags?: readonly KeyValue[] }): Promise<string>;
  getExperiment(id: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment>;
  deleteExperiment(id: string): Promise<void>;
  restoreExperiment(id: string): Promise<void>;
  renameExperiment(id: string, newName: string): Promise<void>;
  setExperimentTag(id: string, tag: KeyValue): Promise<void>;
  deleteExperimentTag(id: string, key: string): Promise<void>;
  searchExperiments(input: {
    viewType?: ViewType;
    maxResults?: number;
    filter?: string;
    orderBy?: readonly string[];
    pageToken?: string;
  }): Promise<{ experiments: Experiment[]; next_page_token?: string }>;
  createRun(input: { experimentId?: string; userId?: string; runName?: string; startTime?: number; tags?: readonly KeyValue[] }): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, input: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  logMetric(runId: string, metric: MetricPoint): Promise<void>;
  logParam(runId: string, param: KeyValue): Promise<void>;
  setTag(runId: string, tag: KeyValue): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(runId: string, input: { metrics?: readonly MetricPoint[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<void>;
  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void>;
  getMetricHistory(runId: string, key: string, maxResults?: number, pageToken?: string): Promise<{ metrics: Metric[]; next_page_token?: string }>;
  searchRuns(input: {
    experimentIds: readonly string[];
    filter?: string;
    runViewType?: ViewType;
    maxResults?: number;
    orderBy?: readonly string[];
    pageToken?: string;
  }): Promise<{ runs: Run[]; next_page_token?: string }>;
}

/** The stores an app can reach through `app.context.stores`. */
export interface AppStores {
  readonly tracking: TrackingStore;
}
