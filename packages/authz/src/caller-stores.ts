import { MlflowError, isMlflowError, type KeyValue } from "@mlflow-ts/protocol";
import type { AppStores, ArtifactStore, DatasetStore, MetricPoint, ReadableSet, RegistrySearch, RegistryStore, ScorerStore, TraceStore, TrackingStore } from "@mlflow-ts/plugin-api";
import type { AssessmentInput, AssessmentUpdate, SpanInput, TraceStartInput } from "@mlflow-ts/protocol";
import { parseModelSource } from "@mlflow-ts/store";
import type { Access } from "./access.js";
import type { AuthStore, UserRecord } from "./auth-store.js";
import { capabilitiesOf, type Capabilities } from "./permissions.js";

type Need = keyof Capabilities;

/**
 * The error a store call answers when the caller may not do it (HTTP 403).
 *
 * @example
 * if (!caps.read) throw denied();
 */
export function denied(): MlflowError {
  return new MlflowError("PERMISSION_DENIED", "Permission denied");
}

/** Both restrictions at once: a search already narrowed by an earlier scope stays narrowed. */
function intersect(given: ReadableSet | undefined, mine: ReadableSet): ReadableSet {
  if (!given) return mine;
  const except = [...(given.except ?? []), ...(mine.except ?? [])];
  let only: readonly string[] | undefined = given.only ?? mine.only;
  if (given.only && mine.only) {
    const other = new Set(mine.only);
    only = given.only.filter((k) => other.has(k));
  }
  return { ...(only ? { only } : {}), ...(except.length > 0 ? { except } : {}) };
}

/** Whether a readable set lets one key through. */
function admits(set: ReadableSet, key: string): boolean {
  return (set.only === undefined || set.only.includes(key)) && !(set.except ?? []).includes(key);
}

/**
 * What one caller may do, asked on the entity each store call resolves: a run's experiment from
 * the run row, a registered model by its name as stored (so a database that compares names
 * case-insensitively cannot make a grant miss), an artifact path's owner from the locations in the
 * database. Admins are never refused; the creator of an experiment or registered model gets
 * MANAGE, and registered-model grants follow renames and deletes, for every caller.
 */
class Decision {
  // Grants are written where they are read: the access decision's own auth store.
  readonly auth: AuthStore;

  constructor(
    readonly user: UserRecord,
    readonly access: Access,
    readonly base: AppStores,
  ) {
    this.auth = access.auth;
  }

  // These two answer synchronously when the grant is cached (the logging hot path): undefined to
  // go on, a throw to refuse; a promise only when something must be looked up.
  experiment(id: string, need: Need): void | Promise<void> {
    if (this.user.isAdmin) return;
    const cached = this.access.cachedPermission("experiment", id, this.user);
    if (cached === undefined) return this.access.experiment(this.user, id).then((caps) => allow(caps, need));
    allow(capabilitiesOf(cached), need);
  }

  run(runId: string, need: Need): void | Promise<void> {
    if (this.user.isAdmin) return;
    const cached = this.access.cachedRun(this.user, runId);
    if (cached === undefined) return this.access.run(this.user, runId).then((caps) => allow(caps, need));
    allow(cached, need);
  }

  async loggedModel(modelId: string | undefined, need: Need): Promise<void> {
    if (modelId === undefined || modelId === "" || this.user.isAdmin) return;
    if (!(await this.access.loggedModel(this.user, modelId))[need]) throw denied();
  }

  async model(storedName: string, need: Need): Promise<void> {
    if (this.user.isAdmin) return;
    if (!(await this.access.model(this.user, storedName))[need]) throw denied();
  }

  /** The registered model's name as the database holds it (404 for an unknown model). */
  async storedName(name: string): Promise<string> {
    return (await this.base.registry.getRegisteredModel(name)).name;
  }

  async readable(kind: "experiment" | "registered_model"): Promise<ReadableSet | undefined> {
    return this.user.isAdmin ? undefined : this.access.readableSet(kind, this.user);
  }

  /** The experiment owning a proxied artifact path; a path nobody owns is for admins only. */
  async artifact(relative: string, need: Need): Promise<void> {
    if (this.user.isAdmin) return;
    const owner = await this.base.tracking.artifactOwner(relative);
    if (owner === undefined) throw denied();
    await this.experiment(owner, need);
  }

