import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/backends.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

function relOf(uri: string): string {
  return uri.replace(/^mlflow-artifacts:\//, "");
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`artifacts end to end on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
    });
    afterAll(async () => server?.close());

    it("logs files and a directory to a run, lists and downloads them byte for byte", async () => {
      const { client } = server;
      const experimentId = await client.createExperiment("artifacts");
      const run = await client.createRun(experimentId);
      expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`);
      const root = relOf(run.info.artifact_uri);
      const files: Record<string, Buffer> = {
        "notes.txt": Buffer.from("hello"),
        "model/MLmodel": Buffer.from("flavors: {}\n"),
        "model/data/weights.bin": crypto.randomBytes(300_000),
      };
      for (const [name, bytes] of Object.entries(files)) await client.artifacts.upload(`${root}/${name}`, new Uint8Array(bytes));

      expect(await client.artifacts.list(root)).toEqual([
        { path: "model", is_dir: true },
        { path: "notes.txt", is_dir: false, file_size: 5 },
      ]);
      expect(await client.artifacts.list(`${root}/model/data`)).toEqual([{ path: "weights.bin", is_dir: false, file_size: 300_000 }]);
      const tracked = await client.artifacts.listRunArtifacts(run.info.run_id, "model");
      expect(tracked).toEqual({ rootUri: run.info.artifact_uri, files: [{ path: "model/MLmodel", is_dir: false, file_size: 12 }, { path: "model/data", is_dir: true }] });

      for (const [name, bytes] of Object.entries(files)) {
        const response = await client.artifacts.download(`${root}/${name}`);
        expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
        expect(response.headers.get("content-disposition")).toContain(`filename="${path.basename(name)}"`);
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      }
      expect((await client.artifacts.download(`${root}/notes.txt`)).headers.get("content-type")).toBe("text/plain");
      const ui = await server.fetch(`/get-artifact?run_id=${run.info.run_id}&path=notes.txt`);
      expect(await ui.text()).toBe("hello");

      await client.artifacts.delete(`${root}/notes.txt`);
      await expect(client.artifacts.download(`${root}/notes.txt`)).rejects.toMatchObject({ status: 404 });
    });

    it("streams a 100 MB file up and down unchanged", async () => {
      const { client } = server;
      const chunk = crypto.randomBytes(1024 * 1024);
      const hashIn = crypto.createHash("sha256");
      const body = Readable.from(
        (function* () {
          for (let i = 0; i < 100; i += 1) {
            const part = Buffer.from(chunk.map((b) => (b + i) & 0xff));
            hashIn.update(part);
            yield part;
          }
        })(),
      );
      await client.artifacts.upload("big/blob.bin", Readable.toWeb(body) as unknown as BodyInit);
      const response = await client.artifacts.download("big/blob.bin");
      expect(response.headers.get("content-length")).toBe(String(100 * 1024 * 1024));
      const hashOut = crypto.createHash("sha256");
      for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) hashOut.update(part);
      expect(hashOut.digest("hex")).toBe(hashIn.digest("hex"));
    });
  });
}

