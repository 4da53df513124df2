import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "@mlflow-ts/plugin-api";
import { loadServerApps, type ServerApps } from "./load-server-apps.js";
import { CliError } from "./config-error.js";
import { waitForSignal } from "./wait-for-signal.js";

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

/** The variable that makes a server wait for the watcher's word before taking the port. */
export const WATCH_HANDOFF = "MLFLOW_TS_WATCH_HANDOFF";

/**
 * In a server started by {@link watchServer}: tells the watcher `say` ("idle": modules imported;
 * "prepared": apps loaded, so a broken build has already failed) and waits for its word `waitFor`
 * ("load", then "listen" once the previous server has stopped).
 *
 * @example
 * if (env[WATCH_HANDOFF] === "1") await handoff("prepared", "listen");
 */
export function handoff(say: "idle" | "prepared", waitFor: "load" | "listen"): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: string } | undefined)?.type !== waitFor) return;
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
    process.send!({ type: say });
  });
}

/**
 * `mlflow server --watch`: runs the server in a child process and replaces it, on the same port,
 * whenever a built file (`.js`, `.json`, …) of one of its apps' packages changes — an author's
 * loop: `tsc --watch` in the app, `mlflow server --app-name x --watch` beside it. The replacement
 * is prepared (its modules imported, its apps loaded) while the previous server still serves, so
 * the switch costs a shutdown and a listen; a build that fails to load is reported and the
 * previous server keeps serving. SIGINT/SIGTERM stop the child, then the watcher.
 *
 * @example
 * process.exitCode = await watchServer(config, ["--app-name", "acme-auth"], io, apps);
 */
export async function watchServer(
  config: ServerConfig,
  args: readonly string[],
  io: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string; readonly stderr: (text: string) => void },
  loaded?: ServerApps,
): Promise<number> {
  // The watcher hands the port from one server process to the next: one process, not a cluster.
  if (config.workers > 1) throw new CliError("ERR_CONFIG_INVALID", [`--watch: serves with one process; drop --workers ${config.workers} (or MLFLOW_WORKERS) while developing`]);
  // The apps are found and their settings checked here first (unless the caller did): a wrong
  // name fails once, clearly.
  const apps = loaded ?? (await loadServerApps(config, io.env));
  const dirs = [...new Set(apps.loaded.map((l) => l.declaration.dir))];
  if (dirs.length === 0) io.stderr("Notice: --watch without --app-name watches nothing; the server runs as usual\n");
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  const childArgs = [BIN, "server", ...args.filter((a) => a !== "--watch"), "--port", String(port)];
  let current: ChildProcess | undefined;
  let stopping = false;
  // A spare server: spawned ahead, its modules imported, waiting to load the apps' code. `said(x)`
  // resolves true when it says x, false when it exits first (a broken build).
  const spawnSpare = () => {
    const child = spawn(process.execPath, childArgs, { cwd: io.cwd, env: { ...io.env, [WATCH_HANDOFF]: "1" } as NodeJS.ProcessEnv, stdio: ["inherit", "inherit", "inherit", "ipc"] });
    const heard = new Set<string>();
    const waiting = new Map<string, (ok: boolean) => void>();
    child.on("message", (m: unknown) => {
      const type = (m as { type?: string } | undefined)?.type;
      if (!type) return;
      heard.add(type);
      waiting.get(type)?.(true);
    });
    child.once("exit", (code, signal) => {
      for (const resolve of waiting.values()) resolve(false);
      if (!stopping && child === current && !stopped.has(child)) io.stderr(`mlflow --watch: the server exited (${signal ?? `code ${code}`}); waiting for a change to start it again\n`);
    });
    const said = (type: string) =>
      heard.has(type) ? Promise.resolve(true) : child.exitCode !== null || child.signalCode !== null ? Promise.resolve(false) : new Promise<boolean>((resolve) => waiting.set(type, resolve));
    return { child, said };
  };
  let spare: ReturnType<typeof spawnSpare> | undefined;
  // Children this watcher stopped itself (a restart): their exit is not news.
  const stopped = new WeakSet<ChildProcess>();
  const stop = async (child: ChildProcess | undefined) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    stopped.add(child);
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited(child);
    clearTimeout(timer);
  };
  const replace = async () => {
    const next = spare ?? spawnSpare();
    spare = undefined;
    if (!(await next.said("idle"))) {
      io.stderr("mlflow --watch: a server process failed before loading the apps (its error is above); waiting for a change\n");
      return;
    }
    next.child.send({ type: "load" });
    const loaded = await next.said("prepared");
    // The next change is served by a process whose modules are already imported.
    if (!stopping) spare = spawnSpare();
    if (!loaded) {
      io.stderr(`mlflow --watch: the new build did not start (its error is above)${current && current.exitCode === null ? "; the previous server keeps serving" : ""}; waiting for a change\n`);
      return;
    }
    if (stopping) return void (await stop(next.child));
    await stop(current);
    current = next.child;
    next.child.send({ type: "listen" });
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
        if (stopping) return;
        io.stderr(`mlflow --watch: ${files.slice(0, 3).join(", ")}${files.length > 3 ? ` and ${files.length - 3} more` : ""} changed; restarting on port ${port}\n`);
        await replace();
      });
    }, 100);
  };
  const watchers = dirs.map((dir) => fs.watch(dir, { recursive: true }, (_event, file) => onChange(dir, file)));
  io.stderr(`mlflow --watch: watching ${dirs.join(", ") || "nothing"}; the server keeps port ${port}\n`);
  restarting = replace();
  const signal = await waitForSignal();
  stopping = true;
  clearTimeout(timer);
  for (const w of watchers) w.close();
  await restarting;
  await Promise.all([stop(current), stop(spare?.child)]);
  io.stderr(`mlflow --watch: stopped (${signal})\n`);
  return 0;
}