  /**
   * A location the server reads with its own credentials below a storage default artifact root
   * (direct mode): the experiment owning it, as for a proxied path; other URIs the server does
   * not read.
   */
  async rootLocation(uri: string, need: Need): Promise<void> {
    if (this.user.isAdmin) return;
    const found = await this.base.tracking.rootArtifactOwner(uri);
    if (found === undefined) return;
    if (found.owner === undefined) throw denied();
    await this.experiment(found.owner, need);
  }
}

/**
 * READ on whatever a model version's `source` points at, since anyone who may read the registered
 * model may download the version's files — read by `parseModelSource`, exactly as the store copies
 * it and the server serves it: a run's artifacts, a logged model, a copied version (by the copied
 * model's stored name), a reference to a model (every name it may mean), or proxied artifacts and
 * locations below a storage default artifact root (by the experiment owning the path). A run or logged model that does not exist holds nothing to read;
 * local paths need a `run_id` whose artifact directory holds them (the store enforces it).
 */
async function sourceReadable(d: Decision, source: string): Promise<void> {
  if (d.user.isAdmin || !source) return;
  const parsed = parseModelSource(source);
  switch (parsed.kind) {
    case "run":
      return unlessMissing(d.run(parsed.runId, "read"));
    case "logged-model":
      return unlessMissing(d.loggedModel(parsed.modelId, "read"));
    case "copy":
      await d.model(await d.storedName(parsed.name), "read");
      return;
    case "model-reference":
      for (const name of parsed.names) await unlessMissing(d.storedName(name).then((stored) => d.model(stored, "read")));
      return;
    case "location":
      if (parsed.proxied !== undefined) await d.artifact(parsed.proxied, "read");
      else await d.rootLocation(parsed.uri, "read");
  }
}

/** A caller-store decision as a yes or no, for the early request rules (which ask the same). */
async function mayDo(user: UserRecord, access: Access, decide: (d: Decision) => void | Promise<void>): Promise<boolean> {
  try {
    await decide(new Decision(user, access, access.stores));
    return true;
  } catch (error) {
    if (isMlflowError(error) && error.code === "PERMISSION_DENIED") return false;
    throw error;
  }
}

/**
 * Whether a caller may register a version with this `source` (see the caller stores'
 * `createModelVersion`); the early rule of `model-versions/create` asks the same.
 *
 * @example
 * await mayReadModelSource(user, access, "runs:/0a1b…/model"); // false without READ on the run
 */
export function mayReadModelSource(user: UserRecord, access: Access, source: string): Promise<boolean> {
  return mayDo(user, access, (d) => sourceReadable(d, source));
}

/**
 * Whether a caller may do `need` to a proxied artifact path (see the caller stores' artifacts);
 * the early rules of the artifact proxy ask the same.
 *
 * @example
 * await mayTouchArtifact(user, access, "team-a/private/0a1b…/artifacts/s.txt", "read");
 */
export function mayTouchArtifact(user: UserRecord, access: Access, relative: string, need: Need): Promise<boolean> {
  return mayDo(user, access, (d) => d.artifact(relative, need));
}

function allow(caps: Capabilities, need: Need): void {
  if (!caps[need]) throw denied();
}

/**
 * Runs `next` once `check` passed: at once when it answered synchronously (a cached grant). A
 * refusal is always a rejected promise, as from any store method.
 */
function after<T>(check: () => void | Promise<void>, next: () => Promise<T>): Promise<T> {
  let pending: void | Promise<void>;
  try {
    pending = check();
  } catch (error) {
    return Promise.reject(error);
  }
  return pending === undefined ? next() : pending.then(next);
}

/** Whether a lookup failed because the thing does not exist. */
async function unlessMissing(check: void | Promise<void>): Promise<void> {
  try {
    await check;
  } catch (error) {
    if (isMlflowError(error) && error.code === "RESOURCE_DOES_NOT_EXIST") return;
    throw error;
  }
}

class CallerTracking implements TrackingStore {
  private readonly base: TrackingStore;

