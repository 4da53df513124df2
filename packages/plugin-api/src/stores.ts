import type { Readable } from "node:stream";
import type {
  DatasetInput,
  Experiment,
  FileInfo,
  KeyValue,
  LoggedModel,
  Metric,
  ModelVersion,
  RegisteredModel,
  Run,
  RunInfo,
  RunStatus,
  ViewType,
  TraceRecord,
  AssessmentRecord,
  SpanContent,
  SpanInput,
  TraceStartInput,
  AssessmentInput,
  AssessmentUpdate,
  EvaluationDataset,
  ScorerVersion,
} from "@mlflow-ts/protocol";
import type { ArtifactFile, ArtifactWriteOptions, ByteRange, MultipartUploads } from "./artifact-repository.js";

/**
 * Limits a search to what a caller may read, inside the query: `only` keeps just these IDs (or
 * model names), `except` drops these. An empty `only` matches nothing. Caller-scoped stores fill
 * it from the caller's grants (own, group and default), so pages stay exact and a filtered search
 * costs what an unfiltered one does.
 *
 * @example
 * await stores.tracking.searchExperiments({ readable: { except: ["7"] } });
 */
export interface ReadableSet {
  readonly only?: readonly string[];
  readonly except?: readonly string[];
}

/** A metric point to log; `value` may be NaN or ±Infinity. */
export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step?: number;
  readonly modelId?: string;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
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
    /** Only experiments in this set (by ID). */
    readable?: ReadableSet;
  }): Promise<{ experiments: Experiment[]; next_page_token?: string }>;
  createRun(input: { experimentId?: string; userId?: string; runName?: string; startTime?: number; tags?: readonly KeyValue[] }): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  /** A run's info without its data: one query. */
  getRunInfo(runId: string): Promise<RunInfo>;
  /**
   * A run's artifact URI, to read or to write its artifacts: the intent is what a caller-scoped
   * store decides on (READ or EDIT on the run), whatever store the artifacts then live in.
   */
  runArtifactUri(runId: string, intent: "read" | "write"): Promise<string>;
  updateRun(runId: string, input: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  logMetric(runId: string, metric: MetricPoint): Promise<void>;
  logParam(runId: string, param: KeyValue): Promise<void>;
  setTag(runId: string, tag: KeyValue): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(runId: string, input: { metrics?: readonly MetricPoint[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<void>;
  logInputs(runId: string, datasets: readonly DatasetInput[], models?: readonly { model_id: string }[]): Promise<void>;
  logOutputs(runId: string, models: readonly { model_id: string; step?: number }[]): Promise<void>;
  getMetricHistory(runId: string, key: string, maxResults?: number, pageToken?: string): Promise<{ metrics: Metric[]; next_page_token?: string }>;
  searchRuns(input: {
    experimentIds: readonly string[];
    filter?: string;
    runViewType?: ViewType;
    maxResults?: number;
    orderBy?: readonly string[];
    pageToken?: string;
  }): Promise<{ runs: Run[]; next_page_token?: string }>;
  createLoggedModel(input: {
    experimentId: string;
    name?: string;
    modelType?: string;
    sourceRunId?: string;
    params?: readonly KeyValue[];
    tags?: readonly KeyValue[];
  }): Promise<LoggedModel>;
  getLoggedModel(modelId: string, allowDeleted?: boolean): Promise<LoggedModel>;
  finalizeLoggedModel(modelId: string, status: string | number): Promise<LoggedModel>;
  deleteLoggedModel(modelId: string): Promise<void>;
  setLoggedModelTags(modelId: string, tags: readonly KeyValue[]): Promise<void>;
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>;
  logLoggedModelParams(modelId: string, params: readonly KeyValue[]): Promise<void>;
  searchLoggedModels(input: {
    experimentIds: readonly string[];
    filter?: string;
    maxResults?: number;
    orderBy?: readonly { field_name: string; ascending?: boolean }[];
    pageToken?: string;
    /** Models with metrics on any of these datasets (MLflow 3). */
    datasets?: readonly { dataset_name: string; dataset_digest?: string }[];
  }): Promise<{ models: LoggedModel[]; next_page_token?: string }>;
  /** Every value of one metric for several runs, by run, timestamp, step, value; at most `maxResults`. */
  getMetricHistoryBulk(runIds: readonly string[], key: string, maxResults: number): Promise<(Metric & { run_id: string })[]>;
  /** One metric of several runs sampled to at most `maxResults` steps (plus first and last), for charts. */
  getMetricHistoryBulkInterval(runIds: readonly string[], key: string, options: { maxResults: number; startStep?: number; endStep?: number }): Promise<(Metric & { run_id: string })[]>;
  /** The datasets runs of these experiments used, with their context (at most 1,000). */
  searchDatasets(experimentIds: readonly string[]): Promise<{ experiment_id: string; name: string; digest: string; context?: string }[]>;
  /**
   * The experiment that owns a path below the proxied artifact root: the one whose artifact
   * location — or whose run's or logged model's — contains it, longest first; undefined when no
   * location contains it (then only admins may touch it).
   */
  artifactOwner(relative: string): Promise<string | undefined>;
  /** The experiments whose own artifact location lies strictly inside a proxied path (all, for the root). */
  artifactOwnersInside(relative: string): Promise<string[]>;
  /**
   * The experiment that owns a location below a default artifact root on storage (`s3://…`:
   * direct mode, where the server reads with its own credentials), found as {@link artifactOwner}
   * finds it below the proxied root: `{ owner }`, whose owner is undefined when no location
   * contains it (then only admins may read it); undefined when the URI is not below such a root.
   */
  rootArtifactOwner(uri: string): Promise<{ owner: string | undefined } | undefined>;
}

/** Parameters of the registry searches. */
export interface RegistrySearch {
  filter?: string;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
  /** Only models (or versions of models) in this set, by registered-model name. */
  readable?: ReadableSet;
}

/**
 * The model registry as apps see it (`app.context.stores.registry`).
 *
 * @example
 * const model = await app.context.stores.registry.getRegisteredModel("churn");
 */
export interface RegistryStore {
  createRegisteredModel(input: { name: string; tags?: readonly KeyValue[]; description?: string }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description?: string): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(input: RegistrySearch): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }>;
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  createModelVersion(input: {
    name: string;
    source: string;
    runId?: string;
    tags?: readonly KeyValue[];
    runLink?: string;
    description?: string;
    modelId?: string;
    userId?: string;
  }): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description?: string): Promise<ModelVersion>;
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: string): Promise<void>;
  searchModelVersions(input: RegistrySearch): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}

