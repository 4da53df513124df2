import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactsClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "./support/test-server.js";

// ArtifactsClient.uploadFile / downloadFile: files streamed from and to disk over real HTTP.
describe("artifact file transfers of the client", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-files-"));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

  it("uploads a file from disk and downloads it to disk byte for byte", async () => {
    const source = path.join(dir, "source.bin");
    // Not a multiple of the 4 MiB write batch, so the last partial batch is exercised too.
    fs.writeFileSync(source, crypto.randomBytes(9 * 1024 * 1024 + 123));
    await server.client.artifacts.uploadFile("files/a/source.bin", source);
    expect(await server.client.artifacts.list("files/a")).toEqual([{ path: "source.bin", is_dir: false, file_size: 9 * 1024 * 1024 + 123 }]);
    const target = path.join(dir, "copy.bin");
    expect(await server.client.artifacts.downloadFile("files/a/source.bin", target)).toBe(9 * 1024 * 1024 + 123);
    expect(sha(target)).toBe(sha(source));
    const empty = path.join(dir, "empty.txt");
    fs.writeFileSync(empty, "");
    await server.client.artifacts.uploadFile("files/empty.txt", empty, "text/plain");
    expect(await server.client.artifacts.downloadFile("files/empty.txt", path.join(dir, "empty-copy.txt"))).toBe(0);
    expect(fs.readFileSync(path.join(dir, "empty-copy.txt"), "utf8")).toBe("");
  });

  it("replaces an existing local file only once the download is complete", async () => {
    const target = path.join(dir, "replaced.txt");
    fs.writeFileSync(target, "old");
    await server.client.artifacts.upload("files/new.txt", "new");
    await server.client.artifacts.downloadFile("files/new.txt", target);
    expect(fs.readFileSync(target, "utf8")).toBe("new");
  });

  it("turns MLflow's error JSON into MlflowError and leaves nothing on disk", async () => {
    const target = path.join(dir, "missing", "x.bin");
    fs.mkdirSync(path.dirname(target));
    await expect(server.client.artifacts.downloadFile("files/nope.bin", target)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST", status: 404 });
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
    const source = path.join(dir, "small.txt");
    fs.writeFileSync(source, "x");
    // The URL collapses the dot segments, so this reaches no endpoint at all, and writes nothing.
    await expect(server.client.artifacts.uploadFile("files/../../evil.txt", source)).rejects.toMatchObject({ code: "ENDPOINT_NOT_FOUND", status: 404 });
    expect(fs.existsSync(path.join(server.config.artifactsDestination, "evil.txt"))).toBe(false);
    await expect(server.client.artifacts.uploadFile("files/x.txt", path.join(dir, "no-such-file"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("reports a refusal that comes before the body is read, and writes nothing", async () => {
    // A symlink out of the destination is refused on the path alone; the client is still sending.
    const outside = fs.mkdtempSync(path.join(dir, "outside-"));
    fs.mkdirSync(server.config.artifactsDestination, { recursive: true });
    fs.symlinkSync(outside, path.join(server.config.artifactsDestination, "escape"));
    const source = path.join(dir, "refused.bin");
    fs.writeFileSync(source, crypto.randomBytes(20 * 1024 * 1024));
    await expect(server.client.artifacts.uploadFile("escape/refused.bin", source)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE", status: 400 });
    expect(fs.readdirSync(outside)).toEqual([]);
    // The connection is still usable.
    await server.client.artifacts.uploadFile("files/after-refusal.bin", source);
  });

  it("goes through an injected fetch when the caller gave one", async () => {
    const seen: string[] = [];
    const counting: typeof fetch = (input, init) => {
      seen.push(`${init?.method ?? "GET"} ${String(input).replace(server.url, "")}`);
      return fetch(input, init);
    };
    const client = new ArtifactsClient(server.url, { fetch: counting });
    const source = path.join(dir, "via-fetch.bin");
    fs.writeFileSync(source, crypto.randomBytes(5 * 1024 * 1024));
    await client.uploadFile("files/via-fetch.bin", source);
    const target = path.join(dir, "via-fetch-copy.bin");
    expect(await client.downloadFile("files/via-fetch.bin", target)).toBe(5 * 1024 * 1024);
    expect(sha(target)).toBe(sha(source));
    expect(seen).toEqual(["PUT /api/2.0/mlflow-artifacts/artifacts/files/via-fetch.bin", "GET /api/2.0/mlflow-artifacts/artifacts/files/via-fetch.bin"]);
    await expect(client.downloadFile("files/nope.bin", path.join(dir, "nope.bin"))).rejects.toMatchObject({ status: 404 });
    expect(fs.existsSync(path.join(dir, "nope.bin"))).toBe(false);
  });

  it("reports a peer's refusal even when the connection breaks after it", async () => {
    // A raw peer: asks for the body, answers 403 at once, never reads the body, and resets the
    // connection 100 ms later, while the client is still blocked sending.
    const body = JSON.stringify({ error_code: "PERMISSION_DENIED", message: "not yours" });
    const peer = net.createServer((socket) => {
      socket.once("data", () => {
        socket.pause();
        socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        setTimeout(() => socket.resetAndDestroy(), 100);
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    try {
      const client = new ArtifactsClient(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`);
      const source = path.join(dir, "refused-by-peer.bin");
      fs.writeFileSync(source, crypto.randomBytes(64 * 1024 * 1024));
      await expect(client.uploadFile("x/file.bin", source)).rejects.toMatchObject({ code: "PERMISSION_DENIED", status: 403, message: "not yours" });
    } finally {
      await new Promise((resolve) => peer.close(resolve));
    }
  });

  it("holds an upload's body back until the server asks for it", async () => {
    // A raw peer that refuses on the headers alone, then counts what else arrives.
    const body = JSON.stringify({ error_code: "PERMISSION_DENIED", message: "not yours" });
    let head = "";
    let extra = 0;
    const peer = net.createServer((socket) => {
      socket.on("data", (chunk) => {
        if (head.includes("\r\n\r\n")) {
          extra += chunk.length;
          return;
        }
        head += chunk.toString("latin1");
        if (head.includes("\r\n\r\n")) socket.write(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    try {
      const client = new ArtifactsClient(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`);
      const source = path.join(dir, "held-back.bin");
      fs.writeFileSync(source, crypto.randomBytes(4 * 1024 * 1024));
      await expect(client.uploadFile("x/file.bin", source)).rejects.toMatchObject({ code: "PERMISSION_DENIED", status: 403 });
      await new Promise((r) => setTimeout(r, 1200));
      expect(head).toMatch(/\r\nexpect: 100-continue\r\n/i);
      expect(extra).toBe(0);
    } finally {
      await new Promise((resolve) => peer.close(resolve));
    }
  });

  it("sends the body anyway when a server never answers 100 Continue", async () => {
    let received = 0;
    const peer = http.createServer((req, res) => {
      req.on("data", (chunk: Buffer) => (received += chunk.length));
      req.on("end", () => res.end("{}"));
    });
    // Listening for checkContinue stops Node from answering it: this peer ignores the header.
    peer.on("checkContinue", (req, res) => peer.emit("request", req, res));
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    try {
      const client = new ArtifactsClient(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`);
      const source = path.join(dir, "no-continue.bin");
      fs.writeFileSync(source, crypto.randomBytes(3 * 1024 * 1024));
      await client.uploadFile("x/file.bin", source);
      expect(received).toBe(3 * 1024 * 1024);
    } finally {
      await new Promise((resolve) => peer.close(resolve));
    }
  });

  it("sends its credentials and leaves nothing when a download is cut short", async () => {
    // A peer that promises 1 MB and hangs up after 100 KB: what a dropped connection looks like.
    let authorization: string | undefined;
    const peer = http.createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200, { "Content-Length": 1024 * 1024 });
      res.write(Buffer.alloc(100 * 1024), () => res.destroy());
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    try {
      const client = new ArtifactsClient(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`, { username: "alice", password: "s3cret-passw0rd" });
      const target = path.join(dir, "cut", "file.bin");
      fs.mkdirSync(path.dirname(target));
      await expect(client.downloadFile("x/file.bin", target)).rejects.toThrow();
      expect(fs.readdirSync(path.dirname(target))).toEqual([]);
      expect(authorization).toBe(`Basic ${Buffer.from("alice:s3cret-passw0rd").toString("base64")}`);
    } finally {
      await new Promise((resolve) => peer.close(resolve));
    }
  });
});
