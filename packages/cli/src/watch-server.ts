import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "@mlflow-ts/plugin-api";
import { loadServerApps } from "./load-server-apps.js";

// This package's own executable (dist/bin.js), so the child runs the same mlflow as the watcher.
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "bin.js");
// Only what a build writes restarts the server: a TypeScript source changes first, its output after.
const BUILT = /\.(m?js|cjs|json|node|css|html)$/;
const IGNORED = /(^|[\\/])(node_modules|\.git)([\\/]|$)/;

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/**
 * `mlflow server --watch`: runs the server in a child process and restarts it, on the same port,
 * whenever a built file (`.js`, `.json`, …) of one of its apps' packages changes — an author's
 * loop: `tsc --watch` in the app, `mlflow server --app-name x --watch` beside it. A child that fails
 * to start (a broken build) is reported, and the next change starts it again. SIGINT/SIGTERM stop
 * the child, then the watcher.
 *
 * @example
 * process.exitCode = await watchServer(config, ["--app-name", "acme-auth"], io);
 */
export async function watchServer(
  config: ServerConfig,
  args: readonly string[],
  io: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string; readonly stderr: (text: string) => void },
): Promise<number> {
  // The apps are found and their settings checked here first: a wrong name fails once, clearly.
  const apps = await loadServerApps(config, io.env);
  const dirs = [...new Set(apps.loaded.map((l) => l.declaration.dir))];
  if (dirs.length === 0) io.stderr("Notice: --watch without --app-name watches nothing; the server runs as usual\n");
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  const childArgs = [BIN, "server", ...args.filter((a) => a !== "--watch"), "--port", String(port)];
  let child: ChildProcess | undefined;
  let stopping = false;
  // Children this watcher stopped itself (a restart): their exit is not news.
  const stopped = new WeakSet<ChildProcess>();
  const start = () => {
    const started = spawn(process.execPath, childArgs, { cwd: io.cwd, env: { ...io.env } as NodeJS.ProcessEnv, stdio: "inherit" });
    child = started;
    started.once("exit", (code, signal) => {
      if (!stopping && !stopped.has(started) && code !== 0) io.stderr(`mlflow --watch: the server exited (${signal ?? `code ${code}`}); waiting for a change to start it again\n`);
    });
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    stopped.add(running);
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await exited(running);
    clearTimeout(timer);
  };
  let timer: NodeJS.Timeout | undefined;
  let restarting = Promise.resolve();
  const changed = new Set<string>();
  const onChange = (dir: string, file: string | null) => {
    if (!file || IGNORED.test(file) || !BUILT.test(file) || stopping) return;
    changed.add(path.join(dir, file));
    clearTimeout(timer);
    // A build writes many files at once: restart once, after they settle.
    timer = setTimeout(() => {
      const files = [...changed].map((f) => path.relative(io.cwd, f) || f);
      changed.clear();
      restarting = restarting.then(async () => {
        io.stderr(`mlflow --watch: ${files.slice(0, 3).join(", ")}${files.length > 3 ? ` and ${files.length - 3} more` : ""} changed; restarting on port ${port}\n`);
        await stop();
        if (!stopping) start();
      });
    }, 150);
  };
  const watchers = dirs.map((dir) => fs.watch(dir, { recursive: true }, (_event, file) => onChange(dir, file)));
  io.stderr(`mlflow --watch: watching ${dirs.join(", ") || "nothing"}; the server keeps port ${port}\n`);
  start();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (s: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(s);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  stopping = true;
  clearTimeout(timer);
  for (const w of watchers) w.close();
  await restarting;
  await stop();
  io.stderr(`mlflow --watch: stopped (${signal})\n`);
  return 0;
}