  constructor(private readonly d: Decision) {
    this.base = d.base.tracking;
  }

  async createExperiment(input: { name: string; artifactLocation?: string; tags?: readonly KeyValue[] }): Promise<string> {
    const id = await this.base.createExperiment(input);
    await this.d.auth.grantCreator("experiment", id, this.d.user.id);
    return id;
  }
  async getExperiment(id: string) {
    await this.d.experiment(id, "read");
    return this.base.getExperiment(id);
  }
  async getExperimentByName(name: string) {
    const experiment = await this.base.getExperimentByName(name);
    await this.d.experiment(experiment.experiment_id, "read");
    return experiment;
  }
  async deleteExperiment(id: string) {
    await this.d.experiment(id, "delete");
    return this.base.deleteExperiment(id);
  }
  async restoreExperiment(id: string) {
    await this.d.experiment(id, "delete");
    return this.base.restoreExperiment(id);
  }
  async renameExperiment(id: string, newName: string) {
    await this.d.experiment(id, "update");
    return this.base.renameExperiment(id, newName);
  }
  async setExperimentTag(id: string, tag: KeyValue) {
    await this.d.experiment(id, "update");
    return this.base.setExperimentTag(id, tag);
  }
  async deleteExperimentTag(id: string, key: string) {
    await this.d.experiment(id, "update");
    return this.base.deleteExperimentTag(id, key);
  }
  async searchExperiments(input: Parameters<TrackingStore["searchExperiments"]>[0]) {
    const mine = await this.d.readable("experiment");
    return this.base.searchExperiments(mine ? { ...input, readable: intersect(input.readable, mine) } : input);
  }
  async createRun(input: Parameters<TrackingStore["createRun"]>[0]) {
    await this.d.experiment(input.experimentId ?? "0", "update");
    return this.base.createRun(input);
  }
  async getRun(runId: string) {
    const run = await this.base.getRun(runId);
    await this.d.experiment(run.info.experiment_id, "read");
    return run;
  }
  runArtifactUri(runId: string, intent: "read" | "write") {
    return after(() => this.d.run(runId, intent === "write" ? "update" : "read"), () => this.base.runArtifactUri(runId, intent));
  }
  async getRunInfo(runId: string) {
    const info = await this.base.getRunInfo(runId);
    await this.d.experiment(info.experiment_id, "read");
    return info;
  }
  async updateRun(runId: string, input: Parameters<TrackingStore["updateRun"]>[1]) {
    await this.d.run(runId, "update");
    return this.base.updateRun(runId, input);
  }
  async deleteRun(runId: string) {
    await this.d.run(runId, "delete");
    return this.base.deleteRun(runId);
  }
  async restoreRun(runId: string) {
    await this.d.run(runId, "delete");
    return this.base.restoreRun(runId);
  }
  logMetric(runId: string, metric: MetricPoint) {
    if (metric.modelId) return after(() => this.d.run(runId, "update"), () => after(() => this.d.loggedModel(metric.modelId, "update"), () => this.base.logMetric(runId, metric)));
    return after(() => this.d.run(runId, "update"), () => this.base.logMetric(runId, metric));
  }
  logParam(runId: string, param: KeyValue) {
    return after(() => this.d.run(runId, "update"), () => this.base.logParam(runId, param));
  }
  setTag(runId: string, tag: KeyValue) {
    return after(() => this.d.run(runId, "update"), () => this.base.setTag(runId, tag));
  }
  async deleteTag(runId: string, key: string) {
    await this.d.run(runId, "update");
    return this.base.deleteTag(runId, key);
  }
  async logBatch(runId: string, input: Parameters<TrackingStore["logBatch"]>[1]) {
    await this.d.run(runId, "update");
    for (const modelId of new Set((input.metrics ?? []).map((m) => m.modelId))) await this.d.loggedModel(modelId, "update");
    return this.base.logBatch(runId, input);
  }
  async logInputs(runId: string, datasets: Parameters<TrackingStore["logInputs"]>[1], models?: readonly { model_id: string }[]) {
    await this.d.run(runId, "update");
    for (const m of models ?? []) await this.d.loggedModel(m.model_id, "read");
    return this.base.logInputs(runId, datasets, models);
  }
  async logOutputs(runId: string, models: readonly { model_id: string; step?: number }[]) {
    await this.d.run(runId, "update");
    for (const m of models) await this.d.loggedModel(m.model_id, "read");
    return this.base.logOutputs(runId, models);
  }
  async getMetricHistory(runId: string, key: string, maxResults?: number, pageToken?: string) {
    await this.d.run(runId, "read");
    return this.base.getMetricHistory(runId, key, maxResults, pageToken);
  }
  async searchRuns(input: Parameters<TrackingStore["searchRuns"]>[0]) {
    const mine = await this.d.readable("experiment");
    if (!mine) return this.base.searchRuns(input);
    // MLflow 3.6+: the experiments the caller may not read are dropped from the request.
    const experimentIds = input.experimentIds.filter((id) => admits(mine, id));
    return experimentIds.length === 0 ? { runs: [] } : this.base.searchRuns({ ...input, experimentIds });
  }
  async createLoggedModel(input: Parameters<TrackingStore["createLoggedModel"]>[0]) {
    await this.d.experiment(input.experimentId, "update");
    if (input.sourceRunId) await this.d.run(input.sourceRunId, "read");
    return this.base.createLoggedModel(input);
  }
  async getLoggedModel(modelId: string, allowDeleted?: boolean) {
    const model = await this.base.getLoggedModel(modelId, allowDeleted);
    await this.d.experiment(model.info.experiment_id, "read");
    return model;
  }
  async finalizeLoggedModel(modelId: string, status: string | number) {
    await this.d.loggedModel(modelId, "update");
    return this.base.finalizeLoggedModel(modelId, status);
  }
  async deleteLoggedModel(modelId: string) {
    await this.d.loggedModel(modelId, "delete");
    return this.base.deleteLoggedModel(modelId);
  }
  async setLoggedModelTags(modelId: string, tags: readonly KeyValue[]) {
    await this.d.loggedModel(modelId, "update");
    return this.base.setLoggedModelTags(modelId, tags);
  }
  async deleteLoggedModelTag(modelId: string, key: string) {
    await this.d.loggedModel(modelId, "delete");
    return this.base.deleteLoggedModelTag(modelId, key);
  }
  async logLoggedModelParams(modelId: string, params: readonly KeyValue[]) {
    await this.d.loggedModel(modelId, "update");
    return this.base.logLoggedModelParams(modelId, params);
  }
  async searchLoggedModels(input: Parameters<TrackingStore["searchLoggedModels"]>[0]) {
    const mine = await this.d.readable("experiment");
    if (!mine) return this.base.searchLoggedModels(input);
    const experimentIds = input.experimentIds.filter((id) => admits(mine, id));
    return experimentIds.length === 0 ? { models: [] } : this.base.searchLoggedModels({ ...input, experimentIds });
  }
  async getMetricHistoryBulk(runIds: readonly string[], key: string, maxResults: number) {
    for (const id of runIds) await this.d.run(id, "read");
    return this.base.getMetricHistoryBulk(runIds, key, maxResults);
  }
  async getMetricHistoryBulkInterval(runIds: readonly string[], key: string, options: Parameters<TrackingStore["getMetricHistoryBulkInterval"]>[2]) {
    for (const id of runIds) await this.d.run(id, "read");
    return this.base.getMetricHistoryBulkInterval(runIds, key, options);
  }
  async searchDatasets(experimentIds: readonly string[]) {
    for (const id of experimentIds) await this.d.experiment(id, "read");
    return this.base.searchDatasets(experimentIds);
  }
  artifactOwner(relative: string) {
    return this.base.artifactOwner(relative);
  }
  artifactOwnersInside(relative: string) {
    return this.base.artifactOwnersInside(relative);
  }
  rootArtifactOwner(uri: string) {
    return this.base.rootArtifactOwner(uri);
  }
}

