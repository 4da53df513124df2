import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalPath } from "@mlflow-ts/basic-auth";
import { DIALECTS } from "../../../test/support/backends.js";
import { INTRUDER_PASSWORD, SECRET, createWorld, type Answer, type Send, type World } from "./owner-and-intruder.js";
import { extraAppRoutes } from "../../../test/support/extra-apps.js";

// The route-by-route proof of issue 9. Every route the server has (base routes, their /ajax-api
// twins, basic-auth's own) needs a case below, or the first test fails. For each ID a route
// carries, the intruder sends the request naming the owner's resource, then the same with the ID
// moved to the query string, to the body, in both with different values (each way round), padded,
// and as `run_uuid`. Where the server's reading rule (GET: query; others: body; path parameters
// win) makes it act on the owner's resource, the answer must be the canonical one (403, or a
// filtered 200 for searches); every other answer must be a 2xx on the intruder's own resources or
// a 400/403/404, never a 5xx, and never the owner's data. At the end the owner's resources must be
// exactly as they were.

/** An ID a route carries: the owner's value, and the intruder's own of the same kind. */
interface Id {
  readonly owner: unknown;
  readonly own: unknown;
  /** A numeric ID (experiment, version): padded spellings must be refused with 400. */
  readonly numeric?: boolean;
}

interface Case {
  /** Why the route names nothing of the owner's (creations, filtered searches, open routes). */
  readonly noIds?: string;
  /** The IDs, by parameter name (a path parameter if the route's pattern has it). */
  readonly ids?: (w: World) => Record<string, Id>;
  /** Other parameters the request needs. */
  readonly extra?: (w: World) => Record<string, unknown>;
  /** What the canonical request gets: 403 (default) or a 200 that must hold none of the owner's data. */
  readonly canonical?: 403 | "filtered";
  /** Answers besides 200/400/403/404 that a request on the intruder's own resources may get. */
  readonly alsoAllowed?: readonly number[];
  /** The endpoint reads its parameters from the URL whatever the method (its body is a file). */
  readonly urlParams?: boolean;
  /**
   * A field the `/api/3.0` twin of a route does not read (StartTraceV3 names its experiment inside
   * `trace`, always the owner's here): there every spelling must answer as the canonical request.
   */
  readonly ignoredByV3?: string;
}

const exp = (w: World): Id => ({ owner: w.owner.experimentId, own: w.intruder.experimentId, numeric: true });
const run = (w: World): Id => ({ owner: w.owner.runId, own: w.intruder.runId });
const model = (w: World): Id => ({ owner: w.owner.model, own: w.intruder.model });
const logged = (w: World): Id => ({ owner: w.owner.loggedModelId, own: w.intruder.loggedModelId });
const artifactPath = (w: World): Id => ({ owner: w.owner.artifact, own: w.intruder.artifact });
const artifactDir = (w: World): Id => ({ owner: w.owner.experimentId, own: w.intruder.experimentId, numeric: true });
const user = (): Id => ({ owner: "owner", own: "intruder" });
const traceId = (w: World): Id => ({ owner: w.owner.traceId, own: w.intruder.traceId });
const traceIds = (w: World): Id => ({ owner: [w.owner.traceId], own: [w.intruder.traceId] });
const onTrace: Case = { ids: (w) => ({ trace_id: traceId(w) }) };
const dataset = (w: World): Id => ({ owner: w.owner.datasetId, own: w.intruder.datasetId });
const onDataset: Case = { ids: (w) => ({ dataset_id: dataset(w) }) };
const onRequest: Case = { ids: (w) => ({ request_id: traceId(w) }) };
// An assessment is looked up within the trace in the path: the owner's assessment ID under the
// intruder's own trace names nothing (404). The trace decides.
const onAssessment: Case = { ids: (w) => ({ trace_id: traceId(w) }), extra: (w) => ({ assessment_id: w.owner.assessmentId }) };
const assessmentBody = () => ({ assessment: { assessment_name: "intruder-says", source: { source_type: "HUMAN" }, feedback: { value: "bad" } } });
const v1 = () => ({ version: "1" });
const kv = () => ({ key: "k", value: "v" });

