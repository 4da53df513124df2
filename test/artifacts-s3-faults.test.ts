import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Store, type S3Store } from "./support/s3-store.js";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { startThrottlingProxy, type ThrottlingProxy } from "./support/throttling-proxy.js";

// Issue 21's faults, on the published entry point (`mlflow server` in its own process, so that its
// memory and its log are its own) with a real s3rver: a store that reads request bodies slowly
// (a throttling proxy in front of s3rver) must not make the server hold uploads in memory; a store
// that refuses the server's credentials gives clients a JSON error naming the cause, and neither
// the answer nor the log carries the secret. (The store stopped mid-upload: artifacts-s3-e2e.)

const MB = 1024 * 1024;

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

// `megabytes` of bytes as fast as the server takes them; the client's memory is a 1 MB chunk.
function upload(url: string, megabytes: number, knownLength: boolean): Promise<{ status: number; body: string }> {
  const chunk = Buffer.alloc(MB, 0x61);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "PUT", headers: knownLength ? { "Content-Length": String(megabytes * MB) } : {} }, (response) => {
      let body = "";
      response.on("data", (d: Buffer) => (body += d.toString()));
      response.on("end", () => resolve({ status: response.statusCode!, body }));
    });
    request.on("error", reject);
    Readable.from((function* () { for (let i = 0; i < megabytes; i += 1) yield chunk; })()).pipe(request);
  });
}

describe.skipIf(process.platform !== "linux")("a slow store (request bodies read at 48 MB/s a connection)", () => {
  let s3: S3Store;
  let slow: ThrottlingProxy;
  let server: SpawnedServer;
  beforeAll(async () => {
    s3 = await startS3Store();
    slow = await startThrottlingProxy(s3.port, 48 * MB);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-slow-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/mlflow.db`, "--artifacts-destination", `s3://${s3.bucket}/slow`], { cwd, env: { ...s3.env, MLFLOW_S3_ENDPOINT_URL: `http://127.0.0.1:${slow.port}` } });
  });
  afterAll(async () => {
    await server?.stop();
    await slow?.close();
    await s3?.close();
  });

  it("keeps the server's memory bounded while two 192 MB uploads wait on it, of known and unknown length", async () => {
    // Warm up (the SDK's modules, the first connections) before the baseline is taken.
    expect((await upload(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/warm/artifacts/w.bin`, 2, true)).status).toBe(200);
    expect((await upload(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/warm/artifacts/w2.bin`, 2, false)).status).toBe(200);
    const before = memoryMb(server.child.pid!);
    const forwardedBefore = slow.forwarded;
    const [known, chunked] = await Promise.all([
      upload(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/known.bin`, 192, true),
      upload(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/chunked.bin`, 192, false),
    ]);
    expect([known, chunked]).toEqual([{ status: 200, body: "{}" }, { status: 200, body: "{}" }]);
    const after = memoryMb(server.child.pid!);
    // Every byte went through the slow store, and arrived whole.
    expect(slow.forwarded - forwardedBefore).toBeGreaterThan(384 * MB);
    for (const name of ["known", "chunked"]) {
      expect(fs.statSync(path.join(s3.dir, s3.bucket, `slow/0/run/artifacts/${name}.bin._S3rver_object`)).size).toBe(192 * MB);
    }
    console.log(`slow store: server RSS ${before.rss.toFixed(0)} MB before, peak ${after.peak.toFixed(0)} MB while moving 384 MB`);
    // Holding either body would take 192 MB; streaming takes a few parts and socket buffers.
    expect(after.peak - before.rss).toBeLessThan(150);
  }, 180_000);
});

describe("a refused credential (mlflow server in its own process)", () => {
  let s3: S3Store;
  beforeAll(async () => {
    s3 = await startS3Store();
  });
  afterAll(async () => {
    await s3?.close();
  });

  // s3rver 3.7 refuses unknown access keys but does not verify SigV4 signatures, so a wrong secret
  // for a known key is not refused by it: the unknown key is the refusal it can make.
  for (const [what, keyId, cause] of [["an unknown access key", "NOSUCHKEY", "InvalidAccessKeyId"]] as const) {
    it(`${what}: a 403 JSON naming ${cause}, the secret neither in answers nor in the log`, async () => {
      const secret = `refused-secret-${cause}-5c1d`;
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-cred-"));
      const server = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/mlflow.db`, "--artifacts-destination", `s3://${s3.bucket}/p`], { cwd, env: { ...s3.env, AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret } });
      try {
        // The body of unknown length is small enough to be read whole before the store refuses it, so
        // that the client is not still writing when the answer comes.
        const answers = [
          await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/x.txt`, { method: "PUT", body: "x" }),
          await upload(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/chunked.bin`, 2, false).then((r) => new Response(r.body, { status: r.status })),
          await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/x.txt`),
          await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=0/r/artifacts`),
          await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/x.txt`, { method: "DELETE" }),
        ];
        for (const answer of answers) {
          const text = await answer.text();
          expect(answer.status, text).toBe(403);
          expect(JSON.parse(text)).toMatchObject({ error_code: "PERMISSION_DENIED" });
          expect(text).toContain(`refused the server's credentials (${cause})`);
          expect(text).toContain("AWS_SECRET_ACCESS_KEY");
          expect(text).not.toContain(secret);
        }
      } finally {
        await server.stop();
      }
      // The log has the requests (and their 403s), never the secret.
      expect(server.output()).toMatch(/mlflow-artifacts/);
      expect(server.output()).not.toContain(secret);
    }, 60_000);
  }
});