class CallerRegistry implements RegistryStore {
  private readonly base: RegistryStore;

  constructor(private readonly d: Decision) {
    this.base = d.base.registry;
  }

  /** The stored name, once the caller may do `need` to it. */
  private async named(name: string, need: Need): Promise<string> {
    const stored = await this.d.storedName(name);
    await this.d.model(stored, need);
    return stored;
  }

  async createRegisteredModel(input: Parameters<RegistryStore["createRegisteredModel"]>[0]) {
    const model = await this.base.createRegisteredModel(input);
    await this.d.auth.grantCreator("registered_model", model.name, this.d.user.id);
    return model;
  }
  async getRegisteredModel(name: string) {
    const model = await this.base.getRegisteredModel(name);
    await this.d.model(model.name, "read");
    return model;
  }
  async renameRegisteredModel(name: string, newName: string) {
    const stored = await this.named(name, "update");
    const model = await this.base.renameRegisteredModel(name, newName);
    await this.d.auth.renameGrants("registered_model", stored, model.name);
    return model;
  }
  async updateRegisteredModel(name: string, description?: string) {
    await this.named(name, "update");
    return this.base.updateRegisteredModel(name, description);
  }
  async deleteRegisteredModel(name: string) {
    const stored = await this.named(name, "delete");
    await this.base.deleteRegisteredModel(name);
    // A later model of the same name must not inherit these grants.
    await this.d.auth.deleteAllGrants("registered_model", stored);
  }
  async searchRegisteredModels(input: RegistrySearch) {
    const mine = await this.d.readable("registered_model");
    return this.base.searchRegisteredModels(mine ? { ...input, readable: intersect(input.readable, mine) } : input);
  }
  async getLatestVersions(name: string, stages?: readonly string[]) {
    await this.named(name, "read");
    return this.base.getLatestVersions(name, stages);
  }
  async setRegisteredModelTag(name: string, tag: KeyValue) {
    await this.named(name, "update");
    return this.base.setRegisteredModelTag(name, tag);
  }
  async deleteRegisteredModelTag(name: string, key: string) {
    await this.named(name, "update");
    return this.base.deleteRegisteredModelTag(name, key);
  }
  async createModelVersion(input: Parameters<RegistryStore["createModelVersion"]>[0]) {
    await this.named(input.name, "update");
    if (input.runId) await this.d.run(input.runId, "read");
    await this.d.loggedModel(input.modelId, "read");
    await sourceReadable(this.d, input.source);
    return this.base.createModelVersion(input);
  }
  async getModelVersion(name: string, version: string) {
    const mv = await this.base.getModelVersion(name, version);
    await this.d.model(mv.name, "read");
    return mv;
  }
  async updateModelVersion(name: string, version: string, description?: string) {
    await this.named(name, "update");
    return this.base.updateModelVersion(name, version, description);
  }
  async transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean) {
    await this.named(name, "update");
    return this.base.transitionModelVersionStage(name, version, stage, archiveExistingVersions);
  }
  async deleteModelVersion(name: string, version: string) {
    await this.named(name, "delete");
    return this.base.deleteModelVersion(name, version);
  }
  async searchModelVersions(input: RegistrySearch) {
    const mine = await this.d.readable("registered_model");
    return this.base.searchModelVersions(mine ? { ...input, readable: intersect(input.readable, mine) } : input);
  }
  async getModelVersionDownloadUri(name: string, version: string) {
    await this.named(name, "read");
    return this.base.getModelVersionDownloadUri(name, version);
  }
  async setModelVersionTag(name: string, version: string, tag: KeyValue) {
    await this.named(name, "update");
    return this.base.setModelVersionTag(name, version, tag);
  }
  async deleteModelVersionTag(name: string, version: string, key: string) {
    await this.named(name, "delete");
    return this.base.deleteModelVersionTag(name, version, key);
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string) {
    await this.named(name, "update");
    return this.base.setRegisteredModelAlias(name, alias, version);
  }
  async deleteRegisteredModelAlias(name: string, alias: string) {
    await this.named(name, "delete");
    return this.base.deleteRegisteredModelAlias(name, alias);
  }
  async getModelVersionByAlias(name: string, alias: string) {
    await this.named(name, "read");
    return this.base.getModelVersionByAlias(name, alias);
  }
}

