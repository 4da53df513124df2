import http from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startS3Store, type S3Store } from "./support/s3-store.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

// Issue 21: the server with its artifacts in S3 (s3rver here, the real AWS SDK), in both of MLflow's
// modes. Proxied: `--artifacts-destination s3://bucket/prefix` — uploads stream to the bucket under
// MLflow's layout, downloads stream with ranges, listings page, deletes, MLflow's multipart
// endpoints, escapes refused. Direct: `--no-serve-artifacts --default-artifact-root s3://…` — what
// clients wrote to the bucket is what the UI's downloads and model-version files read.

function s3Client(s3: S3Store): S3Client {
  return new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
}

async function keys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    out.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

function body(megabytes: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  return Readable.from((function* () { for (let i = 0; i < megabytes; i += 1) yield chunk; })());
}

describe("proxied artifacts in S3 (--artifacts-destination s3://mlflow/proxied)", () => {
  let s3: S3Store;
  let server: TestServer;
  let client: S3Client;
  let base: string;
  beforeAll(async () => {
    s3 = await startS3Store();
    client = s3Client(s3);
    server = await startTestServer({ config: { artifactsDestination: `s3://${s3.bucket}/proxied` }, storeEnv: s3.env });
    const experimentId = await server.client.createExperiment("s3-proxied");
    const runId = (await server.client.createRun(experimentId)).info.run_id;
    base = `${experimentId}/${runId}/artifacts`;
  });
  afterAll(async () => {
    await server?.close();
    client?.destroy();
    await s3?.close();
  });

  it("streams an upload of unknown length into the bucket under MLflow's layout, and back whole and by range", async () => {
    const put = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/model/weights.bin`, { method: "PUT", body: body(24) as unknown as BodyInit, duplex: "half" } as RequestInit);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({});
    expect(await keys(client, s3.bucket, "proxied/")).toEqual([`proxied/${base}/model/weights.bin`]);
    const whole = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/model/weights.bin`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-length")).toBe(String(24 * 1024 * 1024));
    expect(whole.headers.get("content-encoding")).toBeNull();
    expect((await whole.arrayBuffer()).byteLength).toBe(24 * 1024 * 1024);
    const ranged = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/model/weights.bin`, { headers: { Range: "bytes=10-19" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 10-19/${24 * 1024 * 1024}`);
    expect(await ranged.text()).toBe("aaaaaaaaaa");
    const past = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/model/weights.bin`, { headers: { Range: `bytes=${24 * 1024 * 1024}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${24 * 1024 * 1024}`);
  });

  it("lists with basenames and is_dir, through the proxy and the run's listing, past 1,000 keys", async () => {
    for (let i = 0; i < 1010; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, 1010 - i) }, (_, j) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `proxied/${base}/many/f${String(i + j).padStart(4, "0")}`, Body: "x" }))));
    }
    const listed = (await (await server.fetch(`/api/2.0/mlflow-artifacts/artifacts?path=${base}/many`)).json()) as { files: { path: string; is_dir: boolean; file_size?: number }[] };
    expect(listed.files.length).toBe(1010);
    expect(listed.files[0]).toEqual({ path: "f0000", is_dir: false, file_size: 1 });
    expect(listed.files.at(-1)!.path).toBe("f1009");
    const runId = base.split("/")[1]!;
    const run = (await (await server.fetch(`/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=model`)).json()) as { root_uri: string; files: unknown[] };
    expect(run.files).toEqual([{ path: "model/weights.bin", is_dir: false, file_size: 24 * 1024 * 1024 }]);
    const top = (await (await server.fetch(`/api/2.0/mlflow-artifacts/artifacts?path=${base}`)).json()) as { files: unknown[] };
    expect(top.files).toEqual([
      { path: "many", is_dir: true },
      { path: "model", is_dir: true },
    ]);
  });

  it("serves the UI's get-artifact from the bucket", async () => {
    await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/notes.txt`, { method: "PUT", body: "hello s3" });
    const runId = base.split("/")[1]!;
    const got = await server.fetch(`/get-artifact?run_id=${runId}&path=notes.txt`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("hello s3");
  });

  it("deletes a directory and nothing beside it", async () => {
    await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/manyx`, { method: "PUT", body: "sibling" });
    const deleted = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/many`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect((await keys(client, s3.bucket, `proxied/${base}/many`)).sort()).toEqual([`proxied/${base}/manyx`]);
  });

  it("runs MLflow's multipart upload: create, PUT each part to its URL, complete", async () => {
    const dir = `${base}/big`;
    const created = await server.fetch(`/api/2.0/mlflow-artifacts/mpu/create/${dir}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "/home/me/data/big.bin", num_parts: 2 }) });
    expect(created.status).toBe(200);
    const answer = (await created.json()) as { upload_id: string; credentials: { url: string; part_number: number; headers: Record<string, string> }[] };
    expect(answer.credentials.map((c) => c.part_number)).toEqual([1, 2]);
    const parts = [Buffer.alloc(5 * 1024 * 1024, 0x62), Buffer.from("end")];
    const uploaded = [];
    for (const c of answer.credentials) {
      const response = await fetch(c.url, { method: "PUT", headers: c.headers, body: parts[c.part_number - 1] });
      expect(response.status).toBe(200);
      uploaded.push({ part_number: c.part_number, etag: response.headers.get("etag"), url: c.url });
    }
    const completed = await server.fetch(`/api/2.0/mlflow-artifacts/mpu/complete/${dir}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "/home/me/data/big.bin", upload_id: answer.upload_id, parts: uploaded }) });
    expect(completed.status).toBe(200);
    const got = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${dir}/big.bin`);
    expect(got.headers.get("content-length")).toBe(String(5 * 1024 * 1024 + 3));
    // More parts than S3 allows: the sentence on which MLflow's client falls back to one PUT.
    const tooMany = await server.fetch(`/api/2.0/mlflow-artifacts/mpu/create/${dir}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "x.bin", num_parts: 10_001 }) });
    expect(tooMany.status).toBe(501);
    expect(((await tooMany.json()) as { message: string }).message.startsWith("Multipart upload is not supported for the current artifact repository")).toBe(true);
  });

  it("refuses paths that would leave the destination, however they are spelled", async () => {
    for (const bad of ["../outside.txt", "%2e%2e/outside.txt", "%252e%252e/outside.txt", `${base}/..%2F..%2F..%2Foutside.txt`, `${base}/%2e%2e%2f%2e%2e%2foutside.txt`, "%2Fabs.txt"]) {
      const put = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${bad}`, { method: "PUT", body: "x" });
      expect([400, 404]).toContain(put.status);
      const get = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${bad}`);
      expect([400, 404]).toContain(get.status);
    }
    const mpu = await server.fetch(`/api/2.0/mlflow-artifacts/mpu/create/${base}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "..", num_parts: 1 }) });
    expect(mpu.status).toBe(400);
    // Nothing landed outside the prefix.
    expect((await keys(client, s3.bucket, "")).filter((k) => !k.startsWith("proxied/"))).toEqual([]);
  });

  it("leaves no complete object when the client goes away mid-upload", async () => {
    for (const length of [8 * 1024 * 1024, undefined]) {
      await new Promise<void>((resolve) => {
        const request = http.request(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${base}/cut-${length ?? "chunked"}.bin`, { method: "PUT", headers: length ? { "Content-Length": String(length) } : {} });
        request.on("error", () => resolve());
        request.write(Buffer.alloc(6 * 1024 * 1024), () => setTimeout(() => {
          request.destroy();
          resolve();
        }, 300));
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
    // The body of unknown length went through a multipart upload that was never completed: no
    // object. The known length went through one streamed PutObject whose request to the store was
    // cut: S3 (and MinIO, Ceph) refuse a body shorter than its Content-Length, but s3rver 3.7 keeps
    // what it received, so on s3rver alone a truncated object remains.
    expect(await keys(client, s3.bucket, `proxied/${base}/cut-chunked`)).toEqual([]);
    const truncated = await keys(client, s3.bucket, `proxied/${base}/cut-8388608`);
    for (const key of truncated) expect((await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).ContentLength).toBeLessThan(8 * 1024 * 1024);
  });

  it("answers 503 JSON while the store is down, and works again when it is back", async () => {
    await s3.stop();
    try {
      const put = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/during-outage.bin`, { method: "PUT", body: body(3) as unknown as BodyInit, duplex: "half" } as RequestInit);
      expect(put.status).toBe(503);
      expect(await put.json()).toMatchObject({ error_code: "TEMPORARILY_UNAVAILABLE" });
      // A known length goes through one streamed PutObject: the same answer.
      const known = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/during-outage-known.bin`, { method: "PUT", body: Buffer.alloc(3 * 1024 * 1024) });
      expect(known.status).toBe(503);
      expect(await known.json()).toMatchObject({ error_code: "TEMPORARILY_UNAVAILABLE" });
      const get = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/notes.txt`);
      expect(get.status).toBe(503);
      expect((await get.json()) as object).toMatchObject({ error_code: "TEMPORARILY_UNAVAILABLE" });
    } finally {
      await s3.start();
    }
    expect((await keys(client, s3.bucket, `proxied/${base}/during-outage`))).toEqual([]);
    expect(await (await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${base}/notes.txt`)).text()).toBe("hello s3");
  });
});

