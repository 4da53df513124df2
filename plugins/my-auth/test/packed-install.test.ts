import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAppClientWith } from "@mlflow-ts/plugin-host";
import { spawnServer, type SpawnedServer } from "../../../test/support/spawn-server.js";
import { betterSqlite3LocalPrebuild } from "../../../test/support/local-prebuilds.js";
import { QUICK } from "../../../test/support/quick.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// Packs the host, my-auth, oidc-auth and audit-log with `npm pack`, installs the tarballs into a fresh project
// with npm from the local cache (no registry), and runs the installed `mlflow` binary there.
// Skipped by `npm run test:quick` (MLFLOW_TS_TEST_QUICK): it packs and installs the whole release.
describe.skipIf(QUICK)("my-auth installed from packed tarballs", () => {
  let project: string;
  // better-sqlite3's binary from the workspace, as a local prebuild (see local-prebuilds.ts).
  let prebuildEnv: Record<string, string> = {};
  let work: string;
  let tarballs: string;
  let server: SpawnedServer;
  beforeAll(async () => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-packed-")));
    tarballs = path.join(work, "tarballs");
    fs.mkdirSync(tarballs);
    const prebuilds = path.join(work, "prebuilds");
    fs.mkdirSync(prebuilds);
    prebuildEnv = betterSqlite3LocalPrebuild(prebuilds);
    // The release, exactly as `npm run release` writes it, plus my-auth (an example, not released).
    execFileSync(process.execPath, [path.join(ROOT, "scripts", "release.mjs"), tarballs], { cwd: ROOT, stdio: "ignore" });
    execFileSync("npm", ["pack", "--pack-destination", tarballs, "-w", "my-auth"], { cwd: ROOT, stdio: "ignore" });
    project = path.join(work, "project");
    fs.mkdirSync(project);
    const dependencies: Record<string, string> = {};
    for (const file of fs.readdirSync(tarballs)) {
      const name = file.startsWith("mlflow-ts-") ? `@mlflow-ts/${file.slice("mlflow-ts-".length, -"-0.1.0.tgz".length)}` : file.slice(0, -"-0.1.0.tgz".length);
      dependencies[name] = `file:${path.join(tarballs, file)}`;
    }
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "packed-project", version: "1.0.0", private: true, dependencies, allowScripts: { "better-sqlite3": true } }));
    const install = (mode: string) => spawnSync("npm", ["install", mode, "--no-audit", "--no-fund"], { cwd: project, encoding: "utf8", env: { ...process.env, ...prebuildEnv } });
    let result = install("--offline");
    if (result.status !== 0 && /ENOTCACHED/.test(result.stderr)) {
      // A cold npm cache (a brand-new machine): the registry is the only place left to read from.
      console.warn("npm cache lacks a dependency; installing with --prefer-offline instead of --offline");
      result = install("--prefer-offline");
    }
    expect(result.status, result.stderr).toBe(0);
    server = await spawnServer(["--app-name", "my-auth"], { cwd: project, env: { MY_AUTH_USERS: "alice:secret-password", NODE_PATH: "" } });
  }, 600_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it("answers 401 without a token, 200 after MyAuthClient logs in, and leaves /public open", async () => {
    expect(server.output()).toContain(path.join(project, "node_modules", "my-auth"));
    const denied = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error_code: string }).error_code).toBe("UNAUTHENTICATED");
    const client = await getAppClientWith<{ login(u: string, p: string): Promise<string>; request(m: string, p: string, q?: object): Promise<Record<string, unknown>> }>(
      { cwd: project, includeGlobal: false },
      "my-auth",
      server.url,
    );
    await expect(client.login("alice", "wrong")).rejects.toMatchObject({ status: 401 });
    await client.login("alice", "secret-password");
    const experiment = await client.request("GET", "/api/2.0/mlflow/experiments/get", { experiment_id: "0" });
    expect((experiment.experiment as { name: string }).name).toBe("Default");
    expect((await fetch(`${server.url}/public/status`)).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("serves the web UI from the installed release, and answers to `mlflow-ts` too", async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(401); // my-auth guards it, as every route
    const plain = await spawnServer([], { cwd: project, env: { NODE_PATH: "" } });
    try {
      const html = await (await fetch(`${plain.url}/`)).text();
      expect(html).toContain('<div id="root"></div>');
      const script = /src="\.\/(static-files\/[^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(`${plain.url}/${script}`)).status).toBe(200);
    } finally {
      await plain.stop();
    }
    const alias = spawnSync(path.join(project, "node_modules", ".bin", "mlflow-ts"), ["--version"], { cwd: project, encoding: "utf8" });
    expect(alias.stdout.trim()).toBe("0.1.0");
  });

  it("is what `mlflow apps list` shows in that project", () => {
    const result = spawnSync(path.join(project, "node_modules", ".bin", "mlflow"), ["apps", "list", "--json"], { cwd: project, encoding: "utf8" });
    expect(result.status).toBe(0);
    const listed = JSON.parse(result.stdout) as { apps: { name: string; package: string; module: string; client: string | null; path: string }[] };
    // The built-in basic-auth comes with the host, found like any installed app.
    expect(listed.apps.map((a) => a.name).sort()).toEqual(["audit-log", "basic-auth", "my-auth", "oidc-auth"]);
    expect(listed.apps).toContainEqual(expect.objectContaining({ name: "my-auth", package: "my-auth", module: "ESM", client: "./dist/client.js:MyAuthClient", path: path.join(project, "node_modules", "my-auth") }));
  });

  it("serves oidc-auth from the same project, with a provider's access token", async () => {
    const { startIdp } = await import("../../oidc-auth/test/idp.js");
    const idp = await startIdp({ redirectUri: "http://127.0.0.1:1/oidc/callback", postLogoutUri: "http://127.0.0.1:1/" });
    const oidc = await spawnServer(["--app-name", "oidc-auth"], {
      cwd: project,
      env: {
        NODE_PATH: "",
        MLFLOW_OIDC_ISSUER: idp.issuer,
        MLFLOW_OIDC_CLIENT_ID: "mlflow",
        MLFLOW_OIDC_REDIRECT_URL: "http://127.0.0.1:1/oidc/callback",
        MLFLOW_OIDC_AUDIENCE: "mlflow",
        MLFLOW_OIDC_ALLOW_INSECURE_HTTP: "true",
        MLFLOW_OIDC_SESSION_SECRET: "packed-install-session-secret-32-chars",
      },
    });
    try {
      expect(oidc.output()).toContain(path.join(project, "node_modules", "oidc-auth"));
      expect((await fetch(`${oidc.url}/api/2.0/mlflow/experiments/search?max_results=1`)).status).toBe(401);
      const token = await idp.clientToken("robot", "robot-secret");
      const created = await fetch(`${oidc.url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "from-a-token" }) });
      expect(created.status).toBe(200);
    } finally {
      await oidc.stop();
      await idp.close();
    }
  });

  it("serves audit-log from the same project: a write gets its line, and the page module ships", async () => {
    const audited = await spawnServer(["--app-name", "audit-log"], { cwd: project, env: { NODE_PATH: "", MLFLOW_AUDIT_LOG_FILE: path.join(work, "audit.log") } });
    try {
      expect(audited.output()).toContain(path.join(project, "node_modules", "@mlflow-ts", "audit-log"));
      const created = await fetch(`${audited.url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "audited" }) });
      expect(created.status).toBe(200);
      const search = (await (await fetch(`${audited.url}/api/2.0/audit-log/search`)).json()) as { entries: { endpoint: string; resource?: { name?: string } }[] };
      expect(search.entries[0]).toMatchObject({ endpoint: "/api/2.0/mlflow/experiments/create", resource: { name: "audited" } });
      expect((await fetch(`${audited.url}/audit-log/ui.js`)).status).toBe(200);
    } finally {
      await audited.stop();
    }
  });

  it("scaffolds an app with `mlflow apps init` that builds and passes its own test, then serves it", async () => {
    const mlflow = path.join(project, "node_modules", ".bin", "mlflow");
    const release = fs.mkdtempSync(path.join(work, "release-"));
    for (const f of fs.readdirSync(tarballs).filter((f) => f.startsWith("mlflow-ts-"))) fs.copyFileSync(path.join(tarballs, f), path.join(release, f));
    const init = spawnSync(mlflow, ["apps", "init", "acme-auth", "--from", release], { cwd: work, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    const pkg = path.join(work, "acme-auth");
    const npm = (args: string[], cwd: string) => spawnSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, ...prebuildEnv, NODE_PATH: "" } });
    let installed = npm(["install", "--offline", "--no-audit", "--no-fund"], pkg);
    if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) installed = npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], pkg);
    expect(installed.status, installed.stderr).toBe(0);
    const tested = npm(["test"], pkg);
    expect(tested.status, `${tested.stdout}\n${tested.stderr}`).toBe(0);
    expect(tested.stdout).toMatch(/2 passed/);
    // Deployed as a user would: packed, installed next to the server, served by name.
    const packed = npm(["pack", "--pack-destination", work], pkg);
    expect(packed.status, packed.stderr).toBe(0);
    const add = npm(["install", "--offline", "--no-audit", "--no-fund", path.join(work, "acme-auth-0.1.0.tgz")], project);
    expect(add.status, add.stderr).toBe(0);
    const acme = await spawnServer(["--app-name", "acme-auth"], { cwd: project, env: { NODE_PATH: "", ACME_AUTH_KEYS: "bob:bob-key" } });
    try {
      expect((await fetch(`${acme.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(401);
      const me = await fetch(`${acme.url}/api/2.0/acme-auth/whoami`, { headers: { authorization: "Bearer bob-key" } });
      expect(await me.json()).toEqual({ username: "bob" });
    } finally {
      await acme.stop();
    }
  }, 600_000);
});
