import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

// Over real HTTP, on every dialect: input larger than the parser, the database or the filesystem
// takes is a 400 with MLflow's error JSON (INVALID_PARAMETER_VALUE) naming the limit, nothing is
// written, and a 10 MB filter does not stall the server.

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** Sends a request and returns status and body; `onSent` runs once the whole body has been written. */
function raw(server: TestServer, method: string, pathAndQuery: string, body?: string, headers: Record<string, string> = {}, onSent?: () => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const contentHeaders = body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) };
    const request = http.request(`${server.url}${pathAndQuery}`, { method, headers: { ...contentHeaders, ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    if (onSent) request.on("finish", onSent);
    request.end(body);
  });
}

/** Status, error code and message of an error answer. */
function errorOf(answer: Answer): { status: number; code: string; message: string } {
  const body = JSON.parse(answer.text) as { error_code: string; message: string };
  return { status: answer.status, code: body.error_code, message: body.message };
}

/** Expects a 400 INVALID_PARAMETER_VALUE whose message matches `words`; `label` names the case in a failure. */
function expect400(label: string, answer: Answer, words: RegExp): void {
  const error = answer.text.startsWith("{") ? errorOf(answer) : { status: answer.status, code: "(not JSON)", message: answer.text.slice(0, 200) };
  expect([label, error.status, error.code]).toEqual([label, 400, "INVALID_PARAMETER_VALUE"]);
  expect([label, error.message]).toEqual([label, expect.stringMatching(words)]);
}