/**
 * The proxied artifact storage (`--artifacts-destination`) as apps see it, whatever repository
 * holds it (a local directory, S3, …). Paths are relative to the destination, for example
 * `1/<run_id>/artifacts/model/MLmodel`. `list` answers the whole listing (the repository's pages
 * walked); `multipart` and `presignRead` are there when the repository has them.
 *
 * @example
 * const files = await app.context.stores.artifacts.list("1/abc/artifacts");
 */
export interface ArtifactStore {
  write(relative: string, body: Readable, options?: ArtifactWriteOptions): Promise<void>;
  read(relative: string, options?: { readonly range?: ByteRange }): Promise<ArtifactFile>;
  list(relative: string): Promise<FileInfo[]>;
  delete(relative: string): Promise<void>;
  /** Multipart uploads, when the repository behind supports them. */
  readonly multipart?: MultipartUploads;
  /** A direct download URL, when the repository behind can sign one. */
  presignRead?(relative: string, expiresInSeconds?: number): Promise<string>;
}

/** A trace with its spans, when the database holds them (`undefined`: look for `traces.json`). */
export interface StoredTrace {
  readonly info: TraceRecord;
  readonly spans?: readonly SpanContent[];
}

/**
 * GenAI traces (`app.context.stores.traces`): trace infos, their tags, metadata, assessments and
 * spans in MLflow's tables. Every call that names a trace decides on the experiment the trace row
 * belongs to; a trace never moves between experiments.
 *
 * @example
 * const info = await app.context.stores.traces.getTraceInfo("tr-0af7…");
 * info.experiment_id;
 */
