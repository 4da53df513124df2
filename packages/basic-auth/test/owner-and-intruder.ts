import http from "node:http";
import { ADMIN, startAuthServer, type AuthServer } from "./auth-server.js";
import type { TestDialect } from "../../../test/support/backends.js";

/** Every string of the owner's that an intruder must never see starts with this. */
export const SECRET = "owner-secret-";

/** A raw answer: status, body text, and the body as JSON when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** How a raw request is sent: query string, JSON body (or a raw string), extra headers. */
export interface Send {
  readonly query?: Record<string, string | readonly string[]>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * What each user has: an experiment with a run, a logged model, a registered model, an artifact, a
 * trace with an assessment, an evaluation dataset with a record, and a scorer.
 */
export interface Resources {
  readonly experimentId: string;
  readonly runId: string;
  readonly loggedModelId: string;
  readonly model: string;
  readonly artifact: string;
  readonly traceId: string;
  readonly assessmentId: string;
  readonly datasetId: string;
  readonly scorer: string;
}

/** An evaluation dataset (with a tag and a record) and a registered scorer in an experiment; `secret` marks what they hold. */
async function makeDatasetAndScorer(call: World["call"], who: "owner" | "intruder", experimentId: string, secret: string): Promise<{ datasetId: string; scorer: string }> {
  const created = await call(who, "POST", "/api/3.0/mlflow/datasets/create", { body: { name: `${secret}dataset`, experiment_ids: [experimentId], tags: JSON.stringify({ t: `${secret}dataset-tag` }) } });
  if (created.status !== 200) throw new Error(`CreateDataset for ${who} failed: ${created.status} ${created.text}`);
  const datasetId = (created.json!.dataset as { dataset_id: string }).dataset_id;
  const records = await call(who, "POST", `/api/3.0/mlflow/datasets/${datasetId}/records`, { body: { records: JSON.stringify([{ inputs: { q: `${secret}record` }, expectations: { a: `${secret}answer` } }]) } });
  if (records.status !== 200) throw new Error(`UpsertDatasetRecords for ${who} failed: ${records.status} ${records.text}`);
  const scorer = `${who}-scorer`;
  const registered = await call(who, "POST", "/api/3.0/mlflow/scorers/register", { body: { experiment_id: experimentId, name: scorer, serialized_scorer: JSON.stringify({ prompt: `${secret}scorer` }) } });
  if (registered.status !== 200) throw new Error(`RegisterScorer for ${who} failed: ${registered.status} ${registered.text}`);
  return { datasetId, scorer };
}

/**
 * A trace in an experiment, made as a 3.x client makes it (spans over OTLP, then StartTraceV3),
 * with an assessment; `secret` marks its tags, spans and assessment.
 */
async function makeTrace(call: World["call"], who: "owner" | "intruder", experimentId: string, hex: string, secret: string): Promise<{ traceId: string; assessmentId: string }> {
  const traceId = `tr-${hex}`;
  const span = { traceId: hex, spanId: hex.slice(0, 16), name: `${secret}span`, startTimeUnixNano: "1730000000000000000", endTimeUnixNano: "1730000001000000000", attributes: [{ key: "mlflow.spanInputs", value: { stringValue: JSON.stringify({ q: `${secret}input` }) } }] };
  const otlp = await call(who, "POST", "/v1/traces", { headers: { "x-mlflow-experiment-id": experimentId }, body: { resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] } });
  if (otlp.status !== 200) throw new Error(`OTLP ingest for ${who} failed: ${otlp.status} ${otlp.text}`);
  const location = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } };
  const started = await call(who, "POST", "/api/3.0/mlflow/traces", { body: { trace: { trace_info: { trace_id: traceId, trace_location: location, state: "OK", tags: { t: `${secret}trace-tag` }, trace_metadata: {} } } } });
  if (started.status !== 200) throw new Error(`StartTraceV3 for ${who} failed: ${started.status} ${started.text}`);
  const assessment = await call(who, "POST", `/api/3.0/mlflow/traces/${traceId}/assessments`, { body: { assessment: { assessment_name: "quality", source: { source_type: "HUMAN" }, feedback: { value: `${secret}feedback` } } } });
  if (assessment.status !== 200) throw new Error(`assessment for ${who} failed: ${assessment.status} ${assessment.text}`);
  return { traceId, assessmentId: (assessment.json!.assessment as { assessment_id: string }).assessment_id };
}