const API = "/api/2.0/mlflow";

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`bad input over HTTP is a 400 (${dialect})`, () => {
    let server: TestServer;
    let experimentId: string;
    let runId: string;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
      experimentId = await server.client.createExperiment("bounds");
      runId = (await server.client.createRun(experimentId)).info.run_id;
      expect((await post("/registered-models/create", { name: "m" })).status).toBe(200);
      expect((await post("/model-versions/create", { name: "m", source: "s3://bucket/model" })).status).toBe(200);
    });
    afterAll(async () => server?.close());
    const post = (p: string, body: unknown) => raw(server, "POST", `${API}${p}`, JSON.stringify(body));
    const patch = (p: string, body: unknown) => raw(server, "PATCH", `${API}${p}`, JSON.stringify(body));
    const get = (p: string, query: Record<string, string>) => raw(server, "GET", `${API}${p}?${new URLSearchParams(query).toString()}`);

    it("refuses a 10 MB filter at once, and answers /health within 1 s right after it", async () => {
      // The old tokenizer took seconds over 10 MB of this, with the event loop busy throughout.
      const filter = "(".repeat(10 * 1024 * 1024);
      let healthMs = Infinity;
      let health: Promise<Answer> | undefined;
      const started = performance.now();
      const search = raw(server, "POST", `${API}/runs/search`, JSON.stringify({ experiment_ids: [experimentId], filter }), {}, () => {
        const sent = performance.now();
        health = raw(server, "GET", "/health").then((answer) => {
          healthMs = performance.now() - sent;
          return answer;
        });
      });
      const answer = await search;
      const searchMs = performance.now() - started;
      expect400("runs/search", answer, /at most 65536 characters/);
      expect((await health!).status).toBe(200);
      console.info(`10 MB filter: 400 after ${searchMs.toFixed(0)} ms (upload included); /health answered in ${healthMs.toFixed(0)} ms`);
      expect(healthMs).toBeLessThan(1_000);
    });

    it("refuses filters over 64 KiB on every search that takes a body", async () => {
      const filter = `name = '${"a".repeat(70_000)}'`;
      expect400("runs/search", await post("/runs/search", { experiment_ids: [experimentId], filter }), /65536 characters/);
      expect400("experiments/search", await post("/experiments/search", { filter, max_results: 10 }), /65536 characters/);
      expect400("logged-models/search", await post("/logged-models/search", { experiment_ids: [experimentId], filter }), /65536 characters/);
      // At the limit a filter still runs.
      const fits = `tags.t = '${"a".repeat(60_000)}'`;
      expect((await post("/runs/search", { experiment_ids: [experimentId], filter: fits })).status).toBe(200);
    });

    it("refuses LIKE and ILIKE patterns over 10,000 bytes on every search", async () => {
      // A URL holds at most 16 KiB here: 10,001 plain letters fit, and are one byte over.
      const pattern = "a".repeat(10_001);
      for (const op of ["LIKE", "ILIKE"]) {
        expect400(`runs/search ${op}`, await post("/runs/search", { experiment_ids: [experimentId], filter: `tags.t ${op} '${"%".repeat(60_000)}'` }), /10000 bytes/);
        expect400(`runs/search ${op}`, await post("/runs/search", { experiment_ids: [experimentId], filter: `attributes.run_name ${op} '${pattern}'` }), /10000 bytes/);
        expect400(`experiments/search ${op}`, await post("/experiments/search", { filter: `name ${op} '${pattern}'`, max_results: 10 }), /10000 bytes/);
        expect400(`registered-models/search ${op}`, await get("/registered-models/search", { filter: `name ${op} '${pattern}'` }), /10000 bytes/);
        expect400(`model-versions/search ${op}`, await get("/model-versions/search", { filter: `name ${op} '${pattern}'` }), /10000 bytes/);
        expect400(`logged-models/search ${op}`, await post("/logged-models/search", { experiment_ids: [experimentId], filter: `name ${op} '${pattern}'` }), /10000 bytes/);
      }
      // Multi-byte characters count as their UTF-8 bytes: 3,334 × 3 bytes.
      expect400("runs/search €", await post("/runs/search", { experiment_ids: [experimentId], filter: `tags.t LIKE '${"€".repeat(3_334)}'` }), /10000 bytes/);
      expect((await post("/runs/search", { experiment_ids: [experimentId], filter: `tags.t LIKE '${"%".repeat(10_000)}'` })).status).toBe(200);
    });

    it("refuses over-long order_by entries and page tokens", async () => {
      const orderBy = [`params.\`${"k".repeat(2_000)}\``];
      expect400("runs/search order_by", await post("/runs/search", { experiment_ids: [experimentId], order_by: orderBy }), /1000 characters/);
      expect400("experiments/search order_by", await post("/experiments/search", { order_by: orderBy, max_results: 10 }), /1000 characters/);
      expect400("logged-models/search order_by", await post("/logged-models/search", { experiment_ids: [experimentId], order_by: [{ field_name: `metrics.${"k".repeat(2_000)}` }] }), /1000 characters/);
      const token = "e".repeat(5 * 1024 * 1024);
      expect400("runs/search page_token", await post("/runs/search", { experiment_ids: [experimentId], page_token: token }), /1024 characters/);
      expect400("experiments/search page_token", await post("/experiments/search", { page_token: token, max_results: 10 }), /1024 characters/);
      expect400("registered-models/search page_token", await get("/registered-models/search", { page_token: "e".repeat(2_000) }), /1024 characters/);
    });

    it("refuses values longer than their columns, naming the limit, and writes nothing", async () => {
      const runCount = async () => ((JSON.parse((await post("/runs/search", { experiment_ids: [experimentId] })).text) as { runs?: unknown[] }).runs ?? []).length;
      const runs = await runCount();
      expect400("runs/create user_id", await post("/runs/create", { experiment_id: experimentId, user_id: "u".repeat(257) }), /exceeded length limit of 256/);
      expect(await runCount()).toBe(runs);

      expect400("registered-models/create description", await post("/registered-models/create", { name: "described", description: "d".repeat(5_001) }), /exceeded length limit of 5000/);
      expect((await get("/registered-models/get", { name: "described" })).status).toBe(404);
      expect400("registered-models/update description", await patch("/registered-models/update", { name: "m", description: "d".repeat(5_001) }), /exceeded length limit of 5000/);
      expect400("model-versions/update description", await patch("/model-versions/update", { name: "m", version: "1", description: "d".repeat(5_001) }), /exceeded length limit of 5000/);
      const version = JSON.parse((await get("/model-versions/get", { name: "m", version: "1" })).text) as { model_version: { description?: string } };
      expect(version.model_version.description ?? "").toBe("");

      expect400("logged-models name", await post("/logged-models", { experiment_id: experimentId, name: "n".repeat(501) }), /exceeded length limit of 500/);
      expect400("logged-models model_type", await post("/logged-models", { experiment_id: experimentId, model_type: "t".repeat(501) }), /exceeded length limit of 500/);
      const models = JSON.parse((await post("/logged-models/search", { experiment_ids: [experimentId] })).text) as { models?: unknown[] };
      expect(models.models ?? []).toEqual([]);
    });

    it.runIf(dialect === "mysql")("answers a value that would exceed max_allowed_packet with 400, not a reset connection (503)", async () => {
      // Quotes are escaped into the statement text: 9 MB of them make an 18 MB statement, over
      // MariaDB's 16 MB max_allowed_packet; delete-tag checks nothing about its key before the query.
      const answer = await post("/runs/delete-tag", { run_id: runId, key: "'".repeat(9 * 1024 * 1024) });
      expect400("runs/delete-tag", answer, /max_allowed_packet/);
      expect((await get("/runs/get", { run_id: runId })).status).toBe(200);
    });
  });
}

