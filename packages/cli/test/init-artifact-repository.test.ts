import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { appsCommand } from "@mlflow-ts/cli";

// Issue 21: `mlflow apps init <name> --kind artifact-repository` scaffolds a repository package that
// builds and passes its own test — the real server's artifact proxy on it. Written inside the
// repository (test-output/) so that it resolves @mlflow-ts/* from the workspace, as after
// `npm install` from the release.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = (name: string) => path.join(ROOT, "node_modules", name === "tsc" ? "typescript/bin/tsc" : "vitest/vitest.mjs");

async function runApps(args: string[], cwd: string) {
  let out = "";
  let err = "";
  let result: Promise<number> = Promise.resolve(0);
  const program = new Command("mlflow").exitOverride();
  // No registry here: the scaffold is checked against the workspace's packages.
  program.addCommand(appsCommand({ cwd, env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t), registryHas: async () => "published" }, (p) => (result = p)));
  await program.parseAsync(["node", "mlflow", "apps", ...args]);
  return { code: await result, out, err };
}

describe("mlflow apps init --kind artifact-repository", () => {
  it("writes a package declaring the scheme, which compiles and passes its test", async () => {
    const cwd = path.join(ROOT, "test-output", `init-repository-${process.pid}`);
    fs.rmSync(cwd, { recursive: true, force: true });
    fs.mkdirSync(cwd, { recursive: true });
    const { code, out, err } = await runApps(["init", "acme-store", "--kind", "artifact-repository", "--scheme", "ACME"], cwd);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toMatch(/Created .*acme-store/);
    const dir = path.join(cwd, "acme-store");
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(pkg["mlflow.artifact_repository"]).toEqual({ acme: "./dist/repository.js:AcmeArtifactRepository" });
    expect(pkg.peerDependencies).toEqual({ "@mlflow-ts/plugin-api": expect.stringMatching(/^\^/) });
    // Found in the registry by its kind; an unscoped name needs no publishConfig.
    expect([pkg.keywords, pkg.publishConfig, pkg.scripts.prepublishOnly]).toEqual([["mlflow-ts", "mlflow-artifact-repository"], undefined, "npm run build && mlflow apps verify"]);
    execFileSync(process.execPath, [BIN("tsc"), "-p", path.join(dir, "tsconfig.json")], { stdio: "pipe" });
    const test = execFileSync(process.execPath, [BIN("vitest"), "run", "--root", dir], { cwd: dir, encoding: "utf8", stdio: "pipe", env: { ...process.env, FORCE_COLOR: "0" } });
    expect(test).toMatch(/1 passed/);
    fs.rmSync(cwd, { recursive: true, force: true });
  }, 120_000);

  it("refuses a scheme that is not one, and file", async () => {
    for (const scheme of ["file", "9lives", "a b"]) {
      const { code, err } = await runApps(["init", "x-repo", "--kind", "artifact-repository", "--scheme", scheme], "/tmp");
      expect(code).toBe(2);
      expect(err).toMatch(/is not a URI scheme a repository can declare/);
    }
  });
});
