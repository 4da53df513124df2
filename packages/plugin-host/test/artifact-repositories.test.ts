import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverApps, resolveArtifactRepository, verifyApp } from "@mlflow-ts/plugin-host";
import { tempProject, writePackage } from "../../../test/support/fixtures.js";

// Issue 21: "mlflow.artifact_repository" is discovered like "mlflow.app" — package.json only,
// nearest first, schemes lowercased — and only the repository of a scheme in use is imported.

function nm(dir: string): string {
  const p = path.join(dir, "node_modules");
  fs.mkdirSync(p, { recursive: true });
  return p;
}

const opts = (cwd: string) => ({ cwd, includeGlobal: false, hostDir: cwd });

const REPOSITORY = `export class MemoryRepository {
  constructor(uri, options) { this.uri = uri; this.region = options.env.REGION; }
  async list() { return { files: [] }; }
  async stat() { return undefined; }
  async read() { throw new Error("empty"); }
  async write() {}
  async delete() {}
}`;

describe("mlflow.artifact_repository discovery", () => {
  it("finds repositories by scheme (ESM and CJS), imports only the one asked for, and constructs it with the URI and env", async () => {
    const project = tempProject();
    const modules = nm(project);
    writePackage(modules, "@acme/mem-repo", { type: "module", "mlflow.artifact_repository": { MEM: "./index.js:MemoryRepository" } }, { "index.js": REPOSITORY });
    writePackage(modules, "cjs-repo", { "mlflow.artifact_repository": { cjs: "./index.js:Repo" } }, { "index.js": "class Repo { constructor(uri) { this.uri = uri; } } module.exports = { Repo };" });
    writePackage(modules, "broken-repo", { type: "module", "mlflow.artifact_repository": { broken: "./index.js:Nope" } }, { "index.js": "throw new Error('never imported unless asked');" });
    const found = discoverApps(opts(project));
    expect(found.repositories.map((r) => `${r.name}:${r.packageName}`)).toEqual(["broken:broken-repo", "cjs:cjs-repo", "mem:@acme/mem-repo"]);
    expect(found.apps).toEqual([]);
    const { repository, declaration } = await resolveArtifactRepository("Mem", opts(project));
    expect(declaration.packageName).toBe("@acme/mem-repo");
    const instance = new repository("mem://bucket/x", { env: { REGION: "r1" }, cwd: project }) as unknown as { uri: string; region: string };
    expect([instance.uri, instance.region]).toEqual(["mem://bucket/x", "r1"]);
    expect(new (await resolveArtifactRepository("cjs", opts(project))).repository("cjs://y", { env: {}, cwd: project })).toMatchObject({ uri: "cjs://y" });
    // The broken package was never imported: it fails only when its scheme is asked for, with its cause.
    await expect(resolveArtifactRepository("broken", opts(project))).rejects.toMatchObject({ code: "ERR_APP_LOAD_FAILED", message: expect.stringContaining("never imported unless asked") });
  });

  it("names an unknown scheme, what is installed and how to install one", async () => {
    const project = tempProject();
    writePackage(nm(project), "mem-repo", { type: "module", "mlflow.artifact_repository": { mem: "./index.js:MemoryRepository" } }, { "index.js": REPOSITORY });
    await expect(resolveArtifactRepository("s3", opts(project))).rejects.toMatchObject({
      code: "ERR_ARTIFACT_REPOSITORY_NOT_FOUND",
      exitCode: 2,
      message: expect.stringMatching(/URI scheme 's3:'.*installed: mem \(mem-repo@.*npm install @mlflow-ts\/artifacts-s3/),
    });
    await expect(resolveArtifactRepository("gs", opts(project))).rejects.toMatchObject({ message: expect.stringContaining(`"mlflow.artifact_repository": { "gs": "<module>:<export>" }`) });
  });

  it("is checked by verifyApp (mlflow apps verify) as the server would load it", async () => {
    const project = tempProject();
    const dir = writePackage(nm(project), "mem-repo", { type: "module", "mlflow.artifact_repository": { mem: "./index.js:MemoryRepository", bad: "./missing.js:X" } }, { "index.js": REPOSITORY });
    const report = await verifyApp(dir);
    expect(report.entries.map((e) => [e.kind, e.name, e.ok, e.shape ?? e.error?.code])).toEqual([
      ["artifact_repository", "bad", false, "ERR_APP_ENTRY_MISSING"],
      ["artifact_repository", "mem", true, "class"],
    ]);
    expect(report.ok).toBe(false);
  });

  it("refuses an export that is not a class", async () => {
    const project = tempProject();
    writePackage(nm(project), "odd-repo", { type: "module", "mlflow.artifact_repository": { odd: "./index.js:value" } }, { "index.js": "export const value = 42;" });
    await expect(resolveArtifactRepository("odd", opts(project))).rejects.toMatchObject({ code: "ERR_APP_INVALID", message: expect.stringContaining("not an artifact repository class") });
  });
});
