import { spawnSync } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MlflowClient } from "@mlflow-ts/client";
import { BIN, spawnServer } from "../../../test/support/spawn-server.js";

describe("bin/mlflow.js", () => {
  it("lists every server option with its default and environment variable", () => {
    const result = spawnSync(process.execPath, [BIN, "server", "--help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    for (const text of ["--host", "MLFLOW_HOST", "127.0.0.1", "--port", "MLFLOW_PORT", "5000", "--backend-store-uri", "MLFLOW_BACKEND_STORE_URI", "sqlite:///mlflow.db", "--default-artifact-root", "--workers", "MLFLOW_WORKERS", "--static-prefix", "MLFLOW_STATIC_PREFIX"]) {
      expect(result.stdout.replace(/\s+/g, " ")).toContain(text);
    }
  });

  it("serves on SQLite from an empty directory and shuts down cleanly on SIGTERM", async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bin-"));
    const server = await spawnServer([], { cwd });
    const client = new MlflowClient(server.url);
    const id = await client.createExperiment("bin");
    // A request in flight when the signal arrives still completes: send its headers and half its
    // body, signal, then send the rest.
    const url = new URL(`${server.url}/api/2.0/mlflow/runs/create`);
    const body = JSON.stringify({ experiment_id: id, run_name: "inflight" });
    let stopped: Promise<number | null> | undefined;
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
        (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        stopped = server.stop();
        setTimeout(() => req.end(body.slice(10)), 200);
      }, 200);
    });
    const result = await answer;
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text).run.info.run_name).toBe("inflight");
    expect(await stopped).toBe(0);
    expect(fs.existsSync(path.join(cwd, "mlflow.db"))).toBe(true);
    expect(server.output()).toMatch(/"msg":"shutting down"/);
    // Access log: method, path, status, ms — and no query strings.
    expect(server.output()).toMatch(/"method":"POST","path":"\/api\/2.0\/mlflow\/experiments\/create","status":200,"ms":/);
  });

  it("serves with --workers 2 (Node cluster) and stops every worker", async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bin-"));
    const server = await spawnServer(["--workers", "2", "--port", "0"], { cwd });
    const client = new MlflowClient(server.url);
    const id = await client.createExperiment("cluster");
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.createRun(id, { runName: `r${i}` })));
    expect((await client.searchRuns([id])).runs).toHaveLength(20);
    // spawnServer returns at the first worker's "listening" line; wait for the second one's.
    const listening = () => new Set([...server.output().matchAll(/listening on [^"]+","url":"[^"]+","backend":"[^"]+","pid":(\d+)/g)].map((m) => m[1]));
    for (let waited = 0; listening().size < 2 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(listening().size).toBe(2);
    expect(await server.stop()).toBe(0);
  });
});
