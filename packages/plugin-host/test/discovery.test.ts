import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverApps, findSearchRoots, getAppClientWith, resolveApp, verifyApp } from "@mlflow-ts/plugin-host";
import { esmFactory, tempProject, writePackage } from "../../../test/support/fixtures.js";

const API_PEER = { "@mlflow-ts/plugin-api": "^0.1.0" };

function nm(dir: string): string {
  const p = path.join(dir, "node_modules");
  fs.mkdirSync(p, { recursive: true });
  return p;
}

function opts(cwd: string, extra: Partial<Parameters<typeof discoverApps>[0]> = {}) {
  // Isolate fixtures from this repository's own installs: no host or global roots.
  return { cwd, includeGlobal: false, hostDir: cwd, ...extra };
}

describe("discovery", () => {
  it("finds ESM (exports map), CJS, scoped, default-export and .mjs/.cjs apps, reading JSON only", async () => {
    const project = tempProject();
    const modules = nm(project);
    writePackage(modules, "esm-app", { type: "module", exports: { ".": "./dist/index.js", "./app": { import: "./dist/app.js" } }, "mlflow.app": { "esm-app": "esm-app/app:createApp" } }, { "dist/app.js": esmFactory("esm"), "dist/index.js": "export {};" });
    writePackage(modules, "cjs-app", { "mlflow.app": { "cjs-app": "./lib/index.js:createApp" }, "mlflow.app.client": { "cjs-app": "./lib/client.js:Client" } }, {
      "lib/index.js": `exports.createApp = function (app) { app.get("/api/fixture/cjs", (q, r) => r.json({ app: "cjs" })); };`,
      "lib/client.js": `class Client { constructor(uri, extra) { this.uri = uri; this.extra = extra; } } module.exports = { Client };`,
    });
    writePackage(modules, "@acme/auth", { type: "module", "mlflow.app": { "acme-auth": "./index.mjs" } }, { "index.mjs": esmFactory("acme") });
    writePackage(modules, "default-app", { "mlflow.app": { "default-app": "./main.cjs" } }, { "main.cjs": `module.exports = function (app) { return app; };` });
    writePackage(modules, "ts-default", { "mlflow.app": { "ts-default": "./index.js" } }, { "index.js": `Object.defineProperty(exports, "__esModule", { value: true }); exports.default = function (app) { return app; };` });
    writePackage(modules, "tla-app", { type: "module", "mlflow.app": { "tla-app": "./index.js:createApp" } }, { "index.js": `await new Promise((r) => setTimeout(r, 5));\nexport const createApp = (app) => app;` });
    writePackage(modules, "plain-lib", { main: "index.js" }, { "index.js": "throw new Error('never imported');" });

    const found = discoverApps(opts(project));
    expect(found.apps.map((a) => `${a.name}:${a.packageName}:${a.moduleType}`)).toEqual([
      "acme-auth:@acme/auth:module",
      "cjs-app:cjs-app:commonjs",
      "default-app:default-app:commonjs",
      "esm-app:esm-app:module",
      "tla-app:tla-app:module",
      "ts-default:ts-default:commonjs",
    ]);
    expect(found.clients.map((c) => c.name)).toEqual(["cjs-app"]);
    for (const name of ["esm-app", "cjs-app", "acme-auth", "default-app", "ts-default", "tla-app"]) {
      const loaded = await resolveApp(name, opts(project));
      expect({ name, kind: loaded.kind }).toEqual({ name, kind: "factory" });
    }
    const client = await getAppClientWith<{ uri: string; extra: number }>(opts(project), "cjs-app", "http://x", 7);
    expect([client.uri, client.extra]).toEqual(["http://x", 7]);
  });

  it("never imports a broken package that was not asked for, and reports the chosen one's own error", async () => {
    const project = tempProject();
    const modules = nm(project);
    const marker = path.join(project, "imported.txt");
    writePackage(modules, "boom", { "mlflow.app": { boom: "./index.js:createApp" } }, {
      "index.js": `require("fs").writeFileSync(${JSON.stringify(marker)}, "yes"); throw new Error("boom at import");`,
    });
    writePackage(modules, "good", { type: "module", "mlflow.app": { good: "./index.js:createApp" } }, { "index.js": esmFactory("good") });
    await resolveApp("good", opts(project));
    expect(fs.existsSync(marker)).toBe(false);
    await expect(resolveApp("boom", opts(project))).rejects.toMatchObject({ code: "ERR_APP_LOAD_FAILED", message: expect.stringContaining("boom at import") });
  });

  it("names a missing dependency of the app instead of calling the app missing", async () => {
    const project = tempProject();
    writePackage(nm(project), "needs-dep", { type: "module", "mlflow.app": { "needs-dep": "./index.js:createApp" } }, { "index.js": `import x from "left-pad-not-installed";\nexport const createApp = (app) => app;` });
    const error = await resolveApp("needs-dep", opts(project)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_APP_LOAD_FAILED" });
    expect((error as Error).message).toContain("its dependency 'left-pad-not-installed' is not installed");
    expect((error as Error).message).not.toContain("ERR_APP_NOT_FOUND");
  });

  it("loads an entry point that names another, ESM-only package through its exports map", async () => {
    const project = tempProject();
    const modules = nm(project);
    writePackage(modules, "esm-factories", { type: "module", exports: { "./auth": { import: "./dist/auth.js" } } }, { "dist/auth.js": esmFactory("shared") });
    writePackage(modules, "thin-app", { "mlflow.app": { "thin-app": "esm-factories/auth:createApp" }, dependencies: { "esm-factories": "1.0.0" } });
    writePackage(modules, "wrong-subpath", { "mlflow.app": { "wrong-subpath": "esm-factories/internal:createApp" } });
    expect((await resolveApp("thin-app", opts(project))).kind).toBe("factory");
    await expect(resolveApp("wrong-subpath", opts(project))).rejects.toMatchObject({ code: "ERR_APP_LOAD_FAILED", message: expect.stringContaining("does not export './internal'") });
  });

  it("reports a module the entry point names but the package lacks", async () => {
    const project = tempProject();
    writePackage(nm(project), "unbuilt", { "mlflow.app": { unbuilt: "./dist/app.js:createApp" } });
    await expect(resolveApp("unbuilt", opts(project))).rejects.toMatchObject({ code: "ERR_APP_LOAD_FAILED", message: expect.stringContaining("does not resolve") });
  });

  it("skips invalid JSON and malformed blocks with warnings", () => {
    const project = tempProject();
    const modules = nm(project);
    writePackage(modules, "bad-json", { __raw: `{ "name": "bad-json", "mlflow.app": { "x": "./a.js" }, }` });
    writePackage(modules, "bad-block", { "mlflow.app": ["nope"] });
    writePackage(modules, "bad-value", { "mlflow.app": { v: 42 } });
    const found = discoverApps(opts(project));
    expect(found.apps).toEqual([]);
    expect(found.warnings.join("\n")).toMatch(/bad-json.*invalid JSON/);
    expect(found.warnings.join("\n")).toMatch(/bad-block.*must be an object/);
    expect(found.warnings.join("\n")).toMatch(/bad-value.*must be a "<module>:<export>" string/);
  });

  it("prefers the nearest declaration and reports duplicates with both places", () => {
    const outer = tempProject();
    const inner = path.join(outer, "apps", "service");
    fs.mkdirSync(inner, { recursive: true });
    const far = writePackage(nm(outer), "auth-far", { "mlflow.app": { auth: "./a.js" } }, { "a.js": "" });
    const near = writePackage(nm(inner), "auth-near", { "mlflow.app": { auth: "./a.js" } }, { "a.js": "" });
    const found = discoverApps(opts(inner));
    expect(found.apps.find((a) => a.name === "auth")?.dir).toBe(near);
    expect(found.duplicates).toHaveLength(1);
    expect(found.duplicates[0]!.shadowed.map((d) => d.dir)).toEqual([far]);
    expect(found.warnings.join("\n")).toContain(near);
    expect(found.warnings.join("\n")).toContain(far);
  });

  it("reads the package at the working directory's nearest package.json first: it is nearer than its node_modules", async () => {
    const project = tempProject();
    const pkg = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ ...pkg, name: "own", type: "module", "mlflow.app": { same: "./app.js:createApp" }, "mlflow.app.client": { same: "./client.js" } }));
    fs.writeFileSync(path.join(project, "app.js"), esmFactory("own"));
    writePackage(nm(project), "installed", { type: "module", "mlflow.app": { same: "./app.js:createApp", other: "./app.js:createApp" } }, { "app.js": esmFactory("installed") });
    const sub = path.join(project, "src", "deep");
    fs.mkdirSync(sub, { recursive: true });
    for (const cwd of [project, sub]) {
      const found = discoverApps(opts(cwd));
      expect(found.apps.map((a) => [a.name, a.packageName])).toEqual([
        ["other", "installed"],
        ["same", "own"],
      ]);
      expect(found.clients.map((c) => c.packageName)).toEqual(["own"]);
      expect(found.duplicates.map((d) => [d.name, d.used.packageName, d.shadowed.map((s) => s.packageName)])).toEqual([["same", "own", ["installed"]]]);
      expect((await resolveApp("same", opts(cwd))).declaration.dir).toBe(project);
    }
  });

  it("follows symlinked workspace packages once, by real path, and reads pnpm's layout", async () => {
    const project = tempProject();
    const modules = nm(project);
    const workspacePkg = writePackage(path.join(project, "packages"), "ws-app", { type: "module", "mlflow.app": { "ws-app": "./index.js:createApp" } }, { "index.js": esmFactory("ws") });
    fs.symlinkSync(workspacePkg, path.join(modules, "ws-app"));
    fs.mkdirSync(path.join(modules, "@alias"), { recursive: true });
    fs.symlinkSync(workspacePkg, path.join(modules, "@alias", "ws-app"));
    // pnpm: a direct dependency symlinked into .pnpm, and a transitive one only in .pnpm/node_modules.
    const store = path.join(modules, ".pnpm", "direct@1.0.0", "node_modules");
    const direct = writePackage(store, "direct", { type: "module", "mlflow.app": { direct: "./index.js:createApp" } }, { "index.js": esmFactory("direct") });
    fs.symlinkSync(direct, path.join(modules, "direct"));
    const hoisted = path.join(modules, ".pnpm", "node_modules");
    const transitiveStore = path.join(modules, ".pnpm", "transitive@1.0.0", "node_modules");
    const transitive = writePackage(transitiveStore, "transitive", { type: "module", "mlflow.app": { transitive: "./index.js:createApp" } }, { "index.js": esmFactory("t") });
    fs.mkdirSync(hoisted, { recursive: true });
    fs.symlinkSync(transitive, path.join(hoisted, "transitive"));
    const found = discoverApps(opts(project));
    expect(found.apps.map((a) => a.name)).toEqual(["direct", "transitive", "ws-app"]);
    expect(found.apps.find((a) => a.name === "ws-app")!.dir).toBe(workspacePkg);
    expect(found.duplicates).toEqual([]);
    expect((await resolveApp("transitive", opts(project))).kind).toBe("factory");
  });

  it("searches NODE_PATH, configured directories and the global prefix, nearest first", () => {
    const project = tempProject();
    const nodePathDir = path.join(tempProject(), "np");
    const configured = path.join(tempProject(), "plugins");
    const globalDir = path.join(tempProject(), "global", "lib", "node_modules");
    writePackage(nodePathDir, "from-node-path", { "mlflow.app": { np: "./a.js" } }, { "a.js": "" });
    writePackage(configured, "from-config", { "mlflow.app": { cfg: "./a.js", shared: "./a.js" } }, { "a.js": "" });
    writePackage(globalDir, "from-global", { "mlflow.app": { glob: "./a.js", shared: "./a.js" } }, { "a.js": "" });
    const found = discoverApps({ cwd: project, hostDir: project, nodePath: nodePathDir, extraDirs: [configured], globalDir });
    expect(found.apps.map((a) => `${a.name}:${a.root.kind}`)).toEqual(["cfg:configured", "glob:global", "np:node-path", "shared:configured"]);
    expect(findSearchRoots({ cwd: project, hostDir: project, globalDir }).map((r) => r.kind)).toContain("global");
  });

  it("refuses an app whose plugin-api peer range excludes this host", async () => {
    const project = tempProject();
    writePackage(nm(project), "future-app", { type: "module", peerDependencies: { "@mlflow-ts/plugin-api": "^2.0.0" }, "mlflow.app": { future: "./index.js:createApp" } }, { "index.js": esmFactory("f") });
    writePackage(nm(project), "fits", { type: "module", peerDependencies: API_PEER, "mlflow.app": { fits: "./index.js:createApp" } }, { "index.js": esmFactory("fits") });
    await expect(resolveApp("future", opts(project))).rejects.toMatchObject({ code: "ERR_APP_INCOMPATIBLE", message: expect.stringContaining("^2.0.0") });
    expect((await resolveApp("fits", opts(project))).kind).toBe("factory");
  });

  it("lists every available app when the name is unknown", async () => {
    const project = tempProject();
    writePackage(nm(project), "one", { version: "3.2.1", "mlflow.app": { one: "./a.js" } }, { "a.js": "" });
    const error = await resolveApp("nope", opts(project)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_APP_NOT_FOUND", exitCode: 2 });
    expect((error as Error).message).toContain("one (one@3.2.1,");
    await expect(getAppClientWith(opts(project), "nope", "http://x")).rejects.toMatchObject({ code: "ERR_APP_CLIENT_NOT_FOUND" });
  });

  it("tells a factory from an Express app instance and refuses other exports", async () => {
    const project = tempProject();
    const modules = nm(project);
    writePackage(modules, "instance-app", { "mlflow.app": { inst: "./index.js:app" } }, {
      "index.js": `function app(req, res, next) { next(); } app.use = () => app; app.handle = () => {}; module.exports = { app };`,
    });
    writePackage(modules, "not-a-function", { "mlflow.app": { nope: "./index.js:config" } }, { "index.js": `exports.config = { a: 1 };` });
    writePackage(modules, "wrong-export", { "mlflow.app": { wrong: "./index.js:missing" } }, { "index.js": `exports.other = () => {};` });
    expect((await resolveApp("inst", opts(project))).kind).toBe("app");
    await expect(resolveApp("nope", opts(project))).rejects.toMatchObject({ code: "ERR_APP_INVALID" });
    await expect(resolveApp("wrong", opts(project))).rejects.toMatchObject({ code: "ERR_APP_INVALID", message: expect.stringContaining("no export named 'missing'") });
  });

  it("sees packages installed, removed or edited (when linked) after an earlier discovery in the same process", () => {
    const project = tempProject();
    const modules = nm(project);
    writePackage(modules, "first", { "mlflow.app": { first: "./a.js" } }, { "a.js": "" });
    expect(discoverApps(opts(project)).apps.map((a) => a.name)).toEqual(["first"]);
    writePackage(modules, "@later/second", { "mlflow.app": { second: "./a.js" } }, { "a.js": "" });
    expect(discoverApps(opts(project)).apps.map((a) => a.name)).toEqual(["first", "second"]);
    fs.rmSync(path.join(modules, "first"), { recursive: true });
    expect(discoverApps(opts(project)).apps.map((a) => a.name)).toEqual(["second"]);
    const linked = writePackage(path.join(project, "ws"), "linked", { name: "linked" }, { "a.js": "" });
    fs.symlinkSync(linked, path.join(modules, "linked"));
    expect(discoverApps(opts(project)).apps.map((a) => a.name)).toEqual(["second"]);
    writePackage(path.join(project, "ws"), "linked", { "mlflow.app": { linked: "./a.js" } });
    expect(discoverApps(opts(project)).apps.map((a) => a.name)).toEqual(["linked", "second"]);
  });

  it("verifyApp checks a package the way the server loads it", async () => {
    const project = tempProject();
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "my-plugin", version: "1.0.0", type: "module", "mlflow.app": { mine: "./app.js:createApp", broken: "./nope.js" }, "mlflow.app.client": { mine: "./client.js:C" } }),
    );
    fs.writeFileSync(path.join(project, "app.js"), esmFactory("mine"));
    fs.writeFileSync(path.join(project, "client.js"), "export class C {}");
    fs.mkdirSync(path.join(project, "test"));
    const report = await verifyApp(path.join(project, "test"));
    expect(report.ok).toBe(false);
    expect(report.entries.map((e) => [e.kind, e.name, e.ok, e.shape ?? e.error?.code])).toEqual([
      ["app", "broken", false, "ERR_APP_ENTRY_MISSING"],
      ["app", "mine", true, "factory"],
      ["client", "mine", true, "class"],
    ]);
  });
});