describe("a refused credential", () => {
  it("is a 403 JSON naming the cause, never the secret", async () => {
    const s3 = await startS3Store();
    const secret = "wrong-secret-9f8e7d";
    const server = await startTestServer({ config: { artifactsDestination: `s3://${s3.bucket}/p` }, storeEnv: { ...s3.env, AWS_ACCESS_KEY_ID: "WRONGKEY", AWS_SECRET_ACCESS_KEY: secret } });
    try {
      const put = await server.fetch("/api/2.0/mlflow-artifacts/artifacts/0/x.txt", { method: "PUT", body: "x" });
      const text = await put.text();
      expect(put.status).toBe(403);
      expect(JSON.parse(text)).toMatchObject({ error_code: "PERMISSION_DENIED" });
      expect(text).toMatch(/refused the server's credentials \(InvalidAccessKeyId\)/);
      expect(text).not.toContain(secret);
    } finally {
      await server.close();
      await s3.close();
    }
  });
});

describe("direct artifacts in S3 (--no-serve-artifacts --default-artifact-root s3://mlflow/direct)", () => {
  let s3: S3Store;
  let server: TestServer;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3Store();
    client = s3Client(s3);
    server = await startTestServer({ config: { serveArtifacts: false, defaultArtifactRoot: `s3://${s3.bucket}/direct` }, storeEnv: s3.env });
  });
  afterAll(async () => {
    await server?.close();
    client?.destroy();
    await s3?.close();
  });

  it("reads what a client wrote to the bucket: get-artifact, the run's listing, model-version files", async () => {
    const experimentId = await server.client.createExperiment("s3-direct");
    const experiment = await server.client.getExperiment(experimentId);
    expect(experiment.artifact_location).toBe(`s3://${s3.bucket}/direct/${experimentId}`);
    const run = await server.client.createRun(experimentId);
    expect(run.info.artifact_uri).toBe(`s3://${s3.bucket}/direct/${experimentId}/${run.info.run_id}/artifacts`);
    // As MLflow's client writes in direct mode: straight to the bucket.
    const key = `direct/${experimentId}/${run.info.run_id}/artifacts/model/MLmodel`;
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: "flavors: {}\n" }));
    const got = await server.fetch(`/get-artifact?run_id=${run.info.run_id}&path=model/MLmodel`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("flavors: {}\n");
    const listed = (await (await server.fetch(`/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}&path=model`)).json()) as { root_uri: string; files: unknown[] };
    expect(listed).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: "model/MLmodel", is_dir: false, file_size: 12 }] });
    await server.client.registry.createRegisteredModel("s3-model");
    await server.client.registry.createModelVersion("s3-model", `${run.info.artifact_uri}/model`, { runId: run.info.run_id });
    const file = await server.fetch(`/model-versions/get-artifact?name=s3-model&version=1&path=MLmodel`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("flavors: {}\n");
    // The proxy is off in this mode, as in MLflow.
    expect((await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${experimentId}`)).status).toBe(503);
    expect((await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToString())).toBe("flavors: {}\n");
  });

  it("serves a trace's traces.json that a client wrote to the bucket", async () => {
    const experimentId = await server.client.createExperiment("s3-traces");
    const started = (await (await server.fetch("/api/2.0/mlflow/traces", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ experiment_id: experimentId, timestamp_ms: Date.now() }) })).json()) as { trace_info: { request_id: string; tags: { key: string; value: string }[] } };
    const location = started.trace_info.tags.find((t) => t.key === "mlflow.artifactLocation")!.value;
    expect(location).toBe(`s3://${s3.bucket}/direct/${experimentId}/traces/${started.trace_info.request_id}/artifacts`);
    const spans = { spans: [{ name: "root", context: { span_id: "0x1", trace_id: "0x2" }, parent_id: null, start_time: 1, end_time: 2, status_code: "OK", attributes: {}, events: [] }], request: "{}", response: "{}" };
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${location.slice(`s3://${s3.bucket}/`.length)}/traces.json`, Body: JSON.stringify(spans) }));
    const got = await server.fetch(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${started.trace_info.request_id}`);
    expect(got.status).toBe(200);
    expect(((await got.json()) as { spans: { name: string }[] }).spans[0]!.name).toBe("root");
  });

  it("does not read a bucket outside its artifact root", async () => {
    const experimentId = await server.client.createExperiment("elsewhere", { artifactLocation: `s3://${s3.bucket}/other-team` });
    const run = await server.client.createRun(experimentId);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `other-team/${run.info.run_id}/artifacts/secret.txt`, Body: "secret" }));
    const got = await server.fetch(`/get-artifact?run_id=${run.info.run_id}&path=secret.txt`);
    expect(got.status).toBe(400);
    expect(await got.text()).toMatch(/outside the server's artifact root/);
  });
});