/** The owner's resources and the intruder's own, on a server with basic-auth. */
export interface World {
  readonly server: AuthServer;
  readonly mode: "NO_PERMISSIONS default" | "READ default, explicit NO_PERMISSIONS";
  readonly owner: Resources;
  readonly intruder: Resources;
  /** Sends a request as a user (`owner`, `intruder`, `admin`). */
  call(who: "owner" | "intruder" | "admin", method: string, path: string, send?: Send): Promise<Answer>;
}

const PASSWORDS = { owner: "owner-password-123", intruder: "intruder-password-123", admin: ADMIN.password } as const;

/** The intruder's password (update-password cases set it to itself). */
export const INTRUDER_PASSWORD = PASSWORDS.intruder;

/** The owner's password (for clients acting as the owner). */
export const OWNER_PASSWORD = PASSWORDS.owner;

function basic(who: keyof typeof PASSWORDS): string {
  return `Basic ${Buffer.from(`${who}:${PASSWORDS[who]}`).toString("base64")}`;
}

/**
 * Sends one raw request (node:http, so a GET may carry a JSON body) and reads the whole answer.
 * `headers` go as given: leave out `Authorization` for an anonymous caller.
 *
 * @example
 * const answer = await rawRequest(server.url, "GET", "/health");
 */