class CallerArtifacts implements ArtifactStore {
  private readonly base: ArtifactStore;
  readonly multipart?: NonNullable<ArtifactStore["multipart"]>;

  constructor(private readonly d: Decision) {
    this.base = d.base.artifacts;
    const multipart = this.base.multipart;
    // Every step of a multipart upload writes the file: EDIT on the experiment owning its path.
    if (multipart) {
      this.multipart = {
        create: async (relative, numParts) => {
          await this.d.artifact(relative, "update");
          return multipart.create(relative, numParts);
        },
        complete: async (relative, uploadId, parts) => {
          await this.d.artifact(relative, "update");
          return multipart.complete(relative, uploadId, parts);
        },
        abort: async (relative, uploadId) => {
          await this.d.artifact(relative, "update");
          return multipart.abort(relative, uploadId);
        },
      };
    }
  }

  async write(relative: string, body: Parameters<ArtifactStore["write"]>[1], options?: Parameters<ArtifactStore["write"]>[2]) {
    await this.d.artifact(relative, "update");
    return this.base.write(relative, body, options);
  }
  async read(relative: string, options?: Parameters<ArtifactStore["read"]>[1]) {
    await this.d.artifact(relative, "read");
    return this.base.read(relative, options);
  }
  async list(relative: string) {
    await this.d.artifact(relative, "read");
    return this.base.list(relative);
  }
  async delete(relative: string) {
    await this.d.artifact(relative, "manage");
    // Deleting a directory deletes the locations of other experiments inside it (data made
    // before such locations were refused): the caller must be allowed that on each of them.
    for (const owner of await this.d.base.tracking.artifactOwnersInside(relative)) await this.d.experiment(owner, "manage");
    return this.base.delete(relative);
  }
  get presignRead(): ArtifactStore["presignRead"] {
    const presign = this.base.presignRead;
    if (!presign) return undefined;
    return async (relative: string, expiresInSeconds?: number) => {
      await this.d.artifact(relative, "read");
      return presign.call(this.base, relative, expiresInSeconds);
    };
  }
}