export interface TraceStore {
  /** Whether spans are stored in the database (`spans` table, MLflow 3.3+); else they live in `traces.json`. */
  readonly spansInDatabase: boolean;
  /** The experiment a trace belongs to (404 for an unknown trace): what authorization decides on. */
  traceExperiment(traceId: string): Promise<string>;
  startTraceV2(input: { experimentId: string; timestampMs: number; metadata?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<TraceRecord>;
  endTraceV2(traceId: string, input: { timestampMs: number; status: string; metadata?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<TraceRecord>;
  startTrace(input: TraceStartInput): Promise<TraceRecord>;
  getTraceInfo(traceId: string): Promise<TraceRecord>;
  /** Traces in request order with their stored spans; unknown IDs are left out. */
  getTraces(traceIds: readonly string[]): Promise<StoredTrace[]>;
  /** Stores the spans of ONE trace (OTLP ingest), creating its info when the spans come first. */
  logSpans(experimentId: string, spans: readonly SpanInput[]): Promise<void>;
  searchTraces(input: {
    experimentIds: readonly string[];
    filter?: string;
    maxResults?: number;
    orderBy?: readonly string[];
    pageToken?: string;
    /** Only traces of experiments in this set. */
    readable?: ReadableSet;
  }): Promise<{ traces: TraceRecord[]; next_page_token?: string }>;
  /** How two trace filters co-occur (NPMI and the four counts), within an optional base filter. */
  traceFilterCorrelation(input: {
    experimentIds: readonly string[];
    filter1: string;
    filter2: string;
    baseFilter?: string;
    readable?: ReadableSet;
  }): Promise<{ npmi: number; npmi_smoothed: number; filter1_count: number; filter2_count: number; joint_count: number; total_count: number }>;
  setTraceTag(traceId: string, key: string, value: string): Promise<void>;
  deleteTraceTag(traceId: string, key: string): Promise<void>;
  /** Deletes traces of one experiment, by IDs or by age; answers how many. */
  deleteTraces(input: { experimentId: string; maxTimestampMillis?: number; maxTraces?: number; traceIds?: readonly string[] }): Promise<number>;
  linkTracesToRun(traceIds: readonly string[], runId: string): Promise<void>;
  createAssessment(input: AssessmentInput): Promise<AssessmentRecord>;
  getAssessment(traceId: string, assessmentId: string): Promise<AssessmentRecord>;
  updateAssessment(traceId: string, assessmentId: string, update: AssessmentUpdate): Promise<AssessmentRecord>;
  deleteAssessment(traceId: string, assessmentId: string): Promise<void>;
}

/**
 * MLflow 3's evaluation datasets (`app.context.stores.datasets`) in MLflow's tables
 * (`evaluation_datasets`, `evaluation_dataset_tags`, `evaluation_dataset_records`, and
 * `entity_associations` for the experiments a dataset belongs to). JSON parameters (`tags`,
 * `records`) are the JSON text MLflow's requests carry; records come back as the JSON text MLflow
 * answers with. A dataset belongs to the experiments it is associated with: that is what
 * authorization decides on.
 *
 * @example
 * const d = await app.context.stores.datasets.createDataset({ name: "qa", experimentIds: ["1"] });
 */
export interface DatasetStore {
  /** The experiments a dataset is associated with; undefined for an unknown dataset. */
  datasetExperiments(datasetId: string): Promise<string[] | undefined>;
  createDataset(input: { name: string; experimentIds?: readonly string[]; tags?: string }): Promise<EvaluationDataset>;
  getDataset(datasetId: string): Promise<EvaluationDataset>;
  /** Deletes a dataset with its tags, records and associations; an unknown one is a no-op, as in MLflow. */
  deleteDataset(datasetId: string): Promise<void>;
  searchDatasets(input: {
    experimentIds?: readonly string[];
    filter?: string;
    maxResults?: number;
    orderBy?: readonly string[];
    pageToken?: string;
    /** Only datasets associated with at least one experiment of this set. */
    readable?: ReadableSet;
  }): Promise<{ datasets: EvaluationDataset[]; next_page_token?: string }>;
  /** Merges tags (a JSON object); `null` values are skipped. */
  setDatasetTags(datasetId: string, tags: string): Promise<void>;
  deleteDatasetTag(datasetId: string, key: string): Promise<void>;
  /** Inserts records (a JSON list) or merges them into those with the same inputs. */
  upsertDatasetRecords(datasetId: string, records: string): Promise<{ inserted: number; updated: number }>;
  /** A page of records as MLflow's GetDatasetRecords carries it: JSON text of a list. */
  getDatasetRecords(datasetId: string, input: { maxResults?: number; pageToken?: string }): Promise<{ records: string; next_page_token?: string }>;
  getDatasetExperimentIds(datasetId: string): Promise<string[]>;
  addDatasetToExperiments(datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset>;
  removeDatasetFromExperiments(datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset>;
}

/**
 * Registered scorers (`app.context.stores.scorers`), versioned by name within an experiment, in
 * MLflow's `scorers` and `scorer_versions` tables. A scorer belongs to its experiment.
 *
 * @example
 * await app.context.stores.scorers.registerScorer("1", "relevance", serialized);
 */
export interface ScorerStore {
  registerScorer(experimentId: string, name: string, serializedScorer: string): Promise<ScorerVersion>;
  /** The latest version of each scorer of an experiment, by name. */
  listScorers(experimentId: string): Promise<ScorerVersion[]>;
  listScorerVersions(experimentId: string, name: string): Promise<ScorerVersion[]>;
  /** One version, or the latest when `version` is undefined. */
  getScorer(experimentId: string, name: string, version?: number): Promise<ScorerVersion>;
  /** One version, or every version (and the scorer) when `version` is undefined. */
  deleteScorer(experimentId: string, name: string, version?: number): Promise<void>;
}

/** The stores an app can reach through `app.context.stores`. */
export interface AppStores {
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore;
  readonly artifacts: ArtifactStore;
  readonly traces: TraceStore;
  readonly datasets: DatasetStore;
  readonly scorers: ScorerStore;
}