export async function rawRequest(baseUrl: string, method: string, path: string, send: Send = {}): Promise<Answer> {
  const url = new URL(`${baseUrl}${path}`);
  for (const [key, value] of Object.entries(send.query ?? {})) {
    for (const v of typeof value === "string" ? [value] : value) url.searchParams.append(key, v);
  }
  const headers: Record<string, string> = { ...send.headers };
  let body: string | undefined;
  if (send.body !== undefined) {
    body = typeof send.body === "string" ? send.body : JSON.stringify(send.body);
    headers["Content-Type"] ??= "application/json";
  }
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(url, { method, headers: body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status, text, json };
}

/**
 * Starts a server with basic-auth and builds the scene of issue 9: an owner with an experiment,
 * a run (param, tag, metric, an artifact), a logged model and a registered model, all carrying
 * {@link SECRET}; an intruder with an experiment, a run and a model of their own and EDIT on the
 * default experiment. In the first mode nobody may read anything by default; in the second
 * everybody may, but the intruder has explicit NO_PERMISSIONS grants on the owner's resources.
 */
export function createWorld(mode: World["mode"], dialect: TestDialect = "sqlite"): Promise<World> {
  return createWorldWith(mode, dialect);
}

/**
 * {@link createWorld} on a server started with other options as well (the auth tables in another
 * database, a static prefix…); `default_permission` still follows the mode.
 *
 * @example
 * const w = await createWorldWith("NO_PERMISSIONS default", "mysql", { databaseUri: (dir) => `sqlite:///${dir}/basic_auth.db` });
 */
export async function createWorldWith(mode: World["mode"], dialect: TestDialect = "sqlite", options: Parameters<typeof startAuthServer>[0] = {}): Promise<World> {
  // Credentials stay cached for the whole scene: a matrix of requests outlives the default 60 s
  // under parallel load, and its next burst of ~20 would then queue that many password checks into
  // the login limiter (429) — which these tests do not test.
  const ini = { auth_cache_ttl_seconds: "3600", ...options.ini, default_permission: mode === "NO_PERMISSIONS default" ? "NO_PERMISSIONS" : "READ" };
  const server = await startAuthServer({ ...options, dialect, ini });
  const call: World["call"] = (who, method, path, send = {}) =>
    // node:http, not fetch: a GET with a JSON body is one of the spellings under test.
    rawRequest(server.url, method, path, { ...send, headers: { Authorization: basic(who), ...send.headers } });
  await server.admin.createUser("owner", PASSWORDS.owner);
  await server.admin.createUser("intruder", PASSWORDS.intruder);
  const ownerClient = server.as("owner", PASSWORDS.owner);
  const intruderClient = server.as("intruder", PASSWORDS.intruder);

  const experimentId = await ownerClient.createExperiment(`${SECRET}experiment`);
  const runId = (await ownerClient.createRun(experimentId, { runName: `${SECRET}run` })).info.run_id;
  await ownerClient.logParam(runId, "p", `${SECRET}param`);
  await ownerClient.setTag(runId, "t", `${SECRET}tag`);
  await ownerClient.logMetric(runId, `${SECRET}metric`, 1, { step: 0 });
  const artifact = `${experimentId}/${runId}/artifacts/${SECRET}file.txt`;
  await ownerClient.artifacts.upload(artifact, `${SECRET}file`);
  await ownerClient.artifacts.upload(`${experimentId}/${runId}/artifacts/model/MLmodel`, `${SECRET}mlmodel`);
  const logged = await ownerClient.createLoggedModel(experimentId, { name: `${SECRET}logged-model`, sourceRunId: runId });
  const loggedModelId = logged.info.model_id;
  await ownerClient.artifacts.upload(`${logged.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "")}/secret.txt`, `${SECRET}logged-model-file`);
  // The name is not secret (an intruder's own grant on it names it); what the model holds is.
  const model = "owner-model";
  await ownerClient.registry.createRegisteredModel(model, { description: `${SECRET}model`, tags: [{ key: "t", value: `${SECRET}model-tag` }] });
  await ownerClient.registry.createModelVersion(model, `runs:/${runId}/model`, { runId, description: `${SECRET}version` });

  // Any authenticated user may create experiments and models (MLflow's rule), and owns them.
  const own = await intruderClient.createExperiment("intruder-experiment");
  const ownRun = (await intruderClient.createRun(own)).info.run_id;
  await intruderClient.registry.createRegisteredModel("intruder-model");
  await intruderClient.registry.createModelVersion("intruder-model", `runs:/${ownRun}/model`, { runId: ownRun });
  const ownLogged = (await intruderClient.createLoggedModel(own, { name: "intruder-logged-model" })).info.model_id;
  const ownArtifact = `${own}/${ownRun}/artifacts/mine.txt`;
  await intruderClient.artifacts.upload(ownArtifact, "mine");
  await server.admin.createExperimentPermission("0", "intruder", "EDIT");
  const ownerTrace = await makeTrace(call, "owner", experimentId, "0123456789abcdef0123456789abcdef", SECRET);
  const intruderTrace = await makeTrace(call, "intruder", own, "fedcba9876543210fedcba9876543210", "intruder-");
  const ownerEvaluation = await makeDatasetAndScorer(call, "owner", experimentId, SECRET);
  const intruderEvaluation = await makeDatasetAndScorer(call, "intruder", own, "intruder-");
  if (mode !== "NO_PERMISSIONS default") {
    await server.admin.createExperimentPermission(experimentId, "intruder", "NO_PERMISSIONS");
    await server.admin.createRegisteredModelPermission(model, "intruder", "NO_PERMISSIONS");
  }
  return {
    server,
    mode,
    owner: { experimentId, runId, loggedModelId, model, artifact, ...ownerTrace, ...ownerEvaluation },
    intruder: { experimentId: own, runId: ownRun, loggedModelId: ownLogged, model: "intruder-model", artifact: ownArtifact, ...intruderTrace, ...intruderEvaluation },
    call,
  };
}
