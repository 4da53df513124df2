import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempProject, writePackage } from "../../../test/support/fixtures.js";
import { spawnServer } from "../../../test/support/spawn-server.js";

// Issue 22 item 5: an app author's loop — `mlflow server --app-name x --watch` restarts the server
// on the same port when the app's built files change.
const project = tempProject("mlflow-ts-watch-");
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const appSource = (version: number) => `export const createApp = (app) => { app.endpoint("GET", "/api/2.0/watched/version", {}, () => ({ version: ${version} })); };\n`;

async function versionAt(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${url}/api/2.0/watched/version`);
    return response.ok ? ((await response.json()) as { version: number }).version : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, output?: () => string): Promise<T> {
  for (let i = 0; i < 300; i += 1) {
    const value = await probe();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${output ? `; the watcher said:\n${output()}` : ""}`);
}

describe("mlflow server --watch", () => {
  it("restarts on the same port when the app's built files change, keeps serving through a broken build, and stops with its child", async () => {
    const dir = writePackage(path.join(project, "node_modules"), "watched", { type: "module", "mlflow.app": { watched: "./dist/app.js:createApp" } }, { "dist/app.js": appSource(1), "src/app.ts": "// source" });
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(project, "mlflow.db")}`, "--app-name", "watched", "--watch"], { cwd: project });
    try {
      expect(await versionAt(server.url)).toBe(1);
      // A source edit alone does not restart (the build's output does).
      fs.writeFileSync(path.join(dir, "src/app.ts"), "// edited");
      fs.writeFileSync(path.join(dir, "dist/app.js"), appSource(2));
      expect(await waitFor(() => versionAt(server.url), (v) => v === 2, "version 2", server.output)).toBe(2);
      expect(server.output()).toContain("dist/app.js changed; restarting on port");
      expect(server.output()).not.toContain("src/app.ts changed");
      // A broken build: the replacement fails to load, the watcher says so, the previous server keeps serving.
      fs.writeFileSync(path.join(dir, "dist/app.js"), "export const createApp = (app) => { syntax error here");
      await waitFor(async () => server.output(), (out) => out.includes("the new build did not start (its error is above); the previous server keeps serving"), "the broken build to be reported", server.output);
      expect(await versionAt(server.url)).toBe(2);
      fs.writeFileSync(path.join(dir, "dist/app.js"), appSource(3));
      expect(await waitFor(() => versionAt(server.url), (v) => v === 3, "version 3", server.output)).toBe(3);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).toContain("mlflow --watch: stopped (SIGTERM)");
    // The child went with it: nothing answers on the port.
    expect(await versionAt(server.url)).toBeUndefined();
  }, 90_000);

  it("refuses --workers: the port is handed from one server process to the next", async () => {
    const { execFile } = await import("node:child_process");
    const { BIN } = await import("../../../test/support/spawn-server.js");
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, "server", "--watch", "--workers", "2", "--port", "0"], { cwd: project }, (error, _out, stderr) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stderr })),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--watch: serves with one process; drop --workers 2");
  }, 30_000);
});
