import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, spawnServer } from "../../../test/support/spawn-server.js";

// Issue 13: user errors get a stable code and no stack trace (exit 2 for configuration, 1 at run
// time); flags users script for MLflow work; --plugin-dir reaches the server.

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, MLFLOW_LOG_FORMAT: "json", ...env }, timeout: 30_000 });

describe("the mlflow command's errors and MLflow's flags", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-cli-"));

  it("says a port is in use, without a stack trace (exit 1)", async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const { port } = busy.address() as net.AddressInfo;
    const result = run(["server", "--port", String(port)], cwd);
    busy.close();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Error ERR_PORT_IN_USE: 127\.0\.0\.1:\d+ is already in use/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  // Issue 25 item 6: an app is applied only once the port is bound; a second server on a busy port
  // must not generate, print or store a new admin password before it stops.
  it("on a busy port with basic-auth, exits ERR_PORT_IN_USE having printed no password and stored no admin", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-busy-auth-"));
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const { port } = busy.address() as net.AddressInfo;
    const result = run(["server", "--port", String(port), "--app-name", "basic-auth"], dir, { MLFLOW_AUTH_ADMIN_PASSWORD: undefined, MLFLOW_AUTH_CONFIG_PATH: undefined });
    busy.close();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Error ERR_PORT_IN_USE: 127\.0\.0\.1:\d+ is already in use/);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/password/i);
    // The packaged basic_auth.ini keeps users in ./basic_auth.db: not even created.
    expect(fs.existsSync(path.join(dir, "basic_auth.db"))).toBe(false);
  });

  it("refuses a SQLite path whose directory does not exist (a typo must not make an empty database)", () => {
    const result = run(["server", "--port", "0", "--backend-store-uri", "sqlite:///no/such/dir/x.db"], cwd);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/directory .*no\/such\/dir does not exist/);
    expect(fs.existsSync(path.join(cwd, "no"))).toBe(false);
  });

  it("treats a bad URI the same in db upgrade and server: a configuration error (exit 2)", () => {
    const upgrade = run(["db", "upgrade", "foo"], cwd);
    const server = run(["server", "--backend-store-uri", "foo"], cwd);
    expect(upgrade.status).toBe(2);
    expect(server.status).toBe(2);
    expect(upgrade.stderr).toMatch(/ERR_CONFIG_INVALID/);
    expect(server.stderr).toMatch(/ERR_CONFIG_INVALID/);
  });

  it("says an unreachable database is unreachable (exit 1), not an internal error", () => {
    const result = run(["db", "upgrade", "postgresql://nobody@127.0.0.1:1/none"], cwd);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Error TEMPORARILY_UNAVAILABLE: Cannot connect to postgresql:\/\/nobody@127\.0\.0\.1:1\/none/);
  });

  it("accepts the Python servers' --*-opts with a notice, and runs `mlflow ui`", async () => {
    const server = await spawnServer(["--gunicorn-opts", "--timeout 60"], { cwd });
    try {
      expect(server.output()).toMatch(/--gunicorn-opts is an option of MLflow's Python server and does not apply/);
    } finally {
      await server.stop();
    }
    const ui = spawnSync(process.execPath, [BIN, "ui", "--help"], { encoding: "utf8" });
    expect(ui.status).toBe(0);
    expect(ui.stdout).toMatch(/--backend-store-uri/);
  });

  it("finds apps in a --plugin-dir given to the server", async () => {
    const plugins = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-plugin-dir-"));
    const pkg = path.join(plugins, "dir-app");
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "dir-app", version: "1.0.0", type: "module", "mlflow.app": { "dir-app": "./app.js:createApp" } }));
    fs.writeFileSync(path.join(pkg, "app.js"), 'export function createApp(app) { app.get("/dir-app", (_req, res) => res.json({ from: "dir-app" })); }');
    const server = await spawnServer(["--app-name", "dir-app", "--plugin-dir", plugins], { cwd });
    try {
      expect(await (await fetch(`${server.url}/dir-app`)).json()).toEqual({ from: "dir-app" });
    } finally {
      await server.stop();
    }
  });

  // Issue 25 item 5: `mlflow server --app-name x` inside the package that declares x (a scaffold
  // after `npm run build`) finds it, as startAppServer does.
  it("finds the app declared by the package at the working directory (or above it)", async () => {
    const pkg = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-own-app-")));
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "own-app", version: "0.1.0", type: "module", "mlflow.app": { "own-app": "./dist/app.js:createApp" } }));
    fs.mkdirSync(path.join(pkg, "dist"));
    fs.writeFileSync(path.join(pkg, "dist", "app.js"), 'export function createApp(app) { app.get("/own-app", (_req, res) => res.json({ from: "own-app" })); }');
    for (const cwd of [pkg, path.join(pkg, "dist")]) {
      const server = await spawnServer(["--app-name", "own-app"], { cwd });
      try {
        expect(await (await fetch(`${server.url}/own-app`)).json()).toEqual({ from: "own-app" });
      } finally {
        await server.stop();
      }
    }
  });

  it("serves Prometheus metrics with --expose-prometheus: requests by endpoint, store calls, the process", async () => {
    const metricsDir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-prom-"));
    expect(run(["server", "--expose-prometheus", path.join(metricsDir, "missing")], cwd).stderr).toMatch(/ERR_CONFIG_INVALID[\s\S]*does not exist/);
    const server = await spawnServer(["--expose-prometheus", metricsDir], { cwd });
    try {
      await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
      await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=12345`);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toMatch(/mlflow_ts_http_requests_total\{method="GET",route="\/api\/2\.0\/mlflow\/experiments\/get",status="200"\} 1/);
      expect(text).toMatch(/mlflow_ts_http_requests_total\{method="GET",route="\/api\/2\.0\/mlflow\/experiments\/get",status="404"\} 1/);
      expect(text).toMatch(/mlflow_ts_store_call_duration_seconds_count\{store="tracking",method="getExperiment",outcome="error"\} 1/);
      expect(text).toMatch(/mlflow_ts_process_resident_memory_bytes \d+/);
    } finally {
      await server.stop();
    }
  });
});