describe("artifact paths longer than the filesystem takes, over HTTP", () => {
  let server: TestServer;
  let experimentId: string;
  let runId: string;
  beforeAll(async () => {
    server = await startTestServer();
    experimentId = await server.client.createExperiment("artifacts");
    runId = (await server.client.createRun(experimentId)).info.run_id;
  });
  afterAll(async () => server?.close());

  // 20 segments of 250 bytes: each one legal, together over Linux's PATH_MAX of 4,096 bytes.
  const deep = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(250, "d")).join("/");
  const octets = { "Content-Type": "application/octet-stream" };

  it("answers every artifact operation on such a path with 400 and leaves no file or directory behind", async () => {
    const base = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    expect400("PUT", await raw(server, "PUT", `${base}/${deep}/file.txt`, "payload", octets), /4096 bytes/);
    expect400("GET", await raw(server, "GET", `${base}/${deep}/file.txt`), /4096 bytes/);
    expect400("DELETE", await raw(server, "DELETE", `${base}/${deep}`), /4096 bytes/);
    expect400("list", await raw(server, "GET", `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts/${deep}`), /4096 bytes/);
    expect400("list-artifacts", await raw(server, "GET", `${API}/artifacts/list?run_id=${runId}&path=${deep}`), /4096 bytes/);
    const upload = `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=${deep}/file.txt`;
    expect400("upload-artifact", await raw(server, "POST", upload, "payload", octets), /4096 bytes/);
    expect(fs.existsSync(path.join(server.config.artifactsDestination, experimentId))).toBe(false);
  });

  it("refuses a path whose temporary upload file would not fit, before making its directories", async () => {
    fs.mkdirSync(server.config.artifactsDestination, { recursive: true });
    const root = fs.realpathSync(server.config.artifactsDestination);
    const prefix = `${experimentId}/${runId}/artifacts`;
    // Directories up to 4,093 bytes, then "/x": the file fits, `.mlflow-upload-<uuid>` beside it does not.
    const room = 4_095 - Buffer.byteLength(path.join(root, prefix)) - 1 - 2;
    const parts: string[] = [];
    const used = () => (parts.length === 0 ? 0 : parts.join("/").length + 1);
    while (room - used() > 255) parts.push("s".repeat(200));
    parts.push("d".repeat(room - used()));
    const relative = `${parts.join("/")}/x`;
    expect(Buffer.byteLength(path.join(root, prefix, relative))).toBe(4_095);
    expect400("PUT", await raw(server, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${prefix}/${relative}`, "payload", octets), /4096 bytes/);
    expect(fs.existsSync(path.join(root, prefix, parts[0]!))).toBe(false);
  });
});