const onExperiment: Case = { ids: (w) => ({ experiment_id: exp(w) }) };
const onRun: Case = { ids: (w) => ({ run_id: run(w) }) };
const onRunKv: Case = { ids: (w) => ({ run_id: run(w) }), extra: kv };
const onModel: Case = { ids: (w) => ({ name: model(w) }) };
const onVersion: Case = { ids: (w) => ({ name: model(w) }), extra: v1 };
const onLogged: Case = { ids: (w) => ({ model_id: logged(w) }) };
const onArtifact: Case = { ids: (w) => ({ path: artifactPath(w) }) };
// Multipart uploads and presigned URLs are not offered by a local artifact store: 501, as MLflow.
const onUnsupportedArtifact: Case = { ...onArtifact, alsoAllowed: [501] };
// MLflow's multipart URLs name the directory (`*dir`); the body's `path` is the client's local file.
const onMultipart: Case = { ids: (w) => ({ dir: artifactPath(w) }), extra: () => ({ path: "/tmp/big.bin", num_parts: 1, upload_id: "u", parts: [{ part_number: 1, etag: '"e"' }] }), alsoAllowed: [501] };
const adminOnly: Case = { ids: () => ({ username: user() }), extra: () => ({ password: INTRUDER_PASSWORD, is_admin: true }) };

