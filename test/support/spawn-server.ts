import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The published entry point, as a user runs it. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/mlflow.js");

/** A `mlflow server` subprocess. */
export interface SpawnedServer {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node bin/mlflow.js server --port 0 …` and resolves once it prints its URL.
 */
export function spawnServer(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [BIN, "server", "--port", "0", ...args], {
    cwd: options.cwd,
    env: { ...process.env, MLFLOW_LOG_FORMAT: "json", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start in time:\n${out}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => out,
          stop: () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
}
