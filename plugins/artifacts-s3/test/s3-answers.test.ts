import http from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { S3ArtifactRepository } from "@mlflow-ts/artifacts-s3";

// What S3 answers that s3rver never does (s3rver crashes on a part that was never uploaded and
// checks no ETags), from a scripted endpoint through the real AWS SDK: the repository must turn
// the client's mistakes into 4xx and never trust an answer that contradicts itself.

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R</RequestId><HostId>H</HostId></Error>`;
}

describe("the repository on S3's own answers", () => {
  let server: http.Server;
  let next: Scripted = { status: 200, body: "" };
  const seen: { method: string; url: string; range?: string }[] = [];
  let repo: S3ArtifactRepository;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, ...(req.headers.range ? { range: req.headers.range } : {}) });
        res.writeHead(next.status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(next.body), ...next.headers });
        res.end(next.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    repo = new S3ArtifactRepository("s3://bucket/prefix", { env: { MLFLOW_S3_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: "K", AWS_SECRET_ACCESS_KEY: "S" }, cwd: "/" });
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await repo?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("answers 400 when S3 refuses the parts of a complete, and 404 for an upload it does not know", async () => {
    const parts = [{ partNumber: 1, etag: '"e"' }];
    for (const [code, message] of [
      ["InvalidPart", "One or more of the specified parts could not be found."],
      ["InvalidPartOrder", "The list of parts was not in ascending order."],
      ["EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."],
    ] as const) {
      next = { status: 400, body: s3ErrorXml(code, message) };
      const error = await repo.multipart.complete("1/r/artifacts/f.bin", "upload", parts).then(() => undefined, (e: unknown) => e as { code: string; message: string });
      expect(error, code).toMatchObject({ code: "INVALID_PARAMETER_VALUE", message: expect.stringContaining(code) });
      expect(error!.message).toContain(message);
    }
    next = { status: 404, body: s3ErrorXml("NoSuchUpload", "The specified upload does not exist.") };
    for (const attempt of [() => repo.multipart.complete("1/r/artifacts/f.bin", "forged", parts), () => repo.multipart.abort("1/r/artifacts/f.bin", "forged")]) {
      const error = await attempt().then(() => undefined, (e: unknown) => e as { code: string; message: string });
      expect(error).toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST", message: expect.stringContaining("NoSuchUpload") });
      expect(error!.message).not.toMatch(/^Artifact not found/);
    }
  });

  it("answers 400 for a key S3 finds too long", async () => {
    next = { status: 400, body: s3ErrorXml("KeyTooLongError", "Your key is too long") };
    await expect(repo.read("1/x")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it("never sends a range in exponent notation, which S3 would ignore", async () => {
    next = { status: 206, headers: { "Content-Range": "bytes 2-12/13", "Content-Type": "text/plain" }, body: "llo 0/a.txt" };
    const file = await repo.read("1/a.txt", { range: { start: 2, end: 1e23 } });
    expect(seen.map((s) => s.range)).toEqual(["bytes=2-"]);
    expect(file.range).toEqual({ start: 2, end: 12 });
    expect((await buffer(file.stream)).toString()).toBe("llo 0/a.txt");
  });

  it("does not trust a Content-Range that contradicts itself (s3rver's answer for an empty object)", async () => {
    next = { status: 206, headers: { "Content-Range": "bytes 0-0/0" }, body: "" };
    const file = await repo.read("1/empty.txt", { range: { start: 0 } });
    // The whole (empty) file, so that the caller answers 416 as for any range past the end.
    expect(file.range).toBeUndefined();
    expect(file.size).toBe(0);
    expect(seen.map((s) => s.range)).toEqual(["bytes=0-", undefined]);
  });

  it("still answers 500 for what the server's configuration got wrong", async () => {
    next = { status: 400, body: s3ErrorXml("InvalidArgument", "Server Side Encryption with KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms") };
    await expect(repo.multipart.complete("1/r/artifacts/f.bin", "upload", [{ partNumber: 1, etag: '"e"' }])).rejects.toMatchObject({ code: "INTERNAL_ERROR" });
  });
});