/** Every route, by method and path relative to `/api/<v>.0` (or `/ajax-api/<v>.0`, or the prefix). */
const CASES: Record<string, Case> = {
  "POST /mlflow/experiments/create": { noIds: "creates a new experiment; the caller owns it" },
  "GET /mlflow/experiments/get": onExperiment,
  "GET /mlflow/experiments/get-by-name": { ids: () => ({ experiment_name: { owner: `${SECRET}experiment`, own: "intruder-experiment" } }) },
  "POST /mlflow/experiments/delete": onExperiment,
  "POST /mlflow/experiments/restore": onExperiment,
  "POST /mlflow/experiments/update": { ...onExperiment, extra: () => ({ new_name: "renamed-by-intruder" }) },
  "POST /mlflow/experiments/search": { noIds: "the caller's stores filter results in the query" },
  "GET /mlflow/experiments/search": { noIds: "the caller's stores filter results in the query" },
  "POST /mlflow/experiments/set-experiment-tag": { ...onExperiment, extra: kv },
  "POST /mlflow/experiments/delete-experiment-tag": { ...onExperiment, extra: () => ({ key: "k" }) },
  "POST /mlflow/runs/create": onExperiment,
  "POST /mlflow/runs/update": { ...onRun, extra: () => ({ status: "KILLED" }) },
  "POST /mlflow/runs/delete": onRun,
  "POST /mlflow/runs/restore": onRun,
  "GET /mlflow/runs/get": onRun,
  "POST /mlflow/runs/log-metric": {
    ids: (w) => ({ run_id: run(w), model_id: logged(w) }),
    extra: () => ({ key: "m", value: 1, timestamp: 1 }),
  },
  "POST /mlflow/runs/log-parameter": { ...onRun, extra: () => ({ key: "p2", value: "v" }) },
  "POST /mlflow/runs/set-tag": onRunKv,
  "POST /mlflow/runs/delete-tag": { ...onRun, extra: () => ({ key: "t" }) },
  "POST /mlflow/runs/log-batch": {
    ids: (w) => ({
      run_id: run(w),
      metrics: { owner: [{ key: "m", value: 1, timestamp: 1, model_id: w.owner.loggedModelId }], own: [{ key: "m", value: 1, timestamp: 1, model_id: w.intruder.loggedModelId }] },
    }),
  },
  "POST /mlflow/runs/log-inputs": {
    ids: (w) => ({ run_id: run(w), models: { owner: [{ model_id: w.owner.loggedModelId }], own: [{ model_id: w.intruder.loggedModelId }] } }),
  },
  "POST /mlflow/runs/outputs": {
    ids: (w) => ({ run_id: run(w), models: { owner: [{ model_id: w.owner.loggedModelId, step: 0 }], own: [{ model_id: w.intruder.loggedModelId, step: 0 }] } }),
  },
  "POST /mlflow/runs/log-model": {
    ...onRun,
    extra: () => ({ model_json: JSON.stringify({ artifact_path: "m", flavors: {}, utc_time_created: "x", run_id: "x" }) }),
  },
  "GET /mlflow/metrics/get-history": { ...onRun, extra: () => ({ metric_key: `${SECRET}metric` }) },
  "GET /mlflow/artifacts/list": onRun,
  "POST /mlflow/runs/search": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }), canonical: "filtered" },
  "POST /mlflow/registered-models/create": { noIds: "creates a new model; an existing name is RESOURCE_ALREADY_EXISTS" },
  "GET /mlflow/registered-models/get": onModel,
  "POST /mlflow/registered-models/rename": { ...onModel, extra: () => ({ new_name: "renamed-by-intruder" }) },
  "PATCH /mlflow/registered-models/update": { ...onModel, extra: () => ({ description: "by intruder" }) },
  "DELETE /mlflow/registered-models/delete": onModel,
  "GET /mlflow/registered-models/search": { noIds: "the caller's stores filter results in the query" },
  "POST /mlflow/registered-models/get-latest-versions": onModel,
  "GET /mlflow/registered-models/get-latest-versions": onModel,
  "POST /mlflow/registered-models/set-tag": { ...onModel, extra: kv },
  "DELETE /mlflow/registered-models/delete-tag": { ...onModel, extra: () => ({ key: "k" }) },
  "POST /mlflow/registered-models/alias": { ...onVersion, extra: () => ({ version: "1", alias: "a" }) },
  "DELETE /mlflow/registered-models/alias": { ...onModel, extra: () => ({ alias: "a" }) },
  "GET /mlflow/registered-models/alias": { ...onModel, extra: () => ({ alias: "a" }) },
  "POST /mlflow/model-versions/create": {
    ids: (w) => ({
      name: model(w),
      run_id: run(w),
      model_id: logged(w),
      source: { owner: `runs:/${w.owner.runId}/model`, own: `runs:/${w.intruder.runId}/model` },
    }),
  },
  "GET /mlflow/model-versions/get": onVersion,
  "PATCH /mlflow/model-versions/update": { ...onModel, extra: () => ({ version: "1", description: "by intruder" }) },
  "POST /mlflow/model-versions/transition-stage": { ...onModel, extra: () => ({ version: "1", stage: "Archived" }) },
  "DELETE /mlflow/model-versions/delete": onVersion,
  "GET /mlflow/model-versions/search": { noIds: "the caller's stores filter results in the query" },
  "GET /mlflow/model-versions/get-download-uri": onVersion,
  "POST /mlflow/model-versions/set-tag": { ...onModel, extra: () => ({ version: "1", ...kv() }) },
  "DELETE /mlflow/model-versions/delete-tag": { ...onModel, extra: () => ({ version: "1", key: "k" }) },
  "POST /mlflow/logged-models": { ids: (w) => ({ experiment_id: exp(w), source_run_id: run(w) }), extra: () => ({ name: "by-intruder" }) },
  "POST /mlflow/logged-models/search": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }), canonical: "filtered" },
  "GET /mlflow/logged-models/:model_id": onLogged,
  "PATCH /mlflow/logged-models/:model_id": { ...onLogged, extra: () => ({ status: "LOGGED_MODEL_UPLOAD_FAILED" }) },
  "DELETE /mlflow/logged-models/:model_id": onLogged,
  "PATCH /mlflow/logged-models/:model_id/tags": { ...onLogged, extra: () => ({ tags: [kv()] }) },
  "DELETE /mlflow/logged-models/:model_id/tags/:tag_key": { ...onLogged, extra: () => ({ tag_key: "k" }) },
  "POST /mlflow/logged-models/:model_id/params": { ...onLogged, extra: () => ({ params: [kv()] }) },
  "GET /mlflow/logged-models/:model_id/artifacts/directories": onLogged,
  "GET /mlflow/logged-models/:model_id/artifacts/files": { ...onLogged, extra: () => ({ artifact_file_path: "secret.txt" }) },
  "GET /mlflow-artifacts/artifacts/*path": onArtifact,
  "PUT /mlflow-artifacts/artifacts/*path": onArtifact,
  "DELETE /mlflow-artifacts/artifacts/*path": onArtifact,
  "GET /mlflow-artifacts/artifacts": { ids: (w) => ({ path: artifactDir(w) }) },
  "POST /mlflow-artifacts/mpu/create/*dir": onMultipart,
  "POST /mlflow-artifacts/mpu/complete/*dir": onMultipart,
  "POST /mlflow-artifacts/mpu/abort/*dir": onMultipart,
  "GET /mlflow-artifacts/presigned/*path": onUnsupportedArtifact,
  "GET /mlflow/server-info": { noIds: "server capabilities" },
  // Traces: v2 (request_id) and v3 (trace_id) twins, searches filtered, OTLP by header.
  "POST /mlflow/traces": {
    ids: (w) => ({ experiment_id: exp(w) }),
    // StartTraceV3 (the /api/3.0 twin) names the experiment inside `trace`: always the owner's here.
    extra: (w) => ({ timestamp_ms: 1, trace: { trace_info: { trace_id: `tr-${"e".repeat(32)}`, trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: w.owner.experimentId } } } } }),
    ignoredByV3: "experiment_id",
  },
  "GET /mlflow/traces": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }), canonical: "filtered" },
  "POST /mlflow/traces/search": {
    ids: (w) => ({
      locations: { owner: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: w.owner.experimentId } }], own: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: w.intruder.experimentId } }] },
    }),
    canonical: "filtered",
  },
  "POST /mlflow/traces/calculate-filter-correlation": {
    ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }),
    extra: () => ({ filter_string1: "trace.status = 'OK'", filter_string2: "tags.t LIKE '%'" }),
    canonical: "filtered",
  },
  "PATCH /mlflow/traces/:request_id": { ...onRequest, extra: () => ({ timestamp_ms: 1730000005000, status: "ERROR" }) },
  "GET /mlflow/traces/:request_id/info": onRequest,
  // The intruder's "own" IDs name no trace: a delete would otherwise remove the scene's own trace.
  "POST /mlflow/traces/delete-traces": { ids: (w) => ({ experiment_id: exp(w), request_ids: { owner: [w.owner.traceId], own: [`tr-${"0".repeat(32)}`] } }) },
  "POST /mlflow/traces/link-to-run": { ids: (w) => ({ run_id: run(w), trace_ids: traceIds(w) }) },
  "PATCH /mlflow/traces/:request_id/tags": { ...onRequest, extra: kv },
  "DELETE /mlflow/traces/:request_id/tags": { ...onRequest, extra: () => ({ key: "t" }) },
  "PATCH /mlflow/traces/:trace_id/tags": { ...onTrace, extra: kv },
  "DELETE /mlflow/traces/:trace_id/tags": { ...onTrace, extra: () => ({ key: "t" }) },
  "GET /mlflow/traces/get": { ...onTrace, extra: () => ({ allow_partial: "true" }) },
  "GET /mlflow/traces/batchGet": { ids: (w) => ({ trace_ids: traceIds(w) }) },
  "GET /mlflow/traces/:trace_id": onTrace,
  "POST /mlflow/traces/:trace_id/assessments": { ...onTrace, extra: assessmentBody },
  "GET /mlflow/traces/:trace_id/assessments/:assessment_id": onAssessment,
  "PATCH /mlflow/traces/:trace_id/assessments/:assessment_id": { ...onAssessment, extra: () => ({ ...assessmentBody(), update_mask: "feedback" }) },
  "DELETE /mlflow/traces/:trace_id/assessments/:assessment_id": onAssessment,
  "GET /mlflow/get-trace-artifact": onRequest,
  // Evaluation datasets belong to their experiments; scorers to their experiment.
  "POST /mlflow/datasets/create": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }), extra: () => ({ name: "by-intruder" }) },
  "POST /mlflow/datasets/search": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }), canonical: "filtered" },
  "GET /mlflow/datasets/search": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }), canonical: "filtered" },
  "GET /mlflow/datasets/:dataset_id": onDataset,
  "DELETE /mlflow/datasets/:dataset_id": onDataset,
  "PATCH /mlflow/datasets/:dataset_id/tags": { ...onDataset, extra: () => ({ tags: JSON.stringify({ t: "by intruder" }) }) },
  "DELETE /mlflow/datasets/:dataset_id/tags/:key": { ...onDataset, extra: () => ({ key: "t" }) },
  "POST /mlflow/datasets/:dataset_id/records": { ...onDataset, extra: () => ({ records: JSON.stringify([{ inputs: { q: "planted" } }]) }) },
  "GET /mlflow/datasets/:dataset_id/records": onDataset,
  "GET /mlflow/datasets/:dataset_id/experiment-ids": onDataset,
  "POST /mlflow/datasets/:dataset_id/add-experiments": { ids: (w) => ({ dataset_id: dataset(w), experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }) },
  "POST /mlflow/datasets/:dataset_id/remove-experiments": { ids: (w) => ({ dataset_id: dataset(w), experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }) },
  "POST /mlflow/scorers/register": { ids: (w) => ({ experiment_id: exp(w) }), extra: () => ({ name: "by-intruder", serialized_scorer: "{}" }) },
  "GET /mlflow/scorers/list": { ids: (w) => ({ experiment_id: exp(w) }) },
  "GET /mlflow/scorers/versions": { ids: (w) => ({ experiment_id: exp(w) }), extra: (w) => ({ name: w.owner.scorer }) },
  "GET /mlflow/scorers/get": { ids: (w) => ({ experiment_id: exp(w) }), extra: (w) => ({ name: w.owner.scorer }) },
  "DELETE /mlflow/scorers/delete": { ids: (w) => ({ experiment_id: exp(w) }), extra: (w) => ({ name: w.owner.scorer, version: 1 }) },
  "POST /v1/traces": { noIds: "the experiment is a header (x-mlflow-experiment-id): trace-auth.test.ts tries it" },
  "GET /mlflow/metrics/get-history-bulk": { ids: (w) => ({ run_id: { owner: [w.owner.runId], own: [w.intruder.runId] } }), extra: () => ({ metric_key: `${SECRET}metric` }) },
  "GET /mlflow/metrics/get-history-bulk-interval": { ids: (w) => ({ run_ids: { owner: [w.owner.runId], own: [w.intruder.runId] } }), extra: () => ({ metric_key: `${SECRET}metric` }) },
  "POST /mlflow/experiments/search-datasets": { ids: (w) => ({ experiment_ids: { owner: [w.owner.experimentId], own: [w.intruder.experimentId] } }) },
  "POST /mlflow/upload-artifact": { ids: (w) => ({ run_uuid: run(w) }), extra: () => ({ path: "planted.txt" }), urlParams: true },
  "POST /mlflow/runs/create-promptlab-run": {
    ...onExperiment,
    extra: () => ({ prompt_template: "{{ q }}", prompt_parameters: [{ key: "q", value: "planted" }], model_route: "r", model_input: "planted", mlflow_version: "2.17.2" }),
  },
  "POST /graphql": { noIds: "IDs are inside the GraphQL document: graphql-auth.test.ts tries them" },
  "GET /graphql": { noIds: "IDs are inside the GraphQL document: graphql-auth.test.ts tries them" },
  "GET /get-artifact": { ...onRun, extra: () => ({ path: "file.txt" }) },
  "GET /model-versions/get-artifact": { ...onModel, extra: () => ({ version: "1", path: "MLmodel" }) },
  "GET /health": { noIds: "open to everyone, as in MLflow" },
  "GET /version": { noIds: "the server's version" },
  "GET /signup": { noIds: "admin only, no parameters", canonical: 403 },
  "GET /": { noIds: "the web UI's page (its data comes through the API)" },
  "GET /static-files/*file": { noIds: "the web UI's built assets" },
  "GET /mlflow-ts/ui/extensions": { noIds: "the pages apps contribute, and the caller themself" },
  "GET /basic-auth/ui/pages.js": { noIds: "basic-auth's UI module (its data comes through the API)" },
  "POST /mlflow/users/create": { noIds: "admin only", canonical: 403 },
  "POST /mlflow/users/create-ui": { noIds: "admin only (a form post)", canonical: 403 },
  "GET /mlflow/users/get": { ids: () => ({ username: user() }) },
  "GET /mlflow/users/list": { noIds: "admin only", canonical: 403 },
  "GET /mlflow/users/current": { noIds: "the caller themself" },
  "PATCH /mlflow/users/update-password": { ids: () => ({ username: user() }), extra: () => ({ password: INTRUDER_PASSWORD }) },
  "PATCH /mlflow/users/update-admin": adminOnly,
  "DELETE /mlflow/users/delete": adminOnly,
  "POST /mlflow/experiments/permissions/create": { ...onExperiment, extra: () => ({ username: "intruder", permission: "MANAGE" }) },
  "GET /mlflow/experiments/permissions/get": { ...onExperiment, extra: () => ({ username: "intruder" }) },
  "PATCH /mlflow/experiments/permissions/update": { ...onExperiment, extra: () => ({ username: "intruder", permission: "MANAGE" }) },
  "DELETE /mlflow/experiments/permissions/delete": { ...onExperiment, extra: () => ({ username: "intruder" }) },
  "POST /mlflow/registered-models/permissions/create": { ...onModel, extra: () => ({ username: "intruder", permission: "MANAGE" }) },
  "GET /mlflow/registered-models/permissions/get": { ...onModel, extra: () => ({ username: "intruder" }) },
  "PATCH /mlflow/registered-models/permissions/update": { ...onModel, extra: () => ({ username: "intruder", permission: "MANAGE" }) },
  "DELETE /mlflow/registered-models/permissions/delete": { ...onModel, extra: () => ({ username: "intruder" }) },
};

