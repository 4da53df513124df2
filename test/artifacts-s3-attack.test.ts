import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startS3Store, type S3Store } from "./support/s3-store.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

// The S3 proxy as an outsider attacks it (`--artifacts-destination s3://mlflow/proxied`, s3rver and
// the real AWS SDK), beside the same server on a local destination where the two should agree:
// every bad input is a 4xx with MLflow's error JSON and changes nothing in the bucket.

const MPU = "/api/2.0/mlflow-artifacts/mpu";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

async function allKeys(client: S3Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    out.push(...(page.Contents ?? []).map((o) => `${o.Key}:${o.Size}`));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort();
}

async function answer(response: Response): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, json };
}

describe("attacking the S3 proxy", () => {
  let s3: S3Store;
  let client: S3Client;
  let server: TestServer;
  let local: TestServer;
  const post = (path: string, body: unknown) => server.fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  beforeAll(async () => {
    s3 = await startS3Store();
    client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    server = await startTestServer({ config: { artifactsDestination: `s3://${s3.bucket}/proxied` }, storeEnv: s3.env });
    local = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
    await local?.close();
    client?.destroy();
    await s3?.close();
  });

  it("refuses a complete whose parts S3 would refuse or misread, and completes nothing until the parts are right", async () => {
    const created = (await (await post(`${MPU}/create/0/mpu`, { path: "/tmp/parts.bin", num_parts: 1 })).json()) as { upload_id: string; credentials: { url: string }[] };
    const put = await fetch(created.credentials[0]!.url, { method: "PUT", body: "PART1" });
    expect(put.status).toBe(200);
    const etag = put.headers.get("etag")!;
    const before = await allKeys(client, s3.bucket);
    const bad: unknown[] = [
      // The same part twice: s3rver concatenates it twice, S3 refuses (InvalidPartOrder).
      [{ part_number: 1, etag }, { part_number: 1, etag }],
      [{ part_number: 1, etag }, { part_number: true, etag }],
      [{ part_number: [1], etag }],
      [{ part_number: 0, etag }],
      [{ part_number: -1, etag }],
      [{ part_number: 1.5, etag }],
      // S3 numbers parts 1 to 10,000.
      [{ part_number: 10_001, etag }],
      [{ part_number: 99_999_999_999, etag }],
      [{ part_number: 1 }],
      [{ part_number: 1, etag: 7 }],
      [{ part_number: 1, etag: { a: 1 } }],
      [null],
      ["1"],
      // More parts than S3 allows in one upload.
      Array.from({ length: 10_001 }, (_, i) => ({ part_number: i + 1, etag })),
    ];
    for (const parts of bad) {
      const { status, json } = await answer(await post(`${MPU}/complete/0/mpu`, { path: "/tmp/parts.bin", upload_id: created.upload_id, parts }));
      expect(status, JSON.stringify(parts).slice(0, 100)).toBe(400);
      expect(json).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE", message: expect.any(String) });
    }
    expect(await allKeys(client, s3.bucket)).toEqual(before);
    // A part number written as a string is protobuf's JSON for an int64, which MLflow reads.
    const done = await post(`${MPU}/complete/0/mpu`, { path: "/tmp/parts.bin", upload_id: created.upload_id, parts: [{ part_number: "1", etag }] });
    expect(done.status, await done.clone().text()).toBe(200);
    expect(await (await server.fetch(`${ARTIFACTS}/0/mpu/parts.bin`)).text()).toBe("PART1");
  });

  it("refuses paths whose key would be longer than S3's 1,024 bytes with a 400, on every route, before asking the store", async () => {
    const segment = "a".repeat(250);
    // 1,262 bytes: S3 refuses the key (KeyTooLongError); 5,020: s3rver cannot store it either.
    for (const path of [`0/${Array(5).fill(segment).join("/")}/x.txt`, `0/${Array(20).fill(segment).join("/")}`]) {
      const attempts = [
        await server.fetch(`${ARTIFACTS}/${path}`, { method: "PUT", body: "x" }),
        // Of unknown length (chunked): the streamed multipart upload.
        await server.fetch(`${ARTIFACTS}/${path}`, { method: "PUT", body: Readable.from([Buffer.from("x")]) as unknown as BodyInit, duplex: "half" } as RequestInit),
        await server.fetch(`${ARTIFACTS}/${path}`),
        await server.fetch(`${ARTIFACTS}/${path}`, { method: "DELETE" }),
        await server.fetch(`${ARTIFACTS}?path=${path}`),
        await post(`${MPU}/create/${path}`, { path: "x.bin", num_parts: 1 }),
        await post(`${MPU}/complete/${path}`, { path: "x.bin", upload_id: "u", parts: [{ part_number: 1, etag: "e" }] }),
        await post(`${MPU}/abort/${path}`, { path: "x.bin", upload_id: "u" }),
      ];
      for (const response of attempts) {
        const { status, json } = await answer(response);
        expect(status, `${path.length}: ${JSON.stringify(json).slice(0, 300)}`).toBe(400);
        expect(json).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE", message: expect.stringContaining("1024 bytes") });
      }
    }
    expect((await allKeys(client, s3.bucket)).filter((k) => k.includes("aaaa"))).toEqual([]);
    // Up to the limit is fine: "proxied/" and 1,016 bytes (names short enough for s3rver's files).
    const longest = `0/${Array(5).fill("b".repeat(160)).join("/")}/${"c".repeat(209)}`;
    expect(Buffer.byteLength(`proxied/${longest}`)).toBe(1024);
    expect((await server.fetch(`${ARTIFACTS}/${longest}`, { method: "PUT", body: "x" })).status).toBe(200);
    expect(await (await server.fetch(`${ARTIFACTS}/${longest}`)).text()).toBe("x");
  });

  it("gives the store's connection (and the file) back when a client goes away mid-download", async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "proxied/0/dl/big.bin", Body: big }));
    expect((await local.fetch(`${ARTIFACTS}/0/dl/big.bin`, { method: "PUT", body: big })).status).toBe(200);
    // More than the repository's 64 sockets: each download read a little and dropped.
    const abandon = (target: TestServer, count: number) =>
      Promise.all(
        Array.from({ length: count }, () =>
          new Promise<void>((resolve, reject) => {
            const request = http.get(`${target.url}${ARTIFACTS}/0/dl/big.bin`, (response) => {
              response.once("data", () => {
                request.destroy();
                resolve();
              });
            });
            request.on("error", (error) => (request.destroyed ? resolve() : reject(error)));
          }),
        ),
      );
    await abandon(server, 70);
    const after = await server.fetch(`${ARTIFACTS}/0/mpu/parts.bin`, { signal: AbortSignal.timeout(10_000) });
    expect(after.status).toBe(200);
    expect(await after.text()).toBe("PART1");
    // The file repository: no descriptor of the dropped downloads stays open.
    if (process.platform === "linux") {
      const open = () => fs.readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith("/0/dl/big.bin");
        } catch {
          return false;
        }
      }).length;
      await abandon(local, 20);
      for (let waited = 0; open() > 0 && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(open()).toBe(0);
    }
  });

  it("answers a HEAD without pulling the object from the store", async () => {
    // A second server on the same bucket, through a proxy that counts what the store sends back.
    let received = 0;
    const proxy = net.createServer((socket) => {
      const upstream = net.connect(s3.port, "127.0.0.1");
      socket.pipe(upstream);
      upstream.on("data", (chunk: Buffer) => (received += chunk.length));
      upstream.pipe(socket);
      for (const s of [socket, upstream]) s.on("error", () => (socket.destroy(), upstream.destroy()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const counted = await startTestServer({ config: { artifactsDestination: `s3://${s3.bucket}/proxied` }, storeEnv: { ...s3.env, MLFLOW_S3_ENDPOINT_URL: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` } });
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "proxied/0/head/big.bin", Body: Buffer.alloc(64 * 1024 * 1024, 0x62) }));
      const head = await counted.fetch(`${ARTIFACTS}/0/head/big.bin`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String(64 * 1024 * 1024));
      await new Promise((r) => setTimeout(r, 500));
      expect(received).toBeLessThan(8 * 1024 * 1024);
    } finally {
      await counted.close();
      proxy.close();
    }
  });

  it("lists in code-point order (Python's sorted(), MLflow's order), as the file repository does", async () => {
    // UTF-16 order puts an astral character (a surrogate pair) before U+E000–U+FFFF.
    const names = ["z", "é", "\uFF01", "\u{1F600}", "\u{1F600}dir/x"];
    for (const target of [server, local]) {
      for (const name of names) expect((await target.fetch(`${ARTIFACTS}/0/order/${encodeURIComponent(name).replace(/%2F/g, "/")}`, { method: "PUT", body: "x" })).status).toBe(200);
      const listed = (await (await target.fetch(`${ARTIFACTS}?path=0/order`)).json()) as { files: { path: string }[] };
      expect(listed.files.map((f) => f.path), target === server ? "s3" : "local").toEqual(["z", "é", "\uFF01", "\u{1F600}", "\u{1F600}dir"]);
    }
  });

  it("answers ranges on an empty file as the file repository does", async () => {
    for (const target of [server, local]) {
      expect((await target.fetch(`${ARTIFACTS}/0/empty.txt`, { method: "PUT", body: "" })).status).toBe(200);
    }
    for (const range of ["bytes=0-", "bytes=0-0", "bytes=0-5", "bytes=-1"]) {
      const seen = [];
      for (const target of [local, server]) {
        const response = await target.fetch(`${ARTIFACTS}/0/empty.txt`, { headers: { Range: range } });
        seen.push({ status: response.status, range: response.headers.get("content-range"), length: response.headers.get("content-length"), body: await response.text() });
      }
      expect(seen[1], range).toEqual(seen[0]);
    }
  });
});
