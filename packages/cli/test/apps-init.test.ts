import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { appsCommand, main } from "@mlflow-ts/cli";
import { SERVER_VERSION } from "@mlflow-ts/server";
import { findReleaseDir } from "../src/find-release-dir.js";

// Issue 25 item 4: `mlflow apps init <name>` without --from, when the registry does not have
// @mlflow-ts/plugin-api, says so and names --from (with the release this CLI came from, if any),
// instead of leaving the user an npm 404 at `npm install`.

const tmp = (prefix: string) => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));

// A registry on this machine that has nothing: every request answers npm's 404.
async function emptyRegistry(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(404, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: "Not found" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

// A project where `npm install <release>/*.tgz` put the CLI: its hidden lockfile records the tarball.
function installedFromRelease(): { cliDir: string; release: string } {
  const root = tmp("mlflow-ts-installed-");
  const release = path.join(root, "release");
  fs.mkdirSync(release);
  for (const pkg of ["cli", "plugin-api", "client", "server"]) fs.writeFileSync(path.join(release, `mlflow-ts-${pkg}-${SERVER_VERSION}.tgz`), "");
  const project = path.join(root, "project");
  const cliDir = path.join(project, "node_modules", "@mlflow-ts", "cli");
  fs.mkdirSync(cliDir, { recursive: true });
  fs.writeFileSync(path.join(cliDir, "package.json"), JSON.stringify({ name: "@mlflow-ts/cli", version: SERVER_VERSION }));
  fs.writeFileSync(
    path.join(project, "node_modules", ".package-lock.json"),
    JSON.stringify({ name: "project", lockfileVersion: 3, packages: { "node_modules/@mlflow-ts/cli": { version: SERVER_VERSION, resolved: `file:../release/mlflow-ts-cli-${SERVER_VERSION}.tgz` } } }),
  );
  return { cliDir, release };
}

async function runApps(args: string[], io: Partial<Parameters<typeof appsCommand>[0]> & { cwd: string }) {
  let out = "";
  let err = "";
  let result: Promise<number> = Promise.resolve(0);
  const program = new Command("mlflow").exitOverride();
  program.addCommand(appsCommand({ env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t), ...io }, (p) => (result = p)));
  await program.parseAsync(["node", "mlflow", "apps", ...args]);
  return { code: await result, out, err };
}

describe("mlflow apps init and the registry", () => {
  it("says the registry does not have @mlflow-ts/plugin-api and names --from, writing nothing (real npm, a local registry answering 404)", async () => {
    const cwd = tmp("mlflow-ts-init-");
    const registry = await emptyRegistry();
    let out = "";
    let err = "";
    try {
      const code = await main(["node", "mlflow", "apps", "init", "acme-auth"], {
        cwd,
        env: { ...process.env, npm_config_registry: registry.url, "npm_config_@mlflow-ts:registry": registry.url },
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
      });
      expect(code).toBe(2);
    } finally {
      await registry.close();
    }
    expect(err).toContain(`Error ERR_APP_INIT: @mlflow-ts/plugin-api@${SERVER_VERSION} is not in the npm registry`);
    expect(err).toContain("mlflow apps init acme-auth --from <release dir>");
    expect(out).toBe("");
    expect(fs.existsSync(path.join(cwd, "acme-auth"))).toBe(false);
  }, 60_000);

  it("offers the release directory this CLI was installed from", async () => {
    const { cliDir, release } = installedFromRelease();
    expect(findReleaseDir(cliDir, SERVER_VERSION)).toBe(release);
    const cwd = tmp("mlflow-ts-init-");
    const { code, err } = await runApps(["init", "acme-auth"], { cwd, cliDir, registryHas: async () => "missing" });
    expect(code).toBe(2);
    expect(err).toContain(`This mlflow was installed from the release tarballs in ${release}`);
    expect(err).toContain(`mlflow apps init acme-auth --from ${release}`);
    expect(fs.existsSync(path.join(cwd, "acme-auth"))).toBe(false);
  });

  it("creates the package with a warning naming --from when the registry cannot be asked, and asks nothing with --from", async () => {
    const cwd = tmp("mlflow-ts-init-");
    const unknown = await runApps(["init", "acme-auth"], { cwd, cliDir: cwd, registryHas: async () => "unknown" });
    expect(unknown.code).toBe(0);
    expect(unknown.err).toMatch(/^warning: could not ask the npm registry for @mlflow-ts\/plugin-api/);
    expect(unknown.err).toContain("--from <release dir>");
    expect(fs.existsSync(path.join(cwd, "acme-auth", "package.json"))).toBe(true);

    const { release } = installedFromRelease();
    let asked = false;
    const fromRelease = await runApps(["init", "beta-auth", "--from", release], { cwd, registryHas: async () => ((asked = true), "missing") });
    expect(fromRelease.code).toBe(0);
    expect(asked).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(path.join(cwd, "beta-auth", "package.json"), "utf8"));
    expect(pkg.devDependencies["@mlflow-ts/plugin-api"]).toMatch(/^file:.*mlflow-ts-plugin-api-.*\.tgz$/);
  });
});