/** One spelling of a request, and whether the server's reading rule makes it act on the owner's resource. */
interface Variant {
  readonly name: string;
  readonly path: string;
  readonly send: Send;
  readonly ownerEffective: boolean;
  readonly expect?: readonly number[];
}

function toQuery(params: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) out[k] = Array.isArray(v) ? v.map(String) : typeof v === "object" ? JSON.stringify(v) : String(v);
  return out;
}

function padded(value: unknown): unknown {
  return Array.isArray(value) ? value.map((v) => `0${String(v)}`) : `0${String(value)}`;
}

/** Fills the path parameters of a pattern (`:name`, `*name`) from params; returns the URL path and the rest. */
function fillPath(pattern: string, params: Record<string, unknown>): { path: string; rest: Record<string, unknown> } {
  const rest = { ...params };
  const path = pattern.replace(/([:*])(\w+)/g, (_m, kind: string, name: string) => {
    const value = String(rest[name]);
    delete rest[name];
    return kind === "*" ? value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(value);
  });
  return { path, rest };
}

/** The spellings of a request for one ID (see the file's comment). */
function variants(method: string, pattern: string, name: string, id: Id, others: Record<string, unknown>, urlParams = false): Variant[] {
  // Where the server reads parameters: the query string for GETs and for endpoints whose body is a file.
  const isGet = method === "GET" || urlParams;
  const inPath = new RegExp(`[:*]${name}\\b`).test(pattern);
  const place = (params: Record<string, unknown>): Send => (isGet ? { query: toQuery(params) } : { body: params });
  const at = (value: unknown) => fillPath(pattern, { ...others, [name]: value });
  const out: Variant[] = [];
  const canonical = at(id.owner);
  out.push({ name: "canonical", path: canonical.path, send: place(canonical.rest), ownerEffective: true });
  if (inPath) {
    // The path names one resource, the query or body another: the path is what the handler acts on.
    const own = at(id.own);
    out.push({ name: "path owner, parameter own", path: canonical.path, send: isGet ? { query: toQuery({ ...canonical.rest, [name]: id.own }) } : { body: { ...canonical.rest, [name]: id.own }, query: toQuery({ [name]: String(id.own) }) }, ownerEffective: true });
    out.push({ name: "path own, parameter owner", path: own.path, send: isGet ? { query: toQuery({ ...own.rest, [name]: id.owner }) } : { body: { ...own.rest, [name]: id.owner }, query: toQuery({ [name]: String(id.owner) }) }, ownerEffective: false });
    if (id.numeric) out.push({ name: "padded", path: at(padded(id.owner)).path, send: place(canonical.rest), ownerEffective: false, expect: [400] });
    return out;
  }
  const base = { ...canonical.rest };
  delete base[name];
  const basePath = canonical.path;
  const hasOtherQuery = Object.keys(base).length > 0;
  out.push({ name: "in the query", path: basePath, send: isGet ? { query: toQuery({ ...base, [name]: id.owner }) } : { body: base, query: toQuery({ [name]: id.owner }) }, ownerEffective: isGet });
  out.push({
    name: "in the body",
    path: basePath,
    send: isGet ? { ...(hasOtherQuery ? { query: toQuery(base) } : {}), body: { [name]: id.owner } } : { body: { ...base, [name]: id.owner } },
    // A GET reads its body only when it has no query string at all.
    ownerEffective: !isGet || !hasOtherQuery,
  });
  out.push({
    name: "owner in the query, own in the body",
    path: basePath,
    send: isGet ? { query: toQuery({ ...base, [name]: id.owner }), body: { ...base, [name]: id.own } } : { query: toQuery({ [name]: id.owner }), body: { ...base, [name]: id.own } },
    ownerEffective: isGet,
  });
  out.push({
    name: "own in the query, owner in the body",
    path: basePath,
    send: isGet ? { query: toQuery({ ...base, [name]: id.own }), body: { ...base, [name]: id.owner } } : { query: toQuery({ [name]: id.own }), body: { ...base, [name]: id.owner } },
    ownerEffective: !isGet,
  });
  if (id.numeric) out.push({ name: "padded", path: basePath, send: place({ ...base, [name]: padded(id.owner) }), ownerEffective: false, expect: [400] });
  if (name === "run_id") {
    // Routes that accept the deprecated alias act on it (403); the others find run_id missing (400).
    out.push({ name: "as run_uuid", path: basePath, send: place({ ...base, run_uuid: id.owner }), ownerEffective: false, expect: [400, 403] });
    out.push({ name: "run_id own, run_uuid owner", path: basePath, send: place({ ...base, run_id: id.own, run_uuid: id.owner }), ownerEffective: false });
    out.push({ name: "run_id owner, run_uuid own", path: basePath, send: place({ ...base, run_id: id.owner, run_uuid: id.own }), ownerEffective: true });
  }
  return out;
}