/**
 * Traces belong to their experiment: READ to read them, EDIT (update) to write, tag, assess or
 * delete them. Calls naming a trace decide on the experiment of the stored trace row; new traces
 * and spans on the experiment they name (the store refuses to move a trace to another one).
 */
class CallerTraces implements TraceStore {
  private readonly base: TraceStore;

  constructor(private readonly d: Decision) {
    this.base = d.base.traces;
  }

  get spansInDatabase() {
    return this.base.spansInDatabase;
  }
  private async on(traceId: string, need: Need): Promise<void> {
    if (this.d.user.isAdmin) return;
    await this.d.experiment(await this.base.traceExperiment(traceId), need);
  }
  async traceExperiment(traceId: string) {
    await this.on(traceId, "read");
    return this.base.traceExperiment(traceId);
  }
  async startTraceV2(input: Parameters<TraceStore["startTraceV2"]>[0]) {
    await this.d.experiment(input.experimentId, "update");
    return this.base.startTraceV2(input);
  }
  async endTraceV2(traceId: string, input: Parameters<TraceStore["endTraceV2"]>[1]) {
    await this.on(traceId, "update");
    return this.base.endTraceV2(traceId, input);
  }
  async startTrace(input: TraceStartInput) {
    await this.d.experiment(input.experimentId, "update");
    return this.base.startTrace(input);
  }
  async getTraceInfo(traceId: string) {
    const info = await this.base.getTraceInfo(traceId);
    await this.d.experiment(info.experiment_id, "read");
    return info;
  }
  async getTraces(traceIds: readonly string[]) {
    const traces = await this.base.getTraces(traceIds);
    for (const experiment of new Set(traces.map((t) => t.info.experiment_id))) await this.d.experiment(experiment, "read");
    return traces;
  }
  async logSpans(experimentId: string, spans: readonly SpanInput[]) {
    await this.d.experiment(experimentId, "update");
    return this.base.logSpans(experimentId, spans);
  }
  async searchTraces(input: Parameters<TraceStore["searchTraces"]>[0]) {
    const mine = await this.d.readable("experiment");
    return this.base.searchTraces(mine ? { ...input, readable: intersect(input.readable, mine) } : input);
  }
  async traceFilterCorrelation(input: Parameters<TraceStore["traceFilterCorrelation"]>[0]) {
    const mine = await this.d.readable("experiment");
    return this.base.traceFilterCorrelation(mine ? { ...input, readable: intersect(input.readable, mine) } : input);
  }
  async setTraceTag(traceId: string, key: string, value: string) {
    await this.on(traceId, "update");
    return this.base.setTraceTag(traceId, key, value);
  }
  async deleteTraceTag(traceId: string, key: string) {
    await this.on(traceId, "update");
    return this.base.deleteTraceTag(traceId, key);
  }
  async deleteTraces(input: Parameters<TraceStore["deleteTraces"]>[0]) {
    // The store deletes only traces of this experiment; naming another's trace is still refused.
    await this.d.experiment(input.experimentId, "update");
    for (const id of input.traceIds ?? []) await unlessMissing(this.on(id, "update"));
    return this.base.deleteTraces(input);
  }
  async linkTracesToRun(traceIds: readonly string[], runId: string) {
    await this.d.run(runId, "update");
    // A link shows the trace among the run's: the caller must be able to read each linked trace.
    for (const id of traceIds) await unlessMissing(this.on(id, "read"));
    return this.base.linkTracesToRun(traceIds, runId);
  }
  async createAssessment(input: AssessmentInput) {
    await this.on(input.traceId, "update");
    return this.base.createAssessment(input);
  }
  async getAssessment(traceId: string, assessmentId: string) {
    await this.on(traceId, "read");
    return this.base.getAssessment(traceId, assessmentId);
  }
  async updateAssessment(traceId: string, assessmentId: string, update: AssessmentUpdate) {
    await this.on(traceId, "update");
    return this.base.updateAssessment(traceId, assessmentId, update);
  }
  async deleteAssessment(traceId: string, assessmentId: string) {
    await this.on(traceId, "update");
    return this.base.deleteAssessment(traceId, assessmentId);
  }
}

