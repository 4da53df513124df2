import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ADMIN, startAuthServer, type AuthServer } from "./auth-server.js";
import { rawRequest, type Answer, type Send } from "./owner-and-intruder.js";
import { startS3Store, type S3Store } from "../../../test/support/s3-store.js";

// Direct mode (`--no-serve-artifacts --default-artifact-root s3://mlflow/direct`) under basic-auth:
// the server reads the bucket with its own credentials for the UI's downloads, so every location
// a caller can name (a model version's `source`, a trace's `mlflow.artifactLocation` tag) must be
// one the caller may read — an intruder must not make the server read the owner's files for them.

const SECRET = "owner-secret-";
const PASSWORDS = { owner: "owner-password-123", intruder: "intruder-password-123", admin: ADMIN.password } as const;

describe.each(["NO_PERMISSIONS", "READ"] as const)("direct S3 artifacts under basic-auth (default_permission %s)", (defaultPermission) => {
  let s3: S3Store;
  let server: AuthServer;
  let bucket: S3Client;
  let owner: { experimentId: string; runId: string; runUri: string; traceId: string; traceLocation: string };
  let intruder: { experimentId: string; runId: string };
  const call = (who: keyof typeof PASSWORDS, method: string, path: string, send: Send = {}): Promise<Answer> =>
    rawRequest(server.url, method, path, { ...send, headers: { Authorization: `Basic ${Buffer.from(`${who}:${PASSWORDS[who]}`).toString("base64")}`, ...send.headers } });

  beforeAll(async () => {
    s3 = await startS3Store();
    bucket = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    server = await startAuthServer({ config: { serveArtifacts: false, defaultArtifactRoot: `s3://${s3.bucket}/direct` }, storeEnv: s3.env, ini: { default_permission: defaultPermission, auth_cache_ttl_seconds: "3600" } });
    await server.admin.createUser("owner", PASSWORDS.owner);
    await server.admin.createUser("intruder", PASSWORDS.intruder);
    const ownerClient = server.as("owner", PASSWORDS.owner);
    const experimentId = await ownerClient.createExperiment(`${SECRET}experiment`);
    const run = await ownerClient.createRun(experimentId);
    const runUri = run.info.artifact_uri;
    expect(runUri).toBe(`s3://${s3.bucket}/direct/${experimentId}/${run.info.run_id}/artifacts`);
    // The owner's client writes straight to the bucket, as MLflow's does in this mode.
    const key = (uri: string) => uri.slice(`s3://${s3.bucket}/`.length);
    await bucket.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${key(runUri)}/model/MLmodel`, Body: `${SECRET}mlmodel` }));
    const started = await call("owner", "POST", "/api/2.0/mlflow/traces", { body: { experiment_id: experimentId, timestamp_ms: Date.now() } });
    expect(started.status, started.text).toBe(200);
    const info = started.json!.trace_info as { request_id: string; tags: { key: string; value: string }[] };
    const traceLocation = info.tags.find((t) => t.key === "mlflow.artifactLocation")!.value;
    await bucket.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${key(traceLocation)}/traces.json`, Body: JSON.stringify({ spans: [{ name: `${SECRET}span` }], request: "{}", response: "{}" }) }));
    owner = { experimentId, runId: run.info.run_id, runUri, traceId: info.request_id, traceLocation };
    const intruderClient = server.as("intruder", PASSWORDS.intruder);
    const own = await intruderClient.createExperiment("intruder-experiment");
    intruder = { experimentId: own, runId: (await intruderClient.createRun(own)).info.run_id };
    if (defaultPermission === "READ") await server.admin.createExperimentPermission(experimentId, "intruder", "NO_PERMISSIONS");
  });
  afterAll(async () => {
    await server?.close();
    bucket?.destroy();
    await s3?.close();
  });

  it("serves the owner their own files", async () => {
    expect((await call("owner", "GET", "/get-artifact", { query: { run_id: owner.runId, path: "model/MLmodel" } })).text).toBe(`${SECRET}mlmodel`);
    expect((await call("owner", "GET", "/ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id: owner.traceId } })).text).toContain(`${SECRET}span`);
  });

  it("refuses the intruder the owner's run and trace", async () => {
    for (const answer of [
      await call("intruder", "GET", "/get-artifact", { query: { run_id: owner.runId, path: "model/MLmodel" } }),
      await call("intruder", "GET", "/api/2.0/mlflow/artifacts/list", { query: { run_id: owner.runId } }),
      await call("intruder", "GET", "/ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id: owner.traceId } }),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.text).not.toContain(SECRET);
    }
  });

  it("does not register a version of the intruder's model on the owner's files", async () => {
    const created = await call("intruder", "POST", "/api/2.0/mlflow/registered-models/create", { body: { name: "intruder-model" } });
    expect(created.status, created.text).toBe(200);
    const version = await call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: "intruder-model", source: `${owner.runUri}/model` } });
    const read = await call("intruder", "GET", "/model-versions/get-artifact", { query: { name: "intruder-model", version: "1", path: "MLmodel" } });
    expect(read.text).not.toContain(SECRET);
    expect(version.status, version.text).toBe(403);
    // Nor by the experiment's own directory, nor a place below the root nobody owns.
    for (const source of [`s3://${s3.bucket}/direct/${owner.experimentId}`, `s3://${s3.bucket}/direct/${owner.experimentId}/`, `s3://${s3.bucket}/direct/unowned/model`, `s3://${s3.bucket}/direct`]) {
      const refused = await call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: "intruder-model", source } });
      expect(refused.status, `${source}: ${refused.text}`).toBe(403);
    }
    // Their own run's files, and places the server never reads (another bucket), are theirs to register.
    const own = await call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: "intruder-model", source: `s3://${s3.bucket}/direct/${intruder.experimentId}/${intruder.runId}/artifacts/model`, run_id: intruder.runId } });
    expect(own.status, own.text).toBe(200);
    const elsewhere = await call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: "intruder-model", source: "s3://another-bucket/models/m" } });
    expect(elsewhere.status, elsewhere.text).toBe(200);
    // The owner registers theirs as MLflow's client does (the run's artifact URI and its run_id).
    expect((await call("owner", "POST", "/api/2.0/mlflow/registered-models/create", { body: { name: "owner-model" } })).status).toBe(200);
    const mine = await call("owner", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: "owner-model", source: `${owner.runUri}/model`, run_id: owner.runId } });
    expect(mine.status, mine.text).toBe(200);
    expect((await call("owner", "GET", "/model-versions/get-artifact", { query: { name: "owner-model", version: "1", path: "MLmodel" } })).text).toBe(`${SECRET}mlmodel`);
  });

  it("does not let the intruder take a place inside the owner's files with an experiment of their own", async () => {
    for (const location of [owner.runUri, `${owner.runUri}/model`, `s3://${s3.bucket}/direct/${owner.experimentId}/sub`, `s3://${s3.bucket}/direct`, `s3://${s3.bucket}/direct/`, `s3://${s3.bucket}/direct/987`]) {
      const created = await call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name: `intruder-${location}`, artifact_location: location } });
      expect(created.status, `${location}: ${created.text}`).toBe(400);
    }
    const beside = await call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name: "intruder-team", artifact_location: `s3://${s3.bucket}/direct/team-intruder` } });
    expect(beside.status, beside.text).toBe(200);
  });

  it("does not read the owner's traces.json through a trace tag the intruder set", async () => {
    const started = await call("intruder", "POST", "/api/2.0/mlflow/traces", { body: { experiment_id: intruder.experimentId, timestamp_ms: Date.now() } });
    expect(started.status, started.text).toBe(200);
    const traceId = (started.json!.trace_info as { request_id: string }).request_id;
    const tagged = await call("intruder", "PATCH", `/api/2.0/mlflow/traces/${traceId}/tags`, { body: { key: "mlflow.artifactLocation", value: owner.traceLocation } });
    const read = await call("intruder", "GET", "/ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id: traceId } });
    expect(read.text, `tag: ${tagged.status} ${tagged.text}`).not.toContain(SECRET);
    expect(read.status).toBe(404);
  });
});
