import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

// Issue 9, items 7, 9, 10 and 11: client input that used to get a 5xx, a silently altered value,
// or a file outside the artifact root. Every answer here is a 4xx with MLflow's error JSON.

/** Sends raw bytes and returns status and body (fetch cannot send a GET body or invalid UTF-8). */
function raw(server: TestServer, method: string, pathAndQuery: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${pathAndQuery}`, { method, headers: { ...(body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) }), ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

function errorOf(answer: { status: number; text: string }): { status: number; code: string } {
  return { status: answer.status, code: (JSON.parse(answer.text) as { error_code: string }).error_code };
}

const BAD = { status: 400, code: "INVALID_PARAMETER_VALUE" };

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`hostile input gets a 4xx and changes nothing (${dialect})`, () => {
    let server: TestServer;
    let experimentId: string;
    let runId: string;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
      experimentId = await server.client.createExperiment("hostile");
      runId = (await server.client.createRun(experimentId)).info.run_id;
    });
    afterAll(async () => server?.close());
    const post = (p: string, body: unknown) => raw(server, "POST", `/api/2.0/mlflow${p}`, JSON.stringify(body));

    it("refuses JSON nested deeper than MLflow's messages ever are", async () => {
      const deep = `{"name":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
      const answer = await raw(server, "POST", "/api/2.0/mlflow/experiments/create", deep);
      expect(errorOf(answer)).toEqual({ status: 400, code: "BAD_REQUEST" });
      expect(answer.text).toContain("nested deeper");
    });

    it("caps filter clauses, IN lists and order_by entries with a clear 400", async () => {
      for (const clauses of [51, 200, 999, 1500]) {
        const filter = Array.from({ length: clauses }, (_, i) => `params.p${i} = 'x'`).join(" and ");
        const answer = await post("/runs/search", { experiment_ids: [experimentId], filter });
        expect(errorOf(answer)).toEqual(BAD);
        expect(answer.text).toContain("at most 50 clauses");
      }
      const fifty = Array.from({ length: 50 }, (_, i) => `params.p${i} != 'x'`).join(" and ");
      expect((await post("/runs/search", { experiment_ids: [experimentId], filter: fifty })).status).toBe(200);
      const inList = `params.p IN (${Array.from({ length: 1001 }, (_, i) => `'${i}'`).join(",")})`;
      expect(errorOf(await post("/runs/search", { experiment_ids: [experimentId], filter: inList }))).toEqual(BAD);
      const orderBy = Array.from({ length: 51 }, (_, i) => `params.p${i}`);
      expect(errorOf(await post("/runs/search", { experiment_ids: [experimentId], order_by: orderBy }))).toEqual(BAD);
      const ids = Array.from({ length: 1001 }, (_, i) => String(i));
      expect(errorOf(await post("/runs/search", { experiment_ids: ids }))).toEqual(BAD);
      for (const p of ["/experiments/search", "/registered-models/search", "/model-versions/search"]) {
        const filter = Array.from({ length: 60 }, () => "name = 'x'").join(" and ");
        const answer = p === "/experiments/search" ? await post(p, { filter }) : await raw(server, "GET", `/api/2.0/mlflow${p}?filter=${encodeURIComponent(filter)}`);
        expect([p, errorOf(answer)]).toEqual([p, BAD]);
      }
    });

    it("answers quickly-refused pathological searches without starving the pool", async () => {
      const filter = Array.from({ length: 200 }, (_, i) => `metrics.m${i} > 0`).join(" and ");
      const searches = Array.from({ length: 10 }, () => post("/runs/search", { experiment_ids: [experimentId], filter }));
      const get = raw(server, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`);
      expect((await Promise.all(searches)).map((a) => a.status)).toEqual(Array(10).fill(400));
      expect((await get).status).toBe(200);
    });

    it("refuses NUL characters and lone surrogates instead of failing in the database or storing bad UTF-8", async () => {
      for (const [p, body] of [
        ["/experiments/create", { name: "a\u0000b" }],
        ["/runs/set-tag", { run_id: runId, key: "k", value: "v\u0000" }],
        ["/runs/log-parameter", { run_id: runId, key: "k\u0000", value: "v" }],
        ["/runs/search", { experiment_ids: [experimentId], filter: "params.p = 'a\u0000'" }],
        ["/experiments/create", { name: "lone \udc00 surrogate" }],
        ["/runs/set-tag", { run_id: runId, key: "k", value: "\ud800" }],
      ] as const) {
        expect([p, errorOf(await post(p, body))]).toEqual([p, BAD]);
      }
      expect(errorOf(await raw(server, "GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=a%00b`))).toEqual(BAD);
      const run = await server.client.getRun(runId);
      expect(run.data.tags?.find((t) => t.key === "k")).toBeUndefined();
    });

    it("refuses a body that is not valid UTF-8 instead of replacing bytes", async () => {
      const body = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      const answer = await raw(server, "POST", "/api/2.0/mlflow/experiments/create", body);
      expect(errorOf(answer)).toEqual({ status: 400, code: "BAD_REQUEST" });
      await expect(server.client.getExperimentByName("caf\ufffd")).rejects.toMatchObject({ status: 404 });
    });

    it("reads metric values in decimal only", async () => {
      for (const value of ["0x10", "0b1", "0o7", "", "1e", "--1"]) {
        expect([value, errorOf(await post("/runs/log-metric", { run_id: runId, key: "m", value, timestamp: 1 }))]).toEqual([value, BAD]);
      }
      expect((await post("/runs/log-metric", { run_id: runId, key: "m", value: "1.5e3", timestamp: 1 })).status).toBe(200);
      expect((await server.client.getMetricHistory(runId, "m")).metrics.map((m) => m.value)).toEqual([1500]);
    });

    it("refuses numbers beyond what the database stores and names longer than its columns", async () => {
      for (const start_time of [1e20, "99999999999999999999", 2 ** 63, -(2 ** 63)]) {
        expect(errorOf(await post("/runs/create", { experiment_id: experimentId, start_time }))).toEqual(BAD);
      }
      expect(errorOf(await post("/runs/create", { experiment_id: experimentId, run_name: "n".repeat(1000) }))).toEqual(BAD);
      expect(errorOf(await post("/runs/update", { run_id: runId, run_name: "n".repeat(251) }))).toEqual(BAD);
      expect(errorOf(await post("/runs/log-metric", { run_id: runId, key: "m", value: 1, timestamp: 1e300 }))).toEqual(BAD);
    });

    it("refuses artifact paths through a file or with over-long segments", async () => {
      const base = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
      expect((await raw(server, "PUT", `${base}/a.txt`, "x", { "Content-Type": "application/octet-stream" })).status).toBe(200);
      expect(errorOf(await raw(server, "PUT", `${base}/a.txt/b.txt`, "x", { "Content-Type": "application/octet-stream" }))).toEqual(BAD);
      expect(errorOf(await raw(server, "GET", `${base}/a.txt/b.txt`))).toEqual({ status: 404, code: "RESOURCE_DOES_NOT_EXIST" });
      expect((await raw(server, "GET", `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts/a.txt/b`)).status).toBe(200);
      const long = "s".repeat(300);
      expect(errorOf(await raw(server, "PUT", `${base}/${long}`, "x", { "Content-Type": "application/octet-stream" }))).toEqual(BAD);
      expect(errorOf(await raw(server, "GET", `${base}/${long}`))).toEqual(BAD);
      expect(errorOf(await raw(server, "DELETE", `${base}/${long}`))).toEqual(BAD);
    });

    it("answers a URL over 16 KiB with MLflow's error JSON", async () => {
      const answer = await raw(server, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${"1".repeat(20_000)}`);
      expect(errorOf(answer)).toEqual({ status: 431, code: "BAD_REQUEST" });
    });
  });
}

describe("symlinks in the artifact root", () => {
  let server: TestServer;
  let outside: string;
  beforeAll(async () => {
    server = await startTestServer();
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-outside-"));
    fs.writeFileSync(path.join(outside, "secret.bin"), "s".repeat(12345));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it("never writes through a directory that became a link to elsewhere, nor lists what a link points at outside", async () => {
    const root = server.config.artifactsDestination;
    const put = (p: string) => raw(server, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${p}`, "payload", { "Content-Type": "application/octet-stream" });
    expect((await put("1/run/artifacts/first.txt")).status).toBe(200);
    // Someone with a shell swaps the run's directory for a link out of the root.
    fs.rmSync(path.join(root, "1", "run"), { recursive: true });
    fs.symlinkSync(outside, path.join(root, "1", "run"));
    expect(errorOf(await put("1/run/artifacts/second.txt"))).toEqual(BAD);
    expect(errorOf(await put("1/run/planted.txt"))).toEqual(BAD);
    expect(fs.readdirSync(outside)).toEqual(["secret.bin"]);
    // A link to a file outside is not listed (its size would leak), one inside is.
    fs.symlinkSync(path.join(outside, "secret.bin"), path.join(root, "1", "leak.bin"));
    fs.writeFileSync(path.join(root, "1", "inside.txt"), "abc");
    fs.symlinkSync(path.join(root, "1", "inside.txt"), path.join(root, "1", "alias.txt"));
    const listed = JSON.parse((await raw(server, "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1")).text) as { files: { path: string; file_size?: number }[] };
    expect(listed.files.map((f) => f.path)).toEqual(["alias.txt", "inside.txt"]);
    expect(listed.files.every((f) => f.file_size === 3)).toBe(true);
  });
});