/** Everything of the owner's, as the admin reads it, to compare before and after the attack. */
async function ownerState(w: World): Promise<string> {
  const get = async (path: string, query: Record<string, string> = {}) => (await w.call("admin", "GET", path, { query })).text;
  const parts = await Promise.all([
    get("/api/2.0/mlflow/experiments/get", { experiment_id: w.owner.experimentId }),
    get("/api/2.0/mlflow/runs/get", { run_id: w.owner.runId }),
    get("/api/2.0/mlflow/metrics/get-history", { run_id: w.owner.runId, metric_key: `${SECRET}metric` }),
    get("/api/2.0/mlflow/registered-models/get", { name: w.owner.model }),
    get("/api/2.0/mlflow/model-versions/get", { name: w.owner.model, version: "1" }),
    get(`/api/2.0/mlflow/logged-models/${w.owner.loggedModelId}`),
    get("/api/2.0/mlflow-artifacts/artifacts", { path: `${w.owner.experimentId}/${w.owner.runId}/artifacts` }),
    get(`/api/2.0/mlflow-artifacts/artifacts/${w.owner.artifact}`),
    get("/api/2.0/mlflow/users/get", { username: "owner" }),
    get("/api/2.0/mlflow/experiments/permissions/get", { experiment_id: w.owner.experimentId, username: "intruder" }),
    get("/api/2.0/mlflow/registered-models/permissions/get", { name: w.owner.model, username: "intruder" }),
    get(`/api/3.0/mlflow/traces/${w.owner.traceId}`),
    get("/api/3.0/mlflow/traces/batchGet", { trace_ids: w.owner.traceId }),
    get(`/api/3.0/mlflow/datasets/${w.owner.datasetId}`),
    get(`/api/3.0/mlflow/datasets/${w.owner.datasetId}/records`),
    get(`/api/3.0/mlflow/datasets/${w.owner.datasetId}/experiment-ids`),
    get("/api/3.0/mlflow/scorers/versions", { experiment_id: w.owner.experimentId, name: w.owner.scorer }),
  ]);
  return parts.join("\n");
}

