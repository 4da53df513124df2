import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pluginApiVersion, verifyApp } from "@mlflow-ts/plugin-host";
import { esmFactory, tempProject, writePackage } from "../../../test/support/fixtures.js";

// Issue 22: `verifyApp` (`mlflow apps verify`) catches what breaks only after publishing — an
// entry whose built file is missing, an entry `npm pack` would leave out, a peer range on
// @mlflow-ts/plugin-api the host does not satisfy — on real package directories, with real npm
// deciding what a publish includes.

const PEER = { "@mlflow-ts/plugin-api": `^${pluginApiVersion()}` };

// A package directory of its own (not inside node_modules), as an author has it before publishing.
function authorPackage(pkg: Record<string, unknown>, files: Record<string, string> = {}): string {
  const parent = tempProject("mlflow-ts-verify-");
  return writePackage(parent, "pkg", { type: "module", scripts: { build: "tsc" }, peerDependencies: PEER, ...pkg }, files);
}

const codes = (report: Awaited<ReturnType<typeof verifyApp>>) => report.entries.map((e) => [e.kind, e.name, e.ok ? "ok" : e.error?.code]);

describe("verifyApp: what breaks after publishing", () => {
  it("an entry whose file is not built: ERR_APP_ENTRY_MISSING, naming the file and the build script; ok once built", async () => {
    const dir = authorPackage({ name: "unbuilt", files: ["dist"], "mlflow.app": { unbuilt: "./dist/app.js:createApp" }, "mlflow.app.client": { unbuilt: "./dist/client.js:C" } });
    const report = await verifyApp(dir);
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual([
      ["app", "unbuilt", "ERR_APP_ENTRY_MISSING"],
      ["client", "unbuilt", "ERR_APP_ENTRY_MISSING"],
    ]);
    expect(report.entries[0]!.error!.message).toBe(
      'the entry point "./dist/app.js:createApp" names dist/app.js, which does not exist: run `npm run build` before verifying or publishing (the built files are what the server loads and what npm uploads).',
    );
    fs.mkdirSync(path.join(dir, "dist"));
    fs.writeFileSync(path.join(dir, "dist", "app.js"), esmFactory("unbuilt"));
    fs.writeFileSync(path.join(dir, "dist", "client.js"), "export class C {}\n");
    const built = await verifyApp(dir);
    expect(codes(built)).toEqual([
      ["app", "unbuilt", "ok"],
      ["client", "unbuilt", "ok"],
    ]);
    expect(built.warnings).toEqual([]);
  });

  it("an entry outside \"files\": ERR_APP_NOT_PACKED, with what to add — by path, through the package's exports, and by .npmignore", async () => {
    const byPath = authorPackage({ name: "outside", files: ["lib"], "mlflow.app": { outside: "./dist/app.js:createApp" } }, { "dist/app.js": esmFactory("outside"), "lib/util.js": "export {};\n" });
    const report = await verifyApp(byPath);
    expect(report.ok).toBe(false);
    expect(report.entries[0]!.error).toEqual({
      code: "ERR_APP_NOT_PACKED",
      message:
        'dist/app.js (entry point "./dist/app.js:createApp") would not be published: `npm pack` leaves it out ("files" is ["lib"]). Add "dist" to "files" in package.json, or an installed copy of outside cannot load this app.',
    });

    const byExports = authorPackage(
      { name: "exported", files: ["dist"], exports: { "./app": "./build/app.js" }, "mlflow.app": { exported: "exported/app:createApp" } },
      { "build/app.js": esmFactory("exported"), "dist/index.js": "export {};\n" },
    );
    expect((await verifyApp(byExports)).entries[0]!.error).toMatchObject({ code: "ERR_APP_NOT_PACKED", message: expect.stringContaining('build/app.js (entry point "exported/app:createApp") would not be published') });

    const ignored = authorPackage({ name: "ignored", "mlflow.app": { ignored: "./out/app.js:createApp" } }, { "out/app.js": esmFactory("ignored"), ".npmignore": "out/\n" });
    expect((await verifyApp(ignored)).entries[0]!.error).toMatchObject({ code: "ERR_APP_NOT_PACKED", message: expect.stringContaining('no "files" field, so .npmignore or .gitignore excludes it') });
  });

  it("a peer range on @mlflow-ts/plugin-api the host does not satisfy: ERR_APP_INCOMPATIBLE, before anything is loaded", async () => {
    const marker = path.join(tempProject(), "imported");
    const dir = authorPackage(
      { name: "future", files: ["dist"], peerDependencies: { "@mlflow-ts/plugin-api": "^9.0.0" }, "mlflow.app": { future: "./dist/app.js:createApp" } },
      { "dist/app.js": `import fs from "node:fs"; fs.writeFileSync(${JSON.stringify(marker)}, "yes");\n${esmFactory("future")}` },
    );
    const report = await verifyApp(dir);
    expect(report.entries[0]!.error!.code).toBe("ERR_APP_INCOMPATIBLE");
    expect(report.entries[0]!.error!.message).toContain(`requires @mlflow-ts/plugin-api@^9.0.0, but this server provides ${pluginApiVersion()}`);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it("warns about a package that loads but is not set up to publish: private, plugin-api as a dependency or not a peer, types left out", async () => {
    const dir = authorPackage(
      { name: "sloppy", private: true, files: ["dist/app.js"], types: "./dist/app.d.ts", peerDependencies: {}, dependencies: { "@mlflow-ts/plugin-api": "0.1.0" }, "mlflow.app": { sloppy: "./dist/app.js:createApp" } },
      { "dist/app.js": esmFactory("sloppy"), "dist/app.d.ts": "export {};\n" },
    );
    const report = await verifyApp(dir);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([
      'package.json has "private": true, so `npm publish` refuses it',
      '@mlflow-ts/plugin-api is in "dependencies": an install would bring a second copy next to the server\'s. Move it to "peerDependencies" (and "devDependencies" to build).',
      '"types" names ./dist/app.d.ts, which `npm pack` leaves out (or which is not built yet)',
    ]);
    const noPeer = authorPackage({ name: "nopeer", peerDependencies: {}, "mlflow.app": { nopeer: "./app.js:createApp" } }, { "app.js": esmFactory("nopeer") });
    expect((await verifyApp(noPeer)).warnings).toEqual([
      `no "peerDependencies" on @mlflow-ts/plugin-api: a server of any version will try to load this package. Declare the versions it is built for, e.g. "@mlflow-ts/plugin-api": "^${pluginApiVersion()}".`,
    ]);
  });

  it("does not ask npm about an installed package (what is in node_modules was published), unless told to", async () => {
    const project = tempProject();
    const dir = writePackage(path.join(project, "node_modules"), "installed", { type: "module", files: ["lib"], peerDependencies: PEER, "mlflow.app": { installed: "./dist/app.js:createApp" } }, { "dist/app.js": esmFactory("installed") });
    expect((await verifyApp(dir)).ok).toBe(true);
    expect(codes(await verifyApp(dir, { packed: true }))).toEqual([["app", "installed", "ERR_APP_NOT_PACKED"]]);
  });
});