/**
 * Evaluation datasets belong to the experiments they are associated with: READ on any of them to
 * read the dataset, EDIT on any of them to write it (tags, records), MANAGE on every one of them to
 * delete it. Creating needs EDIT on each experiment named; add/remove-experiments need EDIT on the
 * dataset and on each experiment named. A dataset associated with no experiment belongs to nobody:
 * only admins may touch it (and only admins may create one without an experiment). Searches return
 * only datasets associated with an experiment the caller may read. An unknown dataset is left to
 * the store (404, or MLflow's no-op deletes).
 */
class CallerDatasets implements DatasetStore {
  private readonly base: DatasetStore;

  constructor(private readonly d: Decision) {
    this.base = d.base.datasets;
  }

  private async any(experiments: readonly string[], need: Need): Promise<void> {
    for (const id of experiments) {
      try {
        await this.d.experiment(id, need);
        return;
      } catch (error) {
        if (!(isMlflowError(error) && (error.code === "PERMISSION_DENIED" || error.code === "RESOURCE_DOES_NOT_EXIST"))) throw error;
      }
    }
    throw denied();
  }
  private async on(datasetId: string, need: Need, every = false): Promise<void> {
    if (this.d.user.isAdmin) return;
    const experiments = await this.base.datasetExperiments(datasetId);
    if (experiments === undefined) return;
    if (experiments.length === 0) throw denied();
    if (every) for (const id of experiments) await this.d.experiment(id, need);
    else await this.any(experiments, need);
  }
  async datasetExperiments(datasetId: string) {
    await this.on(datasetId, "read");
    return this.base.datasetExperiments(datasetId);
  }
  async createDataset(input: Parameters<DatasetStore["createDataset"]>[0]) {
    if (!this.d.user.isAdmin && (input.experimentIds ?? []).length === 0) throw denied();
    for (const id of new Set(input.experimentIds ?? [])) await this.d.experiment(id, "update");
    return this.base.createDataset(input);
  }
  async getDataset(datasetId: string) {
    await this.on(datasetId, "read");
    return this.base.getDataset(datasetId);
  }
  async deleteDataset(datasetId: string) {
    await this.on(datasetId, "delete", true);
    return this.base.deleteDataset(datasetId);
  }
  async searchDatasets(input: Parameters<DatasetStore["searchDatasets"]>[0]) {
    const mine = await this.d.readable("experiment");
    return this.base.searchDatasets(mine ? { ...input, readable: intersect(input.readable, mine) } : input);
  }
  async setDatasetTags(datasetId: string, tags: string) {
    await this.on(datasetId, "update");
    return this.base.setDatasetTags(datasetId, tags);
  }
  async deleteDatasetTag(datasetId: string, key: string) {
    await this.on(datasetId, "update");
    return this.base.deleteDatasetTag(datasetId, key);
  }
  async upsertDatasetRecords(datasetId: string, records: string) {
    await this.on(datasetId, "update");
    return this.base.upsertDatasetRecords(datasetId, records);
  }
  async getDatasetRecords(datasetId: string, input: Parameters<DatasetStore["getDatasetRecords"]>[1]) {
    await this.on(datasetId, "read");
    return this.base.getDatasetRecords(datasetId, input);
  }
  async getDatasetExperimentIds(datasetId: string) {
    await this.on(datasetId, "read");
    return this.base.getDatasetExperimentIds(datasetId);
  }
  async addDatasetToExperiments(datasetId: string, experimentIds: readonly string[]) {
    await this.on(datasetId, "update");
    for (const id of new Set(experimentIds)) await this.d.experiment(id, "update");
    return this.base.addDatasetToExperiments(datasetId, experimentIds);
  }
  async removeDatasetFromExperiments(datasetId: string, experimentIds: readonly string[]) {
    await this.on(datasetId, "update");
    for (const id of new Set(experimentIds)) await this.d.experiment(id, "update");
    return this.base.removeDatasetFromExperiments(datasetId, experimentIds);
  }
}

