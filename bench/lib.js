// Shared helpers of the benchmark: start servers as subprocesses, drive load with autocannon,
// read a process's peak RSS, print figures with their targets and baselines.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

// Where taskset(1) exists and there are two CPUs or more, a measurement can put its client (this
// process, and what it spawns) on CPU 0 and the servers it compares on the others. Left to the
// scheduler, a server sometimes shares the client's CPU for a whole run (wake-affine placement):
// measured on this 2-core machine, it then runs at half speed — one server in some runs, the
// other in others — and a ratio of two servers says more about placement than about them.
/** How many CPUs this machine has. */
export const CPUS = os.cpus().length;
/** Whether {@link pin} can pin (taskset present, two CPUs or more). */
export const HAS_TASKSET = (() => {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return CPUS >= 2;
  } catch {
    return false;
  }
})();
/** The CPU list of the client side of a pinned measurement. */
export const CLIENT_CPUS = "0";
/** The CPU list of the servers of a pinned measurement. */
export const SERVER_CPUS = `1-${CPUS - 1}`;

/**
 * Pins every thread of a process to a CPU list (a no-op without taskset).
 *
 * @example
 * pin(server.child.pid, SERVER_CPUS);
 */
export function pin(pid, cpus) {
  if (HAS_TASKSET) execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = path.join(ROOT, "bin", "mlflow.js");

/**
 * Starts `mlflow server --port 0 …` and resolves with its URL and child once it listens. For
 * profiling, BENCH_SERVER_NODE_ARGS adds Node flags (`--cpu-prof --cpu-prof-dir=…`, `--trace-gc`)
 * and BENCH_SERVER_LOG copies the server's stdout to a file.
 */
export function startServer(args, { cwd, env = {} } = {}) {
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(" ") : []), BIN, "server", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, MLFLOW_LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    if (process.env.BENCH_SERVER_LOG) child.stdout.pipe(fs.createWriteStream(process.env.BENCH_SERVER_LOG));
    child.stdout.on("data", (chunk) => {
      // Access lines are discarded as they come: the benchmark must not hold them in memory.
      if (out.length < 10_000) out += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (match && !child.url) {
        child.url = match[1];
        clearTimeout(timer);
        resolve({ url: match[1], child, stop: () => stop(child) });
      }
    });
    child.stderr.on("data", (chunk) => (out += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

/** Starts a do-nothing Node http server (the floor of any Node server) in a subprocess. */
export function startBareServer() {
  const code = `require("http").createServer((q,s)=>{q.resume();q.on("end",()=>{s.writeHead(200,{"Content-Type":"application/json","Content-Length":2});s.end("{}")})}).listen(0,"127.0.0.1",function(){console.log("listening on http://127.0.0.1:"+this.address().port)})`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => {
    child.stdout.on("data", (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) resolve({ url: match[1], child, stop: () => stop(child) });
    });
  });
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

/** Peak resident set size of a process, in MB (VmHWM, Linux). */
export function peakRssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds (Linux /proc; 10 ms ticks).
 * The difference over a measurement says which process the wall time went to.
 *
 * @example
 * const before = cpuMs(server.child.pid); await work(); console.log(cpuMs(server.child.pid) - before);
 */
export function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

/** Runs autocannon for a bounded time against one request shape; resolves with its result. */
export function load({ url, connections, duration = 5, method = "POST", path: p, body, setupRequest }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        pipelining: 1,
        requests: [{ method, path: p, headers: { "content-type": "application/json" }, body, ...(setupRequest ? { setupRequest } : {}) }],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on("error", reject);
  });
}

/** Times `n` sequential calls of an async function; returns latencies in ms, sorted. */
export async function timeSequential(n, fn) {
  const times = [];
  for (let i = 0; i < n; i += 1) {
    const start = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

const rows = [];
/** Records one figure: value, unit, target and whether it is met ("≥" or "≤"), and a note. */
export function report(name, value, unit, target, note = "") {
  const [op, limit] = target ?? [];
  const ok = op === undefined ? "" : (op === ">=" ? value >= limit : value <= limit) ? "PASS" : "MISS";
  const row = { name, value: Number(value.toFixed(value < 10 ? 2 : 1)), unit, target: op ? `${op} ${limit}` : "", ok, note };
  rows.push(row);
  console.log(`  ${name.padEnd(58)} ${String(row.value).padStart(10)} ${unit.padEnd(6)} ${row.target.padEnd(10)} ${ok.padEnd(4)} ${note}`);
  return row;
}

export function results() {
  return rows;
}

export async function postJson(url, p, body) {
  const response = await fetch(`${url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${p}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * MLflow's own Python server as a baseline, when `MLFLOW_TS_BENCH_PYTHON_MLFLOW` names a command
 * that runs it (e.g. `python3 -m mlflow`); undefined otherwise. Started as MLflow deploys it by
 * default (`mlflow server`, its own worker count), on the backend URI given, with `args` added to
 * its command line and `env` to its environment.
 */
export async function startPythonMlflow(uri, { cwd, args: extra = [], env = {} }) {
  const command = process.env.MLFLOW_TS_BENCH_PYTHON_MLFLOW;
  if (!command) return undefined;
  const port = await freePort();
  const [exe, ...args] = command.split(" ");
  const sqlalchemyUri = uri.replace(/^mysql:/, "mysql+pymysql:");
  const child = spawn(exe, [...args, "server", "--backend-store-uri", sqlalchemyUri, "--host", "127.0.0.1", "--port", String(port), ...extra], { cwd, detached: true, stdio: "ignore", env: { ...process.env, ...env } });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i += 1) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) {
      // The whole process group: MLflow's server runs its workers as children.
      return { url, child, stop: () => new Promise((resolve) => { child.once("exit", resolve); process.kill(-child.pid, "SIGTERM"); }) };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid, "SIGKILL");
  throw new Error(`MLflow's server (${command}) did not answer /health within 120 s`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
