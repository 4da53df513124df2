// Plugin-host benchmark (issue #4): discovery over a generated project of 5,000 installed packages
// (50 declaring apps), cold (fresh process) and warm, next to a bare loop reading the same
// package.json files (the floor) and Python's importlib.metadata.entry_points over 5,000
// .dist-info folders; and the time from process start to the first 200 with --app-name my-auth.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, ROOT, report } from "./lib.js";

const PACKAGES = 5000;
const APPS = 50;

function generateNodeProject(dir) {
  const modules = path.join(dir, "node_modules");
  for (let i = 0; i < PACKAGES; i += 1) {
    const scoped = i % 10 === 0;
    const name = scoped ? `@scope${i % 7}/pkg-${i}` : `pkg-${i}`;
    const pkgDir = path.join(modules, name);
    fs.mkdirSync(pkgDir, { recursive: true });
    const pkg = { name, version: "1.0.0", description: "a generated package with a typical manifest", main: "index.js", license: "MIT", dependencies: { lodash: "^4.17.21" }, scripts: { test: "echo" } };
    if (i % (PACKAGES / APPS) === 0) pkg["mlflow.app"] = { [`app-${i}`]: "./index.js:createApp" };
    fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2));
  }
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench-project", version: "1.0.0" }));
}

function generatePythonSite(dir) {
  for (let i = 0; i < PACKAGES; i += 1) {
    const info = path.join(dir, `pkg_${i}-1.0.0.dist-info`);
    fs.mkdirSync(info, { recursive: true });
    fs.writeFileSync(path.join(info, "METADATA"), `Metadata-Version: 2.1\nName: pkg-${i}\nVersion: 1.0.0\nSummary: a generated package\n`);
    if (i % (PACKAGES / APPS) === 0) fs.writeFileSync(path.join(info, "entry_points.txt"), `[mlflow.app]\napp-${i} = pkg_${i}.app:create_app\n`);
  }
}

const NODE_SCRIPT = `
const { discoverApps } = await import(${JSON.stringify(path.join(ROOT, "packages/plugin-host/dist/index.js"))});
const fs = await import("node:fs"); const path = await import("node:path");
const cwd = process.argv[1];
const t = () => Number(process.hrtime.bigint()) / 1e6;
const time = (fn) => { const s = t(); const r = fn(); return [t() - s, r]; };
const opts = { cwd, includeGlobal: false, hostDir: cwd };
const [cold, first] = time(() => discoverApps(opts));
const warmRuns = []; for (let i = 0; i < 5; i++) warmRuns.push(time(() => discoverApps(opts))[0]);
// The floor: list the same directories and read the same package.json files, nothing else.
const floor = () => { let n = 0; const root = path.join(cwd, "node_modules");
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const dirs = e.name.startsWith("@") ? fs.readdirSync(path.join(root, e.name)).map((x) => path.join(root, e.name, x)) : [path.join(root, e.name)];
    for (const d of dirs) { try { n += fs.readFileSync(path.join(d, "package.json"), "utf8").length; } catch {} } } return n; };
const floorRuns = []; for (let i = 0; i < 5; i++) floorRuns.push(time(floor)[0]);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ cold, warm: median(warmRuns), floor: median(floorRuns), apps: first.apps.length }));
`;

const PY_SCRIPT = `
import sys, time, json
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
import importlib.metadata as md
eps = md.entry_points(group="mlflow.app")
cold = (time.perf_counter() - t0) * 1000
runs = []
for _ in range(3):
    t = time.perf_counter(); eps2 = md.entry_points(group="mlflow.app"); runs.append((time.perf_counter() - t) * 1000)
print(json.dumps({"cold": cold, "warm": sorted(runs)[1], "apps": len([e for e in eps if e.name.startswith("app-")])}))
`;

