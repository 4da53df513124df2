import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./support/free-port.js";
import { betterSqlite3LocalPrebuild } from "./support/local-prebuilds.js";
import { lockfileClosure, type LockedPackage } from "./support/lockfile-closure.js";
import { tarballsFromNpmCache } from "./support/npm-cache-tarballs.js";
import { publishTarball } from "./support/publish-tarball.js";
import { QUICK } from "./support/quick.js";
import { npmrcFor, startVerdaccio, type Verdaccio } from "./support/verdaccio.js";

// Issue 22, item 1: the release and a scaffolded app published to a real registry (Verdaccio, no
// uplinks: it serves only what this test published, so nothing reaches the public registry), then
// installed by name in a fresh project and served with `npx mlflow server --app-name`.
//
// Verdaccio must also serve every third-party package the install needs. Their exact versions come
// from the root package-lock.json (the closure of the released packages and of the toolchain a
// scaffolded app builds with), their tarballs from the npm cache that `npm ci` filled (by the
// lockfile's integrity, hashed again; `npm pack --offline` for any not found that way), published
// through the registry's HTTP API side by side. better-sqlite3's install script finds its binary
// as a local prebuild (test/support/local-prebuilds.ts) instead of compiling SQLite. The step
// times (wall and CPU) are printed at the end.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const APP = "acme-keys";
// What a scaffolded app needs to build (its devDependencies next to @mlflow-ts/cli); the root's
// devDependencies carry the same ranges (packages/cli/src/init-app.ts, TOOLCHAIN).
const TOOLCHAIN = ["typescript", "vitest", "@types/node"];

type Run = SpawnSyncReturns<string>;
const shown = (r: Run) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

// The environment of every npm and mlflow child: npm's configuration from files of this test only
// (user and global), the registry and this project's scope on Verdaccio, a cache of its own (so
// every tarball comes from the registry, none from ~/.npm), and a proxy that does not exist for
// anything that is not on 127.0.0.1 — a request that tried to leave would fail, not go out.
function isolatedEnv(work: string, registry: Verdaccio): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(config|package|lifecycle)_/i.test(k) && k !== "NODE_PATH" && k !== "INIT_CWD") env[k] = v;
  const npmrc = path.join(work, "npmrc");
  fs.writeFileSync(npmrc, npmrcFor(registry));
  fs.writeFileSync(path.join(work, "npmrc-global"), "");
  return {
    ...env,
    npm_config_userconfig: npmrc,
    npm_config_globalconfig: path.join(work, "npmrc-global"),
    npm_config_cache: path.join(work, "npm-cache"),
    npm_config_registry: registry.url,
    "npm_config_@mlflow-ts:registry": registry.url,
    npm_config_proxy: "http://127.0.0.1:9",
    npm_config_https_proxy: "http://127.0.0.1:9",
    npm_config_noproxy: "127.0.0.1,localhost",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
}

// What `npm run release` ships: the RELEASED list of scripts/release.mjs (a script that packs as
// soon as it is loaded, so it is read, not imported).
function releasedPackages(): string[] {
  const text = fs.readFileSync(path.join(ROOT, "scripts", "release.mjs"), "utf8");
  const list = /export const RELEASED = (\[[^\]]*\]);/.exec(text)?.[1];
  if (!list) throw new Error("scripts/release.mjs has no `export const RELEASED = [...]` list");
  return JSON.parse(list) as string[];
}

// CPU time (user + system, ms) of this process, of the children it has waited for (npm and
// everything npm ran) and of Verdaccio: unlike wall time, it does not grow with the machine's load.
// Linux only (/proc); undefined elsewhere.
function cpuMs(pids: readonly number[]): number | undefined {
  if (process.platform !== "linux") return undefined;
  let ticks = 0;
  for (const [pid, withChildren] of [["self", true], ...pids.map((p) => [String(p), false] as const)] as const) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // After "(comm) ": state is field 3; utime, stime, cutime, cstime are fields 14-17.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
      ticks += fields[11]! + fields[12]! + (withChildren ? fields[13]! + fields[14]! : 0);
    } catch {
      // Verdaccio already stopped: its time is in our children's now.
    }
  }
  return ticks * 10; // USER_HZ is 100
}

// Runs `tasks` with at most `limit` at once.
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  }));
}

function runAsync(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("close", (status, signal) => resolve({ status, signal, stdout, stderr, pid: child.pid ?? 0, output: [null, stdout, stderr] }));
  });
}

