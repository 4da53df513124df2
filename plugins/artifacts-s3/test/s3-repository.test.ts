import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { S3ArtifactRepository, partSizeFor, s3Error, s3Settings } from "@mlflow-ts/artifacts-s3";
import { startS3Store, type S3Store } from "../../../test/support/s3-store.js";

// The s3 repository against s3rver with the real AWS SDK: streamed writes of unknown length,
// ranges, listings that page past S3's 1,000 keys, deletes that never spill onto siblings, and the
// failures an operator meets (store down, wrong credentials) as errors that name the cause.

describe("S3ArtifactRepository on s3rver", () => {
  let s3: S3Store;
  let repo: S3ArtifactRepository;
  beforeAll(async () => {
    s3 = await startS3Store();
    repo = new S3ArtifactRepository(`s3://${s3.bucket}/root/prefix`, { env: s3.env, cwd: process.cwd() });
  });
  afterAll(async () => {
    await repo?.close();
    await s3?.close();
  });

  it("streams a write of unknown length over several parts and reads it back whole and by range", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    chunk.write("start");
    const total = 20; // 20 MiB: three 8 MiB parts
    await repo.write("1/run/artifacts/big.bin", Readable.from((function* () { for (let i = 0; i < total; i += 1) yield chunk; })()));
    const whole = await repo.read("1/run/artifacts/big.bin");
    expect(whole.size).toBe(total * 1024 * 1024);
    expect((await buffer(whole.stream)).length).toBe(total * 1024 * 1024);
    const part = await repo.read("1/run/artifacts/big.bin", { range: { start: 1024 * 1024, end: 1024 * 1024 + 4 } });
    expect(part.range).toEqual({ start: 1024 * 1024, end: 1024 * 1024 + 4 });
    expect(part.size).toBe(total * 1024 * 1024);
    expect((await buffer(part.stream)).toString()).toBe("start");
    // Past the end: the whole file, so that the caller can answer 416.
    const past = await repo.read("1/run/artifacts/big.bin", { range: { start: total * 1024 * 1024 + 10 } });
    expect(past.range).toBeUndefined();
    past.stream.destroy();
    expect(await repo.stat("1/run/artifacts/big.bin")).toEqual({ size: total * 1024 * 1024 });
    expect(await repo.stat("1/run/artifacts")).toBeUndefined();
  });

  it("writes under MLflow's layout: <prefix>/<path>, with the guessed type and MLFLOW_S3_UPLOAD_EXTRA_ARGS", async () => {
    const extra = new S3ArtifactRepository(`s3://${s3.bucket}/root/prefix`, { env: { ...s3.env, MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"CacheControl":"no-store","Metadata":{"team":"a"}}' }, cwd: "/" });
    await extra.write("2/r/artifacts/m.json", Readable.from([Buffer.from("{}")]), { size: 2 });
    const head = await repo.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "root/prefix/2/r/artifacts/m.json" }));
    expect(head.ContentType).toBe("application/json");
    expect(head.CacheControl).toBe("no-store");
    expect(head.Metadata).toEqual({ team: "a" });
    await extra.close();
  });

  it("lists direct children, sorted, pages past 1,000 keys, and skips folder markers", async () => {
    const names = Array.from({ length: 1005 }, (_, i) => `f${String(i).padStart(4, "0")}.txt`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((n) => repo.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `root/prefix/3/many/${n}`, Body: "x" }))));
    }
    await repo.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "root/prefix/3/many/", Body: "" }));
    await repo.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "root/prefix/3/many/sub/deep.txt", Body: "xy" }));
    const first = await repo.list("3/many");
    expect(first.nextPageToken).toBeDefined();
    const all = [...first.files];
    let token = first.nextPageToken;
    while (token) {
      const page = await repo.list("3/many", { pageToken: token });
      all.push(...page.files);
      token = page.nextPageToken;
    }
    expect(all.length).toBe(1006);
    expect(all.filter((f) => f.is_dir)).toEqual([{ path: "sub", is_dir: true }]);
    expect(all.find((f) => f.path === "f0000.txt")).toEqual({ path: "f0000.txt", is_dir: false, file_size: 1 });
    expect(all.some((f) => f.path === "")).toBe(false);
    // A file and a missing path list as empty, as MLflow's repositories do.
    expect((await repo.list("3/many/f0000.txt")).files).toEqual([]);
    expect((await repo.list("nothing/here")).files).toEqual([]);
  });

  it("deletes a file or a tree, never a sibling that merely shares the prefix", async () => {
    for (const key of ["4/a/x.txt", "4/a/b/y.txt", "4/ab/keep.txt"]) await repo.write(key, Readable.from([Buffer.from("k")]));
    await repo.delete("4/a");
    expect((await repo.list("4")).files).toEqual([{ path: "ab", is_dir: true }]);
    await expect(repo.delete("4/a")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    await expect(repo.delete("")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it("refuses keys that would leave the prefix", async () => {
    for (const bad of ["../x", "a/../../x", "/abs", "a\\b", "./a"]) {
      await expect(repo.write(bad, Readable.from([Buffer.from("x")]))).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
      await expect(repo.read(bad)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    }
  });

  it("answers a missing file with 404", async () => {
    await expect(repo.read("5/missing.bin")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("runs a multipart upload through presigned part URLs that a plain PUT can use", async () => {
    const { uploadId, credentials } = await repo.multipart.create("6/r/artifacts/mpu.bin", 2);
    expect(credentials.map((c) => c.partNumber)).toEqual([1, 2]);
    const parts = [];
    const bodies = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from("tail")];
    for (const c of credentials) {
      const response = await fetch(c.url, { method: "PUT", body: bodies[c.partNumber - 1] });
      expect(response.status).toBe(200);
      parts.push({ partNumber: c.partNumber, etag: response.headers.get("etag")! });
    }
    await repo.multipart.complete("6/r/artifacts/mpu.bin", uploadId!, parts);
    expect(await repo.stat("6/r/artifacts/mpu.bin")).toEqual({ size: 5 * 1024 * 1024 + 4 });
    const aborted = await repo.multipart.create("6/r/artifacts/aborted.bin", 1);
    // s3rver 3.7 has no AbortMultipartUpload (it answers MethodNotAllowed); S3 and MinIO do. Either
    // way an upload that was never completed is not an object.
    await repo.multipart.abort("6/r/artifacts/aborted.bin", aborted.uploadId!).catch((error: Error) => expect(error.message).toMatch(/MethodNotAllowed/));
    expect(await repo.stat("6/r/artifacts/aborted.bin")).toBeUndefined();
  });

  it("signs a direct download URL", async () => {
    await repo.write("7/f.txt", Readable.from([Buffer.from("signed")]));
    const url = await repo.presignRead("7/f.txt", 60);
    expect(await (await fetch(url)).text()).toBe("signed");
  });

  it("names refused credentials without the secret", async () => {
    const secret = "very-secret-value-1234";
    const wrong = new S3ArtifactRepository(`s3://${s3.bucket}/root`, { env: { ...s3.env, AWS_ACCESS_KEY_ID: "NOT-A-KEY", AWS_SECRET_ACCESS_KEY: secret }, cwd: "/" });
    const error = await wrong.list("").then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(error?.code).toBe("PERMISSION_DENIED");
    expect(error?.message).toMatch(/refused the server's credentials \(InvalidAccessKeyId\)/);
    expect(error?.message).not.toContain(secret);
    await wrong.close();
  });

  it("answers 503 TEMPORARILY_UNAVAILABLE when the store is down", async () => {
    const down = await startS3Store();
    const repository = new S3ArtifactRepository(`s3://${down.bucket}/p`, { env: down.env, cwd: "/" });
    await down.close();
    await expect(repository.list("")).rejects.toMatchObject({ code: "TEMPORARILY_UNAVAILABLE" });
    await expect(repository.write("x.bin", Readable.from([Buffer.from("x")]))).rejects.toMatchObject({ code: "TEMPORARILY_UNAVAILABLE" });
    await repository.close();
  });
});

describe("s3Settings: MLflow's variables on the JS SDK", () => {
  it("goes path-style with a custom endpoint, virtual-hosted without, as botocore does", () => {
    expect(s3Settings({ MLFLOW_S3_ENDPOINT_URL: "http://minio:9000" }).client.forcePathStyle).toBe(true);
    expect(s3Settings({ MLFLOW_S3_ENDPOINT_URL: "http://minio:9000", MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: "virtual" }).client.forcePathStyle).toBe(false);
    expect(s3Settings({}).client.forcePathStyle).toBe(false);
    expect(s3Settings({ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: "path" }).client.forcePathStyle).toBe(true);
  });
  it("reads AWS_DEFAULT_REGION (boto3's name) and defaults to us-east-1", () => {
    expect(s3Settings({ AWS_DEFAULT_REGION: "eu-west-3" }).client.region).toBe("eu-west-3");
    expect(s3Settings({ AWS_REGION: "ap-south-1", AWS_DEFAULT_REGION: "eu-west-3" }).client.region).toBe("ap-south-1");
    expect(s3Settings({}).client.region).toBe("us-east-1");
  });
  it("uses static keys when given, else the profile", () => {
    expect(s3Settings({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_SESSION_TOKEN: "c" }).client.credentials).toEqual({ accessKeyId: "a", secretAccessKey: "b", sessionToken: "c" });
    expect(s3Settings({ AWS_PROFILE: "team" }).client.profile).toBe("team");
    // What credential errors name: where the credentials came from, never a key or secret.
    expect(s3Settings({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "s3cr3t" }).credentialSource).toBe("the static keys of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
    expect(s3Settings({ AWS_PROFILE: "team" }).credentialSource).toMatch(/^the profile 'team' of AWS_PROFILE/);
    expect(s3Settings({}).credentialSource).toMatch(/^the AWS SDK's default chain/);
  });
  it("names an untrusted certificate and the ways out", () => {
    const error = s3Error(Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), "reading s3://b/k");
    expect(error.code).toBe("INTERNAL_ERROR");
    expect(error.message).toBe("The object store's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate) while reading s3://b/k. Add its CA with NODE_EXTRA_CA_CERTS, or set MLFLOW_S3_IGNORE_TLS=true to skip verification.");
  });
  it("refuses bad values naming the variable", () => {
    expect(() => s3Settings({ MLFLOW_S3_IGNORE_TLS: "maybe" })).toThrow(/MLFLOW_S3_IGNORE_TLS/);
    expect(() => s3Settings({ MLFLOW_S3_UPLOAD_EXTRA_ARGS: "{nope" })).toThrow(/MLFLOW_S3_UPLOAD_EXTRA_ARGS is not valid JSON/);
    expect(() => s3Settings({ MLFLOW_S3_UPLOAD_EXTRA_ARGS: "[1]" })).toThrow(/must be a JSON object/);
  });
  it("turns certificate checks off only on MLFLOW_S3_IGNORE_TLS=true", () => {
    const agent = (env: Record<string, string>) => (s3Settings(env).client.requestHandler as { httpsAgent: { options: { rejectUnauthorized?: boolean } } }).httpsAgent.options.rejectUnauthorized;
    expect(agent({ MLFLOW_S3_IGNORE_TLS: "true" })).toBe(false);
    expect(agent({})).toBeUndefined();
  });
});

describe("partSizeFor", () => {
  it("keeps 8 MiB parts up to 10,000 of them, and grows them beyond so S3's part limit is never passed", () => {
    const MiB = 1024 * 1024;
    expect(partSizeFor(undefined)).toBe(8 * MiB);
    expect(partSizeFor(6 * 1024 ** 3)).toBe(8 * MiB);
    expect(partSizeFor(10_000 * 8 * MiB)).toBe(8 * MiB);
    for (const size of [10_000 * 8 * MiB + 1, 100 * 1024 ** 3, 5 * 1024 ** 4]) {
      const part = partSizeFor(size);
      expect(Math.ceil(size / part)).toBeLessThanOrEqual(10_000);
      expect(part).toBeGreaterThan(8 * MiB);
    }
  });
});
