import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startS3Store } from "./support/s3-store.js";
import { spawn } from "node:child_process";
import { spawnServer } from "./support/spawn-server.js";
import { freePort } from "./support/free-port.js";

// Issue 21, with MLflow's own Python client (its daily artifact workflow: log_artifact(s), a 12 MB
// file through MLflow's multipart endpoints, list_artifacts, download_artifacts, load_dict, a
// model version) against `mlflow server` on s3rver, in both modes. It needs a Python where
// `import mlflow` and `import boto3` work (Debian's python3-boto3): MLFLOW_TS_TEST_MLFLOW_PYTHONPATH
// is the PYTHONPATH that makes MLflow importable (MLFLOW_TS_TEST_PYTHON the interpreter, default
// /usr/bin/python3). The session script is ours (test/support/python-s3-session.py).
const PYTHONPATH = process.env.MLFLOW_TS_TEST_MLFLOW_PYTHONPATH;
const PYTHON = process.env.MLFLOW_TS_TEST_PYTHON ?? "/usr/bin/python3";
const SESSION = path.join(path.dirname(fileURLToPath(import.meta.url)), "support", "python-s3-session.py");
const CROSSREAD = path.join(path.dirname(fileURLToPath(import.meta.url)), "support", "python-s3-crossread.py");
if (!PYTHONPATH) console.warn("MLflow Python client on S3 skipped: MLFLOW_TS_TEST_MLFLOW_PYTHONPATH is not set (a PYTHONPATH where `import mlflow` works)");

interface Session {
  experiment_location: string;
  artifact_uri: string;
  top: [string, boolean][];
  dir: string[];
  same_a: boolean;
  same_c: boolean;
  same_big: boolean;
  conf: unknown;
  model_version: [string, string];
  run_id: string;
}

async function session(url: string, mode: string, env: Record<string, string>): Promise<Session> {
  const { stdout } = await promisify(execFile)(PYTHON, [SESSION, url, mode], { env: { ...process.env, ...env, PYTHONPATH: PYTHONPATH! }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Session;
}

// MLflow's own server (python -m mlflow server, its own process group) on the same database and bucket.
async function startMlflowServer(cwd: string, backend: string, destination: string, env: Record<string, string>): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(PYTHON, ["-m", "mlflow", "server", "--backend-store-uri", backend, "--artifacts-destination", destination, "--host", "127.0.0.1", "--port", String(port), "--workers", "1"], {
    cwd,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, ...env, PYTHONPATH: PYTHONPATH! },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i += 1) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { url, stop: () => process.kill(-child.pid!, "SIGTERM") };
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid!, "SIGKILL");
  throw new Error("MLflow's server did not start");
}

function expectWorkflow(result: Session): void {
  expect(result.top).toEqual([["a.txt", false], ["dir", true], ["model", true], ["weights", true]]);
  expect(result.dir).toEqual(["dir/b.json", "dir/deep"]);
  expect([result.same_a, result.same_c, result.same_big]).toEqual([true, true, true]);
  expect(result.conf).toEqual({ answer: 42 });
}

describe.skipIf(!PYTHONPATH)("MLflow's Python client with the artifacts in S3", () => {
  it("proxied: through the server into the bucket, the 12 MB file by MLflow's multipart endpoints", async () => {
    const s3 = await startS3Store();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-py-s3-"));
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/mlflow.db`, "--artifacts-destination", `s3://${s3.bucket}/proxied`], { cwd, env: { ...s3.env } });
    try {
      // The client's own environment: proxied multipart on for files over 10 MB, 5 MB parts.
      const result = await session(server.url, "proxied", { MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: "true", MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE: "10485760", MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE: "5242880" });
      expectWorkflow(result);
      expect(result.artifact_uri).toMatch(/^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts$/);
      expect(server.output()).toMatch(/mpu\/complete\//);
      const key = `proxied/${result.artifact_uri.slice("mlflow-artifacts:/".length)}/weights/big.bin._S3rver_object`;
      expect(fs.statSync(path.join(s3.dir, s3.bucket, key)).size).toBe(12 * 1024 * 1024);
      const [name, version] = result.model_version;
      expect(await (await fetch(`${server.url}/model-versions/get-artifact?name=${name}&version=${version}&path=conf.json`)).json()).toEqual({ answer: 42 });
    } finally {
      await server.stop();
      await s3.close();
    }
  }, 300_000);

  it("drop-in: MLflow's own server serves what mlflow-ts wrote to the bucket, and mlflow-ts what MLflow's wrote", async () => {
    const s3 = await startS3Store();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-py-s3-"));
    const backend = `sqlite:///${cwd}/mlflow.db`;
    const destination = `s3://${s3.bucket}/shared`;
    let ours = await spawnServer(["--backend-store-uri", backend, "--artifacts-destination", destination], { cwd, env: { ...s3.env } });
    try {
      const written = await session(ours.url, "proxied", {});
      await ours.stop();
      const theirs = await startMlflowServer(cwd, backend, destination, s3.env);
      let read: { top: unknown; a: string; big: number; conf: unknown; retried?: string };
      try {
        const { stdout } = await promisify(execFile)(PYTHON, [CROSSREAD, theirs.url, written.run_id, "mlflow"], { env: { ...process.env, PYTHONPATH: PYTHONPATH! }, timeout: 120_000 });
        read = JSON.parse(stdout.trim().split("\n").at(-1)!);
      } finally {
        theirs.stop();
      }
      if (read.retried) console.warn(`MLflow's server needed a second download: ${read.retried}`);
      expect({ ...read, retried: undefined }).toEqual({ top: [["a.txt", false], ["dir", true], ["model", true], ["weights", true]], a: "hello from python", big: 12 * 1024 * 1024, conf: { answer: 42 }, retried: undefined });
      ours = await spawnServer(["--backend-store-uri", backend, "--artifacts-destination", destination], { cwd, env: { ...s3.env } });
      const base = written.artifact_uri.slice("mlflow-artifacts:/".length);
      expect(await (await fetch(`${ours.url}/api/2.0/mlflow-artifacts/artifacts/${base}/cross/written-by-mlflow.txt`)).text()).toBe("from mlflow");
    } finally {
      await ours.stop();
      await s3.close();
    }
  }, 300_000);

  it("direct: the client writes the bucket with boto3, the server reads it for the UI and the registry", async () => {
    const s3 = await startS3Store();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-py-s3-"));
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/mlflow.db`, "--no-serve-artifacts", "--default-artifact-root", `s3://${s3.bucket}/direct`], { cwd, env: { ...s3.env } });
    try {
      const result = await session(server.url, "direct", { ...s3.env });
      expectWorkflow(result);
      expect(result.artifact_uri).toMatch(new RegExp(`^s3://${s3.bucket}/direct/\\d+/[0-9a-f]{32}/artifacts$`));
      expect(await (await fetch(`${server.url}/get-artifact?run_id=${result.run_id}&path=a.txt`)).text()).toBe("hello from python");
      const big = await fetch(`${server.url}/get-artifact?run_id=${result.run_id}&path=weights/big.bin`);
      expect((await big.arrayBuffer()).byteLength).toBe(12 * 1024 * 1024);
      const [name, version] = result.model_version;
      expect(await (await fetch(`${server.url}/model-versions/get-artifact?name=${name}&version=${version}&path=conf.json`)).json()).toEqual({ answer: 42 });
    } finally {
      await server.stop();
      await s3.close();
    }
  }, 300_000);
});
