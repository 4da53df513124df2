import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "@mlflow-ts/cli";
import { esmFactory, tempProject, writePackage } from "../../../test/support/fixtures.js";

async function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "mlflow", ...args], { cwd, env, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe("mlflow apps", () => {
  it("lists installed apps with package, version, module kind, client and path", async () => {
    const project = tempProject();
    const modules = path.join(project, "node_modules");
    writePackage(modules, "@acme/auth", { version: "2.0.1", type: "module", "mlflow.app": { acme: "./a.js" }, "mlflow.app.client": { acme: "./c.js:C" } }, { "a.js": esmFactory("a") });
    writePackage(modules, "legacy", { "mlflow.app": { legacy: "./a.js" } }, { "a.js": "" });
    const { code, out } = await run(["apps", "list", "--json"], project);
    expect(code).toBe(0);
    const listed = JSON.parse(out) as { apps: Record<string, unknown>[] };
    expect(listed.apps.filter((a) => a.name === "acme" || a.name === "legacy")).toEqual([
      expect.objectContaining({ name: "acme", package: "@acme/auth", version: "2.0.1", module: "ESM", client: "./c.js:C", path: path.join(modules, "@acme", "auth") }),
      expect.objectContaining({ name: "legacy", package: "legacy", module: "CJS", client: null }),
    ]);
    const text = await run(["apps", "list"], project);
    // A header, then one aligned row per app, the client's entry in its column.
    expect(text.out.split("\n")[0]).toMatch(/^NAME\s+PACKAGE\s+MODULE\s+CLIENT\s+PATH$/);
    expect(text.out).toMatch(/\nacme\s+@acme\/auth@2\.0\.1\s+ESM\s+\.\/c\.js:C\s+\//);
    expect(text.out).toMatch(/\nlegacy\s+legacy@\S+\s+CJS\s+-\s+\//);
  });

  it("finds apps in --plugin-dir and MLFLOW_PLUGIN_DIRS", async () => {
    const project = tempProject();
    const extra = path.join(tempProject(), "extra");
    writePackage(extra, "extra-app", { "mlflow.app": { extra: "./a.js" } }, { "a.js": "" });
    expect((await run(["apps", "list", "--plugin-dir", extra], project)).out).toMatch(/\nextra\s+extra-app@1\.0\.0/);
    expect((await run(["apps", "list"], project, { MLFLOW_PLUGIN_DIRS: extra })).out).toMatch(/\nextra\s+extra-app@1\.0\.0/);
  });

  it("verify exits 0 for a loadable package and 1 for a broken one", async () => {
    const project = tempProject();
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "p", version: "1.0.0", type: "module", "mlflow.app": { p: "./app.js:createApp" } }));
    fs.writeFileSync(path.join(project, "app.js"), esmFactory("p"));
    expect((await run(["apps", "verify"], project)).code).toBe(0);
    // A second package (a module once imported stays cached in this process).
    const other = tempProject();
    fs.writeFileSync(path.join(other, "package.json"), JSON.stringify({ name: "q", version: "1.0.0", type: "module", "mlflow.app": { q: "./app.js:createApp" } }));
    fs.writeFileSync(path.join(other, "app.js"), "throw new Error('nope');");
    const broken = await run(["apps", "verify", "."], other);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("ERR_APP_LOAD_FAILED");
  });

  it("server --app-name with an unknown app exits 2 listing the available apps, before opening the database", async () => {
    const project = tempProject();
    writePackage(path.join(project, "node_modules"), "known", { version: "1.2.3", "mlflow.app": { known: "./a.js" } }, { "a.js": "" });
    const { code, err } = await run(["server", "--app-name", "unknown", "--port", "0"], project);
    expect(code).toBe(2);
    expect(err).toContain("ERR_APP_NOT_FOUND");
    expect(err).toContain("known (known@1.2.3,");
    expect(fs.existsSync(path.join(project, "mlflow.db"))).toBe(false);
  });
});
