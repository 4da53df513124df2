import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SECRET, createWorldWith, type World } from "./owner-and-intruder.js";
import { startS3Store, type S3Store } from "../../../test/support/s3-store.js";

// Issue 21: with the proxied artifacts in S3, authorization means what it meant on disk — a path is
// decided by the experiment whose location holds it. The owner-and-intruder scene of issue 9, on
// `--artifacts-destination s3://mlflow/auth`.

describe.each(["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"] as const)("S3 artifacts under basic-auth (%s)", (mode) => {
  let s3: S3Store;
  let w: World;
  beforeAll(async () => {
    s3 = await startS3Store();
    w = await createWorldWith(mode, "sqlite", { config: { artifactsDestination: `s3://${s3.bucket}/auth` }, storeEnv: s3.env });
  });
  afterAll(async () => {
    await w?.server.close();
    await s3?.close();
  });

  it("keeps the owner's artifacts in the bucket", async () => {
    const client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `auth/${w.owner.experimentId}/` }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toContain(`auth/${w.owner.artifact}`);
    client.destroy();
    const own = await w.call("owner", "GET", `/api/2.0/mlflow-artifacts/artifacts/${w.owner.artifact}`);
    expect(own.status).toBe(200);
    expect(own.text).toBe(`${SECRET}file`);
  });

  it("refuses the intruder every read and write of the owner's S3 artifacts", async () => {
    const dir = w.owner.artifact.split("/").slice(0, -1).join("/");
    const attempts = [
      await w.call("intruder", "GET", `/api/2.0/mlflow-artifacts/artifacts/${w.owner.artifact}`),
      await w.call("intruder", "GET", `/api/2.0/mlflow-artifacts/artifacts/${w.owner.artifact}`, { headers: { Range: "bytes=0-3" } }),
      await w.call("intruder", "GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: dir } }),
      await w.call("intruder", "PUT", `/api/2.0/mlflow-artifacts/artifacts/${dir}/planted.txt`, { body: "planted" }),
      await w.call("intruder", "DELETE", `/api/2.0/mlflow-artifacts/artifacts/${w.owner.artifact}`),
      await w.call("intruder", "POST", `/api/2.0/mlflow-artifacts/mpu/create/${dir}`, { body: { path: "/tmp/planted.bin", num_parts: 1 } }),
      await w.call("intruder", "POST", `/api/2.0/mlflow-artifacts/mpu/abort/${dir}`, { body: { path: "/tmp/planted.bin", upload_id: "x" } }),
      await w.call("intruder", "POST", `/api/2.0/mlflow-artifacts/mpu/complete/${dir}`, { body: { path: "/tmp/planted.bin", upload_id: "x", parts: [{ part_number: 1, etag: "e" }] } }),
      await w.call("intruder", "GET", `/api/2.0/mlflow-artifacts/presigned/${w.owner.artifact}`),
      await w.call("intruder", "GET", "/model-versions/get-artifact", { query: { name: w.owner.model, version: "1", path: "MLmodel" } }),
      await w.call("intruder", "GET", "/ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id: w.owner.traceId } }),
      await w.call("intruder", "GET", "/get-artifact", { query: { run_id: w.owner.runId, path: w.owner.artifact.split("/").pop()! } }),
      await w.call("intruder", "GET", "/api/2.0/mlflow/artifacts/list", { query: { run_id: w.owner.runId } }),
    ];
    for (const answer of attempts) {
      expect(answer.status).toBe(403);
      expect(answer.text).not.toContain(SECRET);
    }
    // Nothing planted, nothing deleted.
    expect((await w.call("owner", "GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: dir } })).json).toMatchObject({ files: expect.not.arrayContaining([expect.objectContaining({ path: "planted.txt" })]) });
    expect((await w.call("owner", "GET", `/api/2.0/mlflow-artifacts/artifacts/${w.owner.artifact}`)).status).toBe(200);
  });

  it("does not read the owner's S3 files for the intruder through a model version or a trace of the intruder's", async () => {
    const source = `mlflow-artifacts:/${w.owner.artifact.split("/").slice(0, -1).join("/")}`;
    const version = await w.call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: w.intruder.model, source } });
    expect(version.status, version.text).toBe(403);
    const tagged = await w.call("intruder", "PATCH", `/api/2.0/mlflow/traces/${w.intruder.traceId}/tags`, { body: { key: "mlflow.artifactLocation", value: `mlflow-artifacts:/${w.owner.artifact.split("/").slice(0, -1).join("/")}` } });
    expect(tagged.status).toBe(200);
    const read = await w.call("intruder", "GET", "/ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id: w.intruder.traceId } });
    expect(read.text).not.toContain(SECRET);
  });

  it("lets the intruder use their own", async () => {
    const own = await w.call("intruder", "GET", `/api/2.0/mlflow-artifacts/artifacts/${w.intruder.artifact}`);
    expect(own.status).toBe(200);
    expect(own.text).toBe("mine");
    const dir = w.intruder.artifact.split("/").slice(0, -1).join("/");
    const mpu = await w.call("intruder", "POST", `/api/2.0/mlflow-artifacts/mpu/create/${dir}`, { body: { path: "/tmp/own.bin", num_parts: 1 } });
    expect(mpu.status).toBe(200);
    expect(mpu.json).toMatchObject({ upload_id: expect.any(String), credentials: [{ part_number: 1, url: expect.stringContaining(`/auth/${dir}/own.bin`) }] });
  });
});