/** Scorers belong to their experiment: READ to list and get them, EDIT to register and delete. */
class CallerScorers implements ScorerStore {
  private readonly base: ScorerStore;

  constructor(private readonly d: Decision) {
    this.base = d.base.scorers;
  }

  async registerScorer(experimentId: string, name: string, serializedScorer: string) {
    await this.d.experiment(experimentId, "update");
    return this.base.registerScorer(experimentId, name, serializedScorer);
  }
  async listScorers(experimentId: string) {
    await this.d.experiment(experimentId, "read");
    return this.base.listScorers(experimentId);
  }
  async listScorerVersions(experimentId: string, name: string) {
    await this.d.experiment(experimentId, "read");
    return this.base.listScorerVersions(experimentId, name);
  }
  async getScorer(experimentId: string, name: string, version?: number) {
    await this.d.experiment(experimentId, "read");
    return this.base.getScorer(experimentId, name, version);
  }
  async deleteScorer(experimentId: string, name: string, version?: number) {
    await this.d.experiment(experimentId, "update");
    return this.base.deleteScorer(experimentId, name, version);
  }
}

/**
 * The stores one caller's requests reach data through (`app.scopeStores`): each call is decided on
 * the entity it resolves, with the caller's own grants, their groups' and the default counted in
 * one place ({@link Access}); searches carry the caller's readable set into the query.
 *
 * @example
 * app.scopeStores((req, stores) => callerStores(stores, callerOf(req), access));
 */
export function callerStores(base: AppStores, user: UserRecord, access: Access): AppStores {
  const d = new Decision(user, access, base);
  return { tracking: new CallerTracking(d), registry: new CallerRegistry(d), artifacts: new CallerArtifacts(d), traces: new CallerTraces(d), datasets: new CallerDatasets(d), scorers: new CallerScorers(d) };
}

/**
 * Stores for a request whose caller is not known (an open route): every call is refused, so an
 * open route can never reach data by mistake.
 *
 * @example
 * app.scopeStores((req, stores) => (callerOf(req) ? callerStores(stores, callerOf(req)!, access) : NO_CALLER_STORES));
 */
export const NO_CALLER_STORES: AppStores = (() => {
  const refuse = new Proxy({}, { get: (_target, key) => (key === "then" ? undefined : () => Promise.reject(denied())) });
  return { tracking: refuse as TrackingStore, registry: refuse as RegistryStore, artifacts: refuse as ArtifactStore, traces: refuse as TraceStore, datasets: refuse as DatasetStore, scorers: refuse as ScorerStore };
})();