describe.skipIf(QUICK)("publish to a registry (Verdaccio) and install by name", () => {
  let work: string;
  let registry: Verdaccio | undefined;
  let env: NodeJS.ProcessEnv;
  // For the installs that build better-sqlite3: its prebuild-install reads this variable itself.
  let installEnv: NodeJS.ProcessEnv;
  let skipReason: string | undefined;
  let thirdParty: LockedPackage[] = [];
  let released: string[] = [];
  // Per step: wall ms, and CPU ms where /proc tells it, printed at the end.
  const timings: Record<string, string> = {};
  const timed = async <T>(label: string, step: () => Promise<T> | T): Promise<T> => {
    const pids = () => (registry ? [registry.pid] : []);
    const start = performance.now();
    const cpuStart = cpuMs(pids());
    try {
      return await step();
    } finally {
      const cpuEnd = cpuMs(pids());
      timings[label] = `${Math.round(performance.now() - start)}${cpuStart !== undefined && cpuEnd !== undefined ? ` (cpu ${cpuEnd - cpuStart})` : ""}`;
    }
  };

  beforeAll(async () => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-npm-registry-")));
    released = releasedPackages();
    const closure = lockfileClosure(path.join(ROOT, "package-lock.json"), [...released, ...TOOLCHAIN].map((name) => `node_modules/${name}`));
    thirdParty = closure.packages.filter((p) => !released.includes(p.name));
    // With the parent's npm configuration: the cache and registry `npm ci` used.
    const cached = await timed("tarballs from npm cache", () => tarballsFromNpmCache(thirdParty, path.join(work, "third-party"), process.env));
    if ("missing" in cached) {
      skipReason = `the npm cache (run \`npm ci\` first) lacks ${cached.missing}, which the registry must serve:\n${cached.detail}`;
      console.warn(`npm registry install test skipped: ${skipReason}`);
      return;
    }
    registry = await timed("verdaccio start", () => startVerdaccio(path.join(work, "verdaccio")));
    const prebuilds = path.join(work, "prebuilds");
    fs.mkdirSync(prebuilds);
    env = isolatedEnv(work, registry);
    installEnv = { ...env, ...betterSqlite3LocalPrebuild(prebuilds) };
    // One request per version, versions of one package in ascending order (the last is `latest`).
    const byName = new Map<string, LockedPackage[]>();
    for (const p of thirdParty) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    await timed("publish third-party", () =>
      inParallel([...byName.values()], 8, async (versions) => {
        for (const p of versions.sort((a, b) => semver.compare(a.version, b.version))) await publishTarball(registry!, cached.files.get(`${p.name}@${p.version}`)!, p.name, p.version);
      }),
    );
    // Our own packages the way a maintainer publishes a workspace (`npm test` has built them): one
    // npm for all, each packed as `npm run release` packs it. No scripts: nothing is rebuilt, and
    // the checkout is left as it was.
    await timed("npm publish release", async () => {
      const published = await runAsync("npm", ["publish", ...released.flatMap((p) => ["--workspace", p]), "--access", "public", "--ignore-scripts"], { cwd: ROOT, env });
      expect(published.status, shown(published)).toBe(0);
    });
  }, 300_000);

  afterAll(async () => {
    await registry?.stop();
    console.log(`npm registry install: ${thirdParty.length} third-party packages and ${released.length} of ours; wall ms (cpu ms) per step: ${JSON.stringify(timings)}; load average ${os.loadavg()[0]!.toFixed(1)}`);
    // Two installed projects (hundreds of MB of node_modules): slow to delete on a busy machine.
    if (work) await fs.promises.rm(work, { recursive: true, force: true });
  }, 180_000);

  it("serves what was published and nothing else (no uplink)", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const view = (spec: string) => spawnSync("npm", ["view", spec, "version", "--json"], { cwd: work, env, encoding: "utf8" });
    const express = thirdParty.find((p) => p.name === "express")!;
    expect(JSON.parse(view(`express@${express.version}`).stdout)).toBe(express.version);
    for (const name of released) {
      const document = (await (await fetch(new URL(name.replace("/", "%2f"), registry!.url))).json()) as { "dist-tags": { latest: string } };
      expect(document["dist-tags"].latest, name).toBe("0.1.0");
    }
    // A package every public registry has, never published here: Verdaccio answers 404 itself.
    const absent = view("left-pad");
    expect(absent.status).not.toBe(0);
    expect(absent.stderr).toMatch(/E404/);
  });

  let appTarball: string;
  it("scaffolds an app with `mlflow apps init` (from the registry) that builds and publishes cleanly", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const author = path.join(work, "author");
    fs.mkdirSync(author);
    // `apps init` asks the registry npm is configured with: Verdaccio has @mlflow-ts/plugin-api, so no --from.
    const init = spawnSync(process.execPath, [path.join(ROOT, "bin", "mlflow.js"), "apps", "init", APP], { cwd: author, env, encoding: "utf8" });
    expect(init.status, shown(init)).toBe(0);
    expect(init.stderr).toBe("");
    const pkgDir = path.join(author, APP);
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    expect(pkg.devDependencies!["@mlflow-ts/cli"]).toBe("^0.1.0");
    // `npm install` builds it (prepare).
    const install = await timed("app npm install", () => runAsync("npm", ["install"], { cwd: pkgDir, env: installEnv }));
    expect(install.status, shown(install)).toBe(0);
    expect(fs.existsSync(path.join(pkgDir, "dist", "app.js"))).toBe(true);
    // What `npm publish` would upload: the built files, the README and package.json, nothing else.
    const dry = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkgDir, env, encoding: "utf8" });
    expect(dry.status, shown(dry)).toBe(0);
    const files = (JSON.parse(dry.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual(["README.md", "dist/app.d.ts", "dist/app.js", "dist/client.d.ts", "dist/client.js", "package.json"]);
    const publish = await timed("app npm publish", () => runAsync("npm", ["publish"], { cwd: pkgDir, env }));
    expect(publish.status, shown(publish)).toBe(0);
    // Its prepublishOnly script: `mlflow apps verify` loaded it as the server will, and found nothing a publish would break.
    expect(publish.stdout).toContain(`ok   app '${APP}' (./dist/app.js:createApp) → factory`);
    expect(publish.stdout).toContain(`ok   client '${APP}' (./dist/client.js:AcmeKeysClient) → class`);
    const view = spawnSync("npm", ["view", APP, "--json"], { cwd: work, env, encoding: "utf8" });
    const document = JSON.parse(view.stdout) as { version: string; peerDependencies: Record<string, string>; types: string; exports: Record<string, unknown>; dist: { tarball: string } };
    expect(document.version).toBe("0.1.0");
    expect(document.peerDependencies).toEqual({ "@mlflow-ts/plugin-api": "^0.1.0", "@mlflow-ts/client": "^0.1.0" });
    expect(document.types).toBe("./dist/app.d.ts");
    expect(document.exports["."]).toEqual({ types: "./dist/app.d.ts", default: "./dist/app.js" });
    appTarball = document.dist.tarball;
    expect(appTarball.startsWith(registry!.url)).toBe(true);
  }, 240_000);

  let site: string;
  it("installs @mlflow-ts/cli and the app by name in a fresh project, every package from the registry", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    site = path.join(work, "site");
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, "package.json"), JSON.stringify({ name: "site", version: "1.0.0", private: true, allowScripts: { "better-sqlite3": true } }, null, 2));
    const install = await timed("site npm install", () => runAsync("npm", ["install", "@mlflow-ts/cli", APP], { cwd: site, env: installEnv }));
    expect(install.status, shown(install)).toBe(0);
    const lock = JSON.parse(fs.readFileSync(path.join(site, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string; link?: boolean }> };
    const installed = Object.entries(lock.packages).filter(([key, entry]) => key !== "" && !entry.link);
    expect(installed.length).toBeGreaterThan(100);
    expect(installed.filter(([, entry]) => !entry.resolved?.startsWith(registry!.url)).map(([key]) => key)).toEqual([]);
    expect(lock.packages[`node_modules/${APP}`]!.resolved).toBe(appTarball);
    // Verified by name where it is installed, as the server will load it.
    const verify = spawnSync(path.join(site, "node_modules", ".bin", "mlflow"), ["apps", "verify", APP], { cwd: site, env, encoding: "utf8" });
    expect(verify.status, shown(verify)).toBe(0);
    expect(verify.stdout).toContain(`ok   app '${APP}' (./dist/app.js:createApp) → factory`);
    // The SQLite binding is there (from the local prebuild, not compiled, not downloaded).
    expect(fs.existsSync(path.join(site, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node"))).toBe(true);
    // node-gyp leaves its Makefile where it compiled; the prebuild is only the binary.
    if (installEnv.npm_config_better_sqlite3_local_prebuilds) expect(fs.existsSync(path.join(site, "node_modules", "better-sqlite3", "build", "Makefile"))).toBe(false);
  }, 240_000);

  it("answers `npx mlflow server --app-name acme-keys` on a free port: health, and a REST call the app's hook guards", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const port = await freePort();
    const server = spawn("npx", ["mlflow", "server", "--app-name", APP, "--host", "127.0.0.1", "--port", String(port)], {
      cwd: site,
      env: { ...env, ACME_KEYS_KEYS: "alice:alice-key" },
      stdio: ["ignore", "pipe", "pipe"],
      // npx runs mlflow through a shell: its own process group, so stopping it stops all three.
      detached: true,
    });
    let out = "";
    server.stdout.on("data", (c: Buffer) => (out += c.toString()));
    server.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
    try {
      await timed("server start", async () => {
        for (let waited = 0; !/listening on http/.test(out); waited += 100) {
          if (server.exitCode !== null) throw new Error(`npx mlflow server exited with ${server.exitCode}:\n${out}`);
          if (waited > 30_000) throw new Error(`npx mlflow server did not listen in 30 s:\n${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const url = `http://127.0.0.1:${port}`;
      expect(out).toContain(path.join(site, "node_modules", APP));
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const refused = await fetch(`${url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error_code: "UNAUTHENTICATED" });
      const allowed = await fetch(`${url}/api/2.0/mlflow/experiments/get?experiment_id=0`, { headers: { authorization: "Bearer alice-key" } });
      expect(allowed.status).toBe(200);
      expect(((await allowed.json()) as { experiment: { name: string } }).experiment.name).toBe("Default");
      const whoami = await fetch(`${url}/api/2.0/${APP}/whoami`, { headers: { authorization: "Bearer alice-key" } });
      expect(await whoami.json()).toEqual({ username: "alice" });
    } finally {
      if (server.exitCode === null && server.pid !== undefined) process.kill(-server.pid, "SIGTERM");
      await exited;
    }
  });
});
