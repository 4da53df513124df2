import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { freePort } from "./free-port.js";

const S3RVER_BIN = path.join(path.dirname(createRequire(import.meta.url).resolve("s3rver/package.json")), "bin", "s3rver.js");

/** An S3-compatible store (s3rver) on 127.0.0.1 with its own directory and one bucket. */
export interface S3Store {
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  readonly dir: string;
  /** What the server's environment needs to reach it, as MLflow's S3 settings name it. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the store (keeping its files: `start()` brings it back on the same port). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

// A TCP connection is the probe: it works for http and https alike (a self-signed https store
// would fail a fetch).
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    if (child.exitCode !== null) throw new Error(`s3rver exited (${child.exitCode}): ${output()}`);
    const up = await accepts(port);
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`s3rver did not answer on ${port}: ${output()}`);
}

/**
 * Starts s3rver in its own process on a free port with a fresh directory and the bucket
 * configured; credentials S3RVER/S3RVER; over https when `tls` names a key and certificate (PEM
 * files). Its own process, with OpenSSL's legacy provider: s3rver
 * 3.7 encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ refuses otherwise, so
 * listings past 1,000 keys would fail with InternalError. Stopped by PID.
 *
 * @example
 * const s3 = await startS3Store();
 * const repository = new S3ArtifactRepository(`s3://${s3.bucket}/mlflow`, { env: s3.env, cwd: process.cwd() });
 */
export async function startS3Store(options: { bucket?: string; tls?: { key: string; cert: string } } = {}): Promise<S3Store> {
  const bucket = options.bucket ?? "mlflow";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3rver-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    let output = "";
    child = spawn(process.execPath, ["--openssl-legacy-provider", S3RVER_BIN, "-d", dir, "-a", "127.0.0.1", "-p", String(port), "-s", "--configure-bucket", bucket, ...(options.tls ? ["--key", options.tls.key, "--cert", options.tls.cert] : [])], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    await waitForPort(port, child, () => output);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGTERM");
    });
  };
  await start();
  const endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    dir,
    env: { MLFLOW_S3_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_DEFAULT_REGION: "us-east-1" },
    stop,
    start,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
