import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveImport } from "../src/resolve-import.js";
import { tempProject, writePackage } from "../../../test/support/fixtures.js";
import { startAuthServer, type AuthServer } from "./auth-server.js";

/** Writes a package into `<dir>/node_modules/<name>`. */
function installPackage(dir: string, name: string, manifest: Record<string, unknown>, files: Record<string, string>): string {
  return writePackage(path.join(dir, "node_modules"), name, manifest, files);
}

const ESM_AUTH = 'export function byHeader(req) { const u = req.get("x-user"); return u ? { username: u } : new Response("who?", { status: 401 }); }\n';

describe("resolveImport: where an authorization_function package is found", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempProject("mlflow-ts-resolve-");
    installPackage(dir, "esm-only", { type: "module", exports: { ".": { import: "./dist/index.js" }, "./strategies/*": { import: "./dist/strategies/*.js" } } }, { "dist/index.js": ESM_AUTH, "dist/strategies/header.js": ESM_AUTH });
    installPackage(dir, "@corp/auth", { exports: { import: "./esm.mjs", require: "./cjs.cjs" } }, { "esm.mjs": ESM_AUTH, "cjs.cjs": "" });
    installPackage(dir, "plain-cjs", { main: "lib/main.js" }, { "lib/main.js": "exports.byHeader = () => ({ username: 'x' });\n" });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads exports maps with the conditions of an ESM import", () => {
    const nested = path.join(dir, "deep", "er");
    fs.mkdirSync(nested, { recursive: true });
    expect(resolveImport("esm-only", nested)).toBe(path.join(dir, "node_modules/esm-only/dist/index.js"));
    expect(resolveImport("esm-only/strategies/header", dir)).toBe(path.join(dir, "node_modules/esm-only/dist/strategies/header.js"));
    expect(resolveImport("@corp/auth", dir)).toBe(path.join(dir, "node_modules/@corp/auth/esm.mjs"));
  });

  it("falls back to Node's resolution for a package without exports", () => {
    expect(resolveImport("plain-cjs", dir)).toBe(path.join(dir, "node_modules/plain-cjs/lib/main.js"));
  });

  it("names what is missing", () => {
    expect(() => resolveImport("esm-only/internal", dir)).toThrow(/Missing "\.\/internal" specifier in "esm-only" package/);
    expect(() => resolveImport("no-such-package", dir)).toThrow(expect.objectContaining({ code: "MODULE_NOT_FOUND" }));
  });
});

describe("authorization_function = <ESM-only package>/<subpath>:<function>", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer({
      ini: { authorization_function: "esm-only/strategies/header:byHeader" },
      before: (dir) => installPackage(dir, "esm-only", { type: "module", exports: { "./strategies/*": { import: "./dist/strategies/*.js" } } }, { "dist/strategies/header.js": ESM_AUTH }),
    });
  });
  afterAll(async () => s?.close());

  it("loads the function from the installed package and authenticates by it", async () => {
    expect((await s.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0", { headers: { "x-user": "admin" } })).status).toBe(200);
    expect((await s.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0")).status).toBe(401);
  });
});
