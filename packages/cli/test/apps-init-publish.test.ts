import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCompatibility, discoverApps, pluginApiVersion } from "@mlflow-ts/plugin-host";
import { SERVER_VERSION } from "@mlflow-ts/server";
import { initApp } from "../src/init-app.js";

// Issue 22: what `mlflow apps init` writes publishes cleanly — the fields a registry package needs,
// a peer range the host checks, and a tarball of exactly the built files and the README. (The
// whole path — npm install, build, npm publish to Verdaccio, install by name, serve — is
// test/npm-registry-install.test.ts.)

const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-init-publish-")));

describe("a scaffolded app as a registry package", () => {
  it("declares files, exports with types, a checked @mlflow-ts/plugin-api peer range, keywords, public access for a scope, and a verify before publishing", () => {
    const dir = initApp("@acme/keys", { cwd: tmp(), version: SERVER_VERSION });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      name: "@acme/keys",
      main: "./dist/app.js",
      types: "./dist/app.d.ts",
      files: ["dist", "README.md"],
      exports: { ".": { types: "./dist/app.d.ts", default: "./dist/app.js" }, "./client": { types: "./dist/client.d.ts", default: "./dist/client.js" } },
      keywords: ["mlflow-ts", "mlflow-app"],
      publishConfig: { access: "public" },
      peerDependencies: { "@mlflow-ts/plugin-api": `^${SERVER_VERSION}`, "@mlflow-ts/client": `^${SERVER_VERSION}` },
      scripts: { prepare: "tsc -p tsconfig.json", prepublishOnly: "npm run build && mlflow apps verify" },
    });
    // Only the unscoped name needs no publishConfig.
    expect(JSON.parse(fs.readFileSync(path.join(initApp("plain-keys", { cwd: tmp(), version: SERVER_VERSION }), "package.json"), "utf8")).publishConfig).toBeUndefined();
    // The host reads that range: this one meets it, a later minor does not.
    const [declaration] = discoverApps({ cwd: dir, packageDirs: [dir], includeGlobal: false }).apps.filter((d) => d.name === "keys");
    expect(declaration?.peerDependencies).toEqual(pkg.peerDependencies);
    expect(() => checkCompatibility(declaration!)).not.toThrow();
    expect(pluginApiVersion()).toBe(SERVER_VERSION);
    const [major, minor] = SERVER_VERSION.split(".").map(Number);
    expect(() => checkCompatibility(declaration!, `${major}.${minor! + 1}.0`)).toThrow(expect.objectContaining({ code: "ERR_APP_INCOMPATIBLE" }));
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("npm publish");
    expect(readme).toContain("npm install @mlflow-ts/cli @acme/keys");
    expect(readme).toContain("npx mlflow apps verify");
  });

  it("packs exactly the built files, the README and package.json (npm pack --dry-run)", () => {
    const dir = initApp("acme-keys", { cwd: tmp(), version: SERVER_VERSION });
    // What `tsc -p tsconfig.json` writes (the registry test builds it for real).
    for (const file of ["app.js", "app.d.ts", "client.js", "client.d.ts"]) {
      fs.mkdirSync(path.join(dir, "dist"), { recursive: true });
      fs.writeFileSync(path.join(dir, "dist", file), "export {};\n");
    }
    const dry = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, encoding: "utf8" });
    expect(dry.status, dry.stderr).toBe(0);
    const files = (JSON.parse(dry.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual(["README.md", "dist/app.d.ts", "dist/app.js", "dist/client.d.ts", "dist/client.js", "package.json"]);
  });
});