export async function benchPlugins() {
  console.log("\n# plugin host (issue #4)  baselines: a bare loop reading the same package.json files (floor); Python importlib.metadata over 5,000 .dist-info");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-plugins-"));
  try {
    const project = path.join(dir, "project");
    const site = path.join(dir, "site");
    generateNodeProject(project);
    generatePythonSite(site);
    const node = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", NODE_SCRIPT, project], { encoding: "utf8" }));
    if (node.apps !== APPS) throw new Error(`discovery found ${node.apps} apps, expected ${APPS}`);
    const py = JSON.parse(execFileSync("python3", ["-c", PY_SCRIPT, site], { encoding: "utf8" }));
    if (py.apps !== APPS) throw new Error(`python found ${py.apps} entry points, expected ${APPS}`);
    report("discovery, 5,000 packages / 50 apps, cold (fresh process)", node.cold, "ms");
    report("discovery, warm (median of 5)", node.warm, "ms");
    report("floor: bare loop reading the same package.json files (median of 5)", node.floor, "ms", undefined, "baseline");
    report("discovery cold / floor", node.cold / node.floor, "x", ["<=", 2]);
    report("discovery warm / floor", node.warm / node.floor, "x", ["<=", 2], "warm reuses root listings validated by directory mtimes");
    report("Python importlib.metadata.entry_points, 5,000 dist-info, cold", py.cold, "ms", undefined, "baseline");
    report("Python entry_points, warm (median of 3)", py.warm, "ms");
    report("speed-up over Python, cold", py.cold / node.cold, "x", [">=", 2]);
    report("speed-up over Python, warm", py.warm / node.warm, "x", [">=", 2]);

    const times = [];
    for (let i = 0; i < 5; i += 1) times.push(await timeToFirst200(dir));
    times.sort((a, b) => a - b);
    report("process start → first 200, --app-name my-auth (median of 5)", times[2], "ms", ["<=", 1500]);
    const watch = await watchRestarts(dir, 5);
    report("--watch: built file written → new code answers (median of 5)", watch, "ms", ["<=", 1000], "issue 22: an author sees a change in a second");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timeToFirst200(dir) {
  const cwd = fs.mkdtempSync(path.join(dir, "start-"));
  const start = process.hrtime.bigint();
  // Port 0 and the announced URL: a random fixed port could be taken, and a process already there
  // could even answer the health check.
  const child = spawn(process.execPath, [BIN, "server", "--app-name", "my-auth", "--port", "0"], {
    cwd,
    env: { ...process.env, MY_AUTH_USERS: "bench:bench-password", MLFLOW_LOG_FORMAT: "json" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
        if (match) resolve(match[1]);
      });
      exited.then((code) => reject(new Error(`mlflow server --app-name my-auth exited with ${code} before listening`)));
    });
    for (;;) {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) return Number(process.hrtime.bigint() - start) / 1e6;
      if (Number(process.hrtime.bigint() - start) > 20e9) throw new Error("server did not answer 200 within 20 s");
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

// `mlflow server --app-name x --watch`: write the app's built file, time until the new code answers
// on the same port (the watcher's debounce, the old server's shutdown, a new process's start).
export async function watchRestarts(dir, n) {
  const project = fs.mkdtempSync(path.join(dir, "watch-"));
  const pkg = path.join(project, "node_modules", "watched");
  fs.mkdirSync(path.join(pkg, "dist"), { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "watched", version: "1.0.0", type: "module", "mlflow.app": { watched: "./dist/app.js:createApp" } }));
  const source = (v) => `export const createApp = (app) => { app.endpoint("GET", "/api/2.0/watched/v", {}, () => ({ v: ${v} })); };\n`;
  fs.writeFileSync(path.join(pkg, "dist", "app.js"), source(0));
  const child = spawn(process.execPath, [BIN, "server", "--app-name", "watched", "--port", "0", "--watch"], { cwd: project, env: { ...process.env, MLFLOW_LOG_FORMAT: "json" }, stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const version = async (url) => {
    try {
      const r = await fetch(`${url}/api/2.0/watched/v`);
      return r.ok ? (await r.json()).v : undefined;
    } catch {
      return undefined;
    }
  };
  try {
    const url = await new Promise((resolve) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
        if (match) resolve(match[1]);
      });
    });
    const times = [];
    for (let i = 1; i <= n; i += 1) {
      const start = process.hrtime.bigint();
      fs.writeFileSync(path.join(pkg, "dist", "app.js"), source(i));
      while ((await version(url)) !== i) {
        if (Number(process.hrtime.bigint() - start) > 20e9) throw new Error("--watch did not serve the change within 20 s");
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      // An author edits every few seconds: by then the watcher's spare process has its modules loaded.
      await new Promise((r) => setTimeout(r, 2000));
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(n / 2)];
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}