describe("artifact paths that could leave the destination are refused and write nothing", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  function raw(method: string, rawPath: string, body?: string): Promise<{ status: number; text: string }> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers: body ? { "Content-Length": Buffer.byteLength(body) } : {} }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  it.each([
    ["..", "/api/2.0/mlflow-artifacts/artifacts/../../../tmp/evil.txt"],
    ["encoded ..", "/api/2.0/mlflow-artifacts/artifacts/%2e%2e/%2e%2e/tmp/evil.txt"],
    ["double-encoded ..", "/api/2.0/mlflow-artifacts/artifacts/%252e%252e/evil.txt"],
    ["encoded slash ..", "/api/2.0/mlflow-artifacts/artifacts/a%2f..%2f..%2fevil.txt"],
    ["absolute", "/api/2.0/mlflow-artifacts/artifacts//etc/evil.txt"],
    ["backslash", "/api/2.0/mlflow-artifacts/artifacts/a%5c..%5c..%5cevil.txt"],
  ])("%s", async (_name, rawPath) => {
    const put = await raw("PUT", rawPath, "x");
    expect([400, 404]).toContain(put.status);
    const get = await raw("GET", rawPath);
    expect([400, 404]).toContain(get.status);
    expect(fs.existsSync(path.join(server.database.dir, "evil.txt"))).toBe(false);
    expect(fs.existsSync("/tmp/evil.txt")).toBe(false);
    expect(fs.existsSync("/etc/evil.txt")).toBe(false);
  });

  it("refuses a listing path with ..", async () => {
    const response = await server.fetch("/api/2.0/mlflow-artifacts/artifacts?path=../..");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code: string }).error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("refuses symlinks inside the destination that point out", async () => {
    const destination = server.config.artifactsDestination;
    fs.mkdirSync(destination, { recursive: true });
    const outside = fs.mkdtempSync(path.join(server.database.dir, "outside-"));
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    fs.symlinkSync(outside, path.join(destination, "escape"));
    expect((await server.fetch("/api/2.0/mlflow-artifacts/artifacts/escape/secret.txt")).status).toBe(400);
    const put = await server.fetch("/api/2.0/mlflow-artifacts/artifacts/escape/new.txt", { method: "PUT", body: "x" });
    expect(put.status).toBe(400);
    expect(fs.existsSync(path.join(outside, "new.txt"))).toBe(false);
    expect((await server.fetch("/api/2.0/mlflow-artifacts/artifacts?path=escape")).status).toBe(400);
  });

  it("leaves no partial file when an upload is aborted", async () => {
    const url = new URL(server.url);
    await new Promise<void>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, method: "PUT", path: "/api/2.0/mlflow-artifacts/artifacts/aborted/file.bin", headers: { "Content-Length": 10_000_000 } });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(100_000));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    const dir = path.join(server.config.artifactsDestination, "aborted");
    const leftovers = () => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
    // The server notices the abort asynchronously; give it time to remove its temp file.
    for (let waited = 0; leftovers().length > 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(path.join(dir, "file.bin"))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it("answers 501 to multipart and presigned calls so clients fall back to one PUT", async () => {
    for (const p of ["/api/2.0/mlflow-artifacts/mpu/create/a/b.bin", "/api/2.0/mlflow-artifacts/mpu/complete/a/b.bin", "/api/2.0/mlflow-artifacts/mpu/abort/a/b.bin"]) {
      const response = await server.fetch(p, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "a/b.bin" }) });
      expect(response.status).toBe(501);
      expect(await response.json()).toMatchObject({ error_code: "NOT_IMPLEMENTED" });
    }
    expect((await server.fetch("/api/2.0/mlflow-artifacts/presigned/a/b.bin")).status).toBe(501);
  });

  it("does not serve local artifact locations outside the artifact root", async () => {
    const id = await server.client.createExperiment("local-escape", { artifactLocation: "/etc" });
    const run = await server.client.createRun(id);
    const response = await server.fetch(`/get-artifact?run_id=${run.info.run_id}&path=passwd`);
    expect(response.status).toBe(400);
    const listing = await server.fetch(`/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}`);
    expect(listing.status).toBe(400);
  });
});

describe("serving modes", () => {
  it("--no-serve-artifacts answers 503 plain text on the proxy", async () => {
    const server = await startTestServer({ config: { serveArtifacts: false } });
    try {
      const response = await server.fetch("/api/2.0/mlflow-artifacts/artifacts?path=x");
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("--no-serve-artifacts");
      expect((await server.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0")).status).toBe(200);
    } finally {
      await server.close();
    }
  });
  it("--artifacts-only answers 503 plain text on tracking endpoints", async () => {
    const server = await startTestServer({ config: { artifactsOnly: true } });
    try {
      const response = await server.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0");
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("--artifacts-only");
      await server.client.artifacts.upload("x/y.txt", "ok");
      expect(await (await server.client.artifacts.download("x/y.txt")).text()).toBe("ok");
    } finally {
      await server.close();
    }
  });
});
