import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "@mlflow-ts/cli";
import { pluginApiVersion } from "@mlflow-ts/plugin-host";
import { esmFactory, tempProject, writePackage } from "../../../test/support/fixtures.js";

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "mlflow", ...args], { cwd, env: { ...process.env }, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

// `mlflow apps verify` on an author's package before `npm publish` (issue 22): each problem that
// would only show after installing the published package, with its code and what to do.
describe("mlflow apps verify before publishing", () => {
  it("fails an unbuilt package (exit 1), names the missing file and the build script; passes once built", async () => {
    const dir = writePackage(tempProject(), "acme", {
      type: "module",
      files: ["dist"],
      scripts: { build: "tsc" },
      peerDependencies: { "@mlflow-ts/plugin-api": `^${pluginApiVersion()}` },
      "mlflow.app": { acme: "./dist/app.js:createApp" },
    });
    const unbuilt = await run(["apps", "verify"], dir);
    expect(unbuilt.code).toBe(1);
    expect(unbuilt.out).toBe(
      "FAIL app 'acme' (./dist/app.js:createApp)\n     ERR_APP_ENTRY_MISSING: the entry point \"./dist/app.js:createApp\" names dist/app.js, which does not exist: run `npm run build` before verifying or publishing (the built files are what the server loads and what npm uploads).\n",
    );
    fs.mkdirSync(path.join(dir, "dist"));
    fs.writeFileSync(path.join(dir, "dist", "app.js"), esmFactory("acme"));
    const built = await run(["apps", "verify", dir], tempProject());
    expect(built).toEqual({ code: 0, out: "ok   app 'acme' (./dist/app.js:createApp) → factory\n", err: "" });
  });

  it("fails an entry left out of \"files\" and a host range it does not meet, in --json too", async () => {
    const dir = writePackage(tempProject(), "beta", {
      type: "module",
      files: ["lib"],
      peerDependencies: { "@mlflow-ts/plugin-api": ">=5" },
      "mlflow.app": { beta: "./dist/app.js:createApp" },
      "mlflow.app.client": { beta: "./lib/client.js:C" },
    }, { "dist/app.js": esmFactory("beta"), "lib/client.js": "export class C {}\n" });
    const report = await run(["apps", "verify", "--json"], dir);
    expect(report.code).toBe(1);
    const json = JSON.parse(report.out) as { ok: boolean; entries: { kind: string; error?: { code: string; message: string } }[] };
    expect(json.ok).toBe(false);
    // The host range is per package: both entries fail on it first.
    expect(json.entries.map((e) => e.error?.code)).toEqual(["ERR_APP_INCOMPATIBLE", "ERR_APP_INCOMPATIBLE"]);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...pkg, peerDependencies: { "@mlflow-ts/plugin-api": `^${pluginApiVersion()}` } }));
    const text = await run(["apps", "verify"], dir);
    expect(text.code).toBe(1);
    expect(text.out).toContain("FAIL app 'beta' (./dist/app.js:createApp)\n     ERR_APP_NOT_PACKED: dist/app.js (entry point \"./dist/app.js:createApp\") would not be published: `npm pack` leaves it out (\"files\" is [\"lib\"]). Add \"dist\" to \"files\"");
    expect(text.out).toContain("ok   client 'beta' (./lib/client.js:C) → class");
  });
});