const MODES: World["mode"][] = ["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"];

for (const { dialect, skip } of DIALECTS) {
  for (const mode of MODES) {
    describe.skipIf(skip)(`route by route: IDs anywhere in a request (${dialect}, ${mode})`, () => {
      let w: World;
      let before: string;
      beforeAll(async () => {
        w = await createWorld(mode, dialect);
        before = await ownerState(w);
      }, 60_000);
      afterAll(async () => w?.server.close());

      it("has a case for every route the server registers", () => {
        const extra = extraAppRoutes(w.server.app);
        const missing = w.server.app
          .listRoutes()
          .filter((r) => !extra.has(`${r.method} ${r.path}`))
          .map((r) => `${r.method} ${canonicalPath(r.path, "").path}`)
          .filter((key) => !(key in CASES));
        expect(missing).toEqual([]);
      });

      it("never acts on the owner's resources, whatever the spelling", async () => {
        const failures: string[] = [];
        const extra = extraAppRoutes(w.server.app);
        for (const route of w.server.app.listRoutes()) {
          if (extra.has(`${route.method} ${route.path}`)) {
            // A composed app's route (MLFLOW_TS_TEST_WITH_APPS) has no rule of the auth app's:
            // admin-only, so the intruder is refused whatever it sends.
            const filled = fillPath(route.path, {});
            const answer = await w.call("intruder", route.method, filled.path, route.method === "GET" ? { query: {} } : { body: {} });
            if (answer.status !== 403) failures.push(`${route.method} ${route.path} (composed app): expected 403, got ${answer.status} ${answer.text.slice(0, 120)}`);
            continue;
          }
          const key = `${route.method} ${canonicalPath(route.path, "").path}`;
          const c = CASES[key]!;
          if (c.noIds) {
            // No IDs: the route still answers without a leak or a 5xx.
            const filled = fillPath(route.path, c.extra?.(w) ?? {});
            const answer = await w.call("intruder", route.method, filled.path, route.method === "GET" ? { query: toQuery(filled.rest) } : { body: filled.rest });
            if (answer.status >= 500 || answer.text.includes(SECRET)) failures.push(`${key}: ${answer.status} ${answer.text.slice(0, 120)}`);
            if (c.canonical === 403 && answer.status !== 403) failures.push(`${key}: expected 403, got ${answer.status}`);
            continue;
          }
          const ids = c.ids!(w);
          const ownValues = Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, id.own]));
          for (const [name, id] of Object.entries(ids)) {
            // The other IDs are the intruder's own: only this one names the owner's resource.
            const others = { ...(c.extra?.(w) ?? {}), ...ownValues };
            delete others[name];
            for (const v of variants(route.method, route.path, name, id, others, c.urlParams)) {
              const answer: Answer = await w.call("intruder", route.method, v.path, v.send);
              const where = `${route.method} ${route.path} [${name}: ${v.name}]`;
              if (answer.text.includes(SECRET)) failures.push(`${where}: leaked ${answer.text.slice(0, 200)}`);
              if (answer.status >= 500 && !c.alsoAllowed?.includes(answer.status)) failures.push(`${where}: ${answer.status} ${answer.text.slice(0, 200)}`);
              if (c.ignoredByV3 === name && route.path.includes("/3.0/")) {
                if (answer.status !== 403) failures.push(`${where}: expected 403 (the v3 twin reads the owner's experiment from \`trace\`), got ${answer.status}`);
              } else if (v.expect) {
                if (!v.expect.includes(answer.status)) failures.push(`${where}: expected ${v.expect.join("/")}, got ${answer.status} ${answer.text.slice(0, 120)}`);
              } else if (v.ownerEffective) {
                const wanted = c.canonical === "filtered" ? 200 : 403;
                if (answer.status !== wanted) failures.push(`${where}: expected ${wanted}, got ${answer.status} ${answer.text.slice(0, 120)}`);
              } else if (![200, 400, 403, 404, ...(c.alsoAllowed ?? [])].includes(answer.status)) {
                failures.push(`${where}: unexpected ${answer.status} ${answer.text.slice(0, 120)}`);
              }
            }
          }
        }
        expect(failures).toEqual([]);
        expect(await ownerState(w)).toBe(before);
      }, 120_000);
    });
  }
}
