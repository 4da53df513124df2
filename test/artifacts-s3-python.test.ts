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
// file through MLflow's multipart endpoints, list_artifacts, download_artifacts, load_dict,
// sklearn's log_model with a registered version, then load_model from runs:/ and models:/, a
// model version) against `mlflow server` on s3rver, in both modes; and MLflow's own server and
// ours each serving, models included, what the other wrote to the same bucket. It needs a Python where
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
  registered_name: string;
  clf_files: string[];
  expected: number[][];
  loaded: number[][];
  pyfunc: number[];
  registered: number[];
  predicted: number[];
}

interface CrossRead {
  top: unknown;
  a: string;
  big: number;
  conf: unknown;
  cross: Record<string, string>;
  models: Record<string, number[][]>;
  registered: number[];
  retried?: string;
}

async function crossRead(url: string, artifactUri: string, who: string): Promise<CrossRead> {
  const { stdout } = await promisify(execFile)(PYTHON, [CROSSREAD, url, artifactUri, who], { env: { ...process.env, PYTHONPATH: PYTHONPATH! }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  const read = JSON.parse(stdout.trim().split("\n").at(-1)!) as CrossRead;
  if (read.retried) console.warn(`${who}'s server needed a second download: ${read.retried}`);
  return read;
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

const TOP = [["a.txt", false], ["clf", true], ["dir", true], ["model", true], ["weights", true]];

function expectWorkflow(result: Session): void {
  expect(result.top).toEqual(TOP);
  expect(result.dir).toEqual(["dir/b.json", "dir/deep"]);
  expect([result.same_a, result.same_c, result.same_big]).toEqual([true, true, true]);
  expect(result.conf).toEqual({ answer: 42 });
  // log_model's files, and the model loaded back (sklearn flavor, pyfunc, the registered version)
  // predicting what the fitted one does.
  expect(result.clf_files).toEqual(expect.arrayContaining(["clf/MLmodel", "clf/model.pkl", "clf/requirements.txt", "clf/conda.yaml", "clf/python_env.yaml"]));
  expect(result.loaded).toEqual(result.expected);
  expect(result.pyfunc).toEqual(result.predicted);
  expect(result.registered).toEqual(result.predicted);
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

  it("drop-in: MLflow's own server serves what mlflow-ts wrote to the bucket, models included, and mlflow-ts what MLflow's wrote", async () => {
    const s3 = await startS3Store();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-py-s3-"));
    const destination = `s3://${s3.bucket}/shared`;
    const ours = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/ours.db`, "--artifacts-destination", destination], { cwd, env: { ...s3.env } });
    // MLflow's server on its own database (its schema is older than ours): the bucket is what they
    // share, through each one's artifact proxy on the same destination.
    const theirs = await startMlflowServer(cwd, `sqlite:///${cwd}/theirs.db`, destination, s3.env);
    try {
      const written = await session(ours.url, "proxied", {});
      expectWorkflow(written);
      // MLflow's server serves what ours wrote: files, the logged model, a version registered on it
      // with that model as source; then it writes a file and a model of its own beside them.
      const read = await crossRead(theirs.url, written.artifact_uri, "mlflow");
      expect({ ...read, retried: undefined }).toEqual({ top: TOP, a: "hello from python", big: 12 * 1024 * 1024, conf: { answer: 42 }, cross: {}, models: { clf: written.expected }, registered: written.predicted, retried: undefined });
      // Ours serves what MLflow's server wrote: its file and its model.
      const back = await crossRead(ours.url, written.artifact_uri, "mlflow-ts");
      expect(back.cross).toEqual({ "written-by-mlflow.txt": "from mlflow" });
      expect(back.models).toEqual({ "by-mlflow": written.expected, clf: written.expected });
      expect(back.registered).toEqual(written.predicted);
      const base = written.artifact_uri.slice("mlflow-artifacts:/".length);
      expect(await (await fetch(`${ours.url}/api/2.0/mlflow-artifacts/artifacts/${base}/cross/written-by-mlflow.txt`)).text()).toBe("from mlflow");
      // And MLflow's server what ours' proxy wrote in that cross-read.
      expect(await (await fetch(`${theirs.url}/api/2.0/mlflow-artifacts/artifacts/${base}/cross/written-by-mlflow-ts.txt`)).text()).toBe("from mlflow-ts");
      expect((await crossRead(theirs.url, written.artifact_uri, "mlflow-again")).models["by-mlflow-ts"]).toEqual(written.expected);
    } finally {
      theirs.stop();
      await ours.stop();
      await s3.close();
    }
  }, 400_000);

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
      // The registered model's files, which the client wrote to the bucket, through the server.
      expect(await (await fetch(`${server.url}/model-versions/get-artifact?name=${result.registered_name}&version=1&path=MLmodel`)).text()).toMatch(/sklearn/);
    } finally {
      await server.stop();
      await s3.close();
    }
  }, 300_000);
});
