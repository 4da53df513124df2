import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer } from "@mlflow-ts/cli";
import { tempProject, writePackage } from "../../../test/support/fixtures.js";
import { BIN, spawnServer } from "../../../test/support/spawn-server.js";

// Issue 22 items 2 and 3: several apps on one server (`--app-name a,b`), their settings checked at
// start with the server's own, their lifecycle and health contributions. The apps are real packages
// on disk, found and loaded as `mlflow server` finds any app.

const API = pathToFileURL(createRequire(import.meta.url).resolve("@mlflow-ts/plugin-api")).href;

// An app that stamps the order hooks ran in: before-request hooks append to a request header list,
// after-request hooks to the payload's `order`.
function orderApp(tag: string, extra = ""): string {
  return `import { defineApp, setting } from ${JSON.stringify(API)};
export const createApp = defineApp({ settings: { greeting: setting.string({ default: "hi" }), copies: setting.integer({ default: 1, min: 1, max: 3 }) } }, (app, settings) => {
  app.beforeRequest((req) => { (req.state.order ??= []).push("before:${tag}"); });
  app.afterRequest((payload, req) => ({ ...payload, order: [...(payload.order ?? req.state.order ?? []), "after:${tag}"] }), { method: "GET", path: "/api/2.0/${tag}/echo" });
  app.endpoint("GET", "/api/2.0/${tag}/echo", {}, (_p, req) => ({ order: [...req.state.order], settings }));
  ${extra}
});
`;
}

let project: string;
const LOG = () => path.join(project, "lifecycle.log");

beforeAll(() => {
  project = tempProject("mlflow-ts-compose-");
  const modules = path.join(project, "node_modules");
  const lifecycle = (tag: string) => `
  app.onReady(() => { (globalThis.__fs ??= process.getBuiltinModule("node:fs")).appendFileSync(${JSON.stringify(LOG())}, "ready:${tag}\\n"); });
  app.onClose(async () => { await new Promise((r) => setTimeout(r, 50)); process.getBuiltinModule("node:fs").appendFileSync(${JSON.stringify(LOG())}, "close:${tag}\\n"); });
  app.health("${tag}", () => ({ ok: ${tag === "bravo" ? "false" : "true"}, detail: { tag: "${tag}" } }));`;
  writePackage(modules, "alpha", { type: "module", version: "1.2.3", "mlflow.app": { alpha: "./app.js:createApp" } }, { "app.js": orderApp("alpha", lifecycle("alpha")) });
  writePackage(modules, "bravo", { type: "module", "mlflow.app": { bravo: "./app.js:createApp" } }, { "app.js": orderApp("bravo", lifecycle("bravo")) });
  // Claims alpha's route.
  writePackage(modules, "thief", { type: "module", "mlflow.app": { thief: "./app.js:createApp" } }, {
    "app.js": `export const createApp = (app) => { app.endpoint("GET", "/api/2.0/alpha/echo", {}, () => ({ stolen: true })); };`,
  });
  // Two apps that both identify callers.
  for (const name of ["id-one", "id-two"]) {
    writePackage(modules, name, { type: "module", "mlflow.app": { [name]: "./app.js:createApp" } }, {
      "app.js": `import { defineApp } from ${JSON.stringify(API)};\nexport const createApp = defineApp({ identifiesCallers: true }, (app) => { app.beforeRequest((req) => { req.state.authorization = { username: "${name}" }; }); });`,
    });
  }
  // Both contribute a UI named "shared".
  for (const name of ["ui-one", "ui-two"]) {
    writePackage(modules, name, { type: "module", "mlflow.app": { [name]: "./app.js:createApp" } }, {
      "app.js": `export const createApp = (app) => { app.ui("shared", { pages: [{ id: "page", title: "Page", module: "/shared/page.js" }] }); };`,
    });
  }
  // Needs a setting.
  writePackage(modules, "needy", { type: "module", "mlflow.app": { needy: "./app.js:createApp" } }, {
    "app.js": `import { defineApp, setting } from ${JSON.stringify(API)};
export const createApp = defineApp({ settings: { endpoint: setting.string({ required: true }), token: setting.string({ secret: true, pattern: /^tok-/ }), mode: setting.enum(["a", "b"], { default: "a" }) } }, () => {});`,
  });
});

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

async function runServerExpectingExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [BIN, "server", "--port", "0", "--backend-store-uri", `sqlite:///${path.join(project, "exit.db")}`, ...args], {
      cwd: project,
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: "" };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe("several apps on one server", () => {
  it("runs before-request hooks in the given order and after-request hooks in reverse, with each app's settings", async () => {
    fs.rmSync(LOG(), { force: true });
    const server = await startAppServer({ appName: "alpha,bravo", cwd: project, env: { MLFLOW_BRAVO_GREETING: "hello", MLFLOW_BRAVO_COPIES: "2" } });
    try {
      const alpha = (await (await fetch(`${server.url}/api/2.0/alpha/echo`)).json()) as { order: string[]; settings: unknown };
      // alpha's handler saw both before hooks in order; the after hooks of the later app ran first.
      expect(alpha.order).toEqual(["before:alpha", "before:bravo", "after:alpha"]);
      expect(alpha.settings).toEqual({ greeting: "hi", copies: 1 });
      const bravo = (await (await fetch(`${server.url}/api/2.0/bravo/echo`)).json()) as { order: string[]; settings: unknown };
      expect(bravo.order).toEqual(["before:alpha", "before:bravo", "after:bravo"]);
      expect(bravo.settings).toEqual({ greeting: "hello", copies: 2 });
    } finally {
      await server.stop();
    }
    // Reversed: bravo's hooks first.
    const reversed = await startAppServer({ appName: "bravo,alpha", cwd: project });
    try {
      const alpha = (await (await fetch(`${reversed.url}/api/2.0/alpha/echo`)).json()) as { order: string[] };
      expect(alpha.order).toEqual(["before:bravo", "before:alpha", "after:alpha"]);
    } finally {
      await reversed.stop();
    }
    // In process too (startAppServer), lifecycle hooks run: ready in order, close last app first.
    expect(fs.readFileSync(LOG(), "utf8")).toBe("ready:alpha\nready:bravo\nclose:bravo\nclose:alpha\nready:bravo\nready:alpha\nclose:alpha\nclose:bravo\n");
  });

  it("refuses at start, naming both, two apps claiming one route, two identifying callers, two UIs of one name, an app named twice (exit 2)", async () => {
    fs.rmSync(LOG(), { force: true });
    const route = await runServerExpectingExit(["--app-name", "alpha,thief"]);
    expect(route.code).toBe(2);
    expect(route.stderr).toContain("ERR_APP_CONFLICT");
    expect(route.stderr).toContain("The apps 'alpha' and 'thief' both register the route GET /api/2.0/alpha/echo");
    const identify = await runServerExpectingExit(["--app-name", "id-one,alpha,id-two"]);
    expect(identify.code).toBe(2);
    expect(identify.stderr).toMatch(/Only one app may identify callers, but 'id-one' .* and 'id-two' .* both do/);
    const ui = await runServerExpectingExit(["--app-name", "ui-one,ui-two"]);
    expect(ui.stderr).toContain("'shared' already contributes to the UI (registered by the app 'ui-one')");
    expect(ui.stderr).toContain("ui-two");
    expect(ui.code).not.toBe(0);
    const twice = await runServerExpectingExit(["--app-name", "alpha,alpha"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("The app 'alpha' is named twice");
    // Nothing was served, so no app's onReady ran.
    expect(fs.existsSync(LOG()) ? fs.readFileSync(LOG(), "utf8") : "").not.toContain("ready:");
  }, 90_000);

  it("reports every settings problem of every app at once, with the server's own, and never echoes a secret (exit 2)", async () => {
    fs.writeFileSync(path.join(project, "mlflow.config.json"), JSON.stringify({ appSettings: { alpha: { copies: 9, colour: "red" }, ghost: { x: 1 } } }));
    try {
      const { code, stderr } = await runServerExpectingExit(["--app-name", "alpha,needy", "--port", "not-a-port"], { MLFLOW_NEEDY_TOKEN: "secret-value-123", MLFLOW_NEEDY_MODE: "c" });
      expect(code).toBe(2);
      // One report: the server's own problem and every app's.
      expect(stderr).toContain("ERR_CONFIG_INVALID");
      expect(stderr).toContain('--port: "not-a-port" is not an integer');
      expect(stderr).toContain("appSettings.alpha.copies): 9 is not an integer between 1 and 3");
      expect(stderr).toContain("'alpha' has no setting 'colour'");
      expect(stderr).toContain("(appSettings.ghost): no app 'ghost' is applied");
      expect(stderr).toContain("needy: the setting 'endpoint' is required (set MLFLOW_NEEDY_ENDPOINT");
      expect(stderr).toContain("MLFLOW_NEEDY_TOKEN: the value given does not match /^tok-/");
      expect(stderr).toContain('MLFLOW_NEEDY_MODE: "c" is not one of a, b');
      expect(stderr).not.toContain("secret-value-123");
      // An unknown app among other problems is one more line of the same report.
      const unknown = await runServerExpectingExit(["--app-name", "alpha,nope", "--port", "not-a-port"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--port: "not-a-port" is not an integer');
      expect(unknown.stderr).toContain("--app-name: No installed package declares the app 'nope'");
    } finally {
      fs.rmSync(path.join(project, "mlflow.config.json"));
    }
  }, 60_000);

  it("runs onReady once listening and onClose on SIGTERM (last app first, waited for), and shows apps and checks on /health?detail", async () => {
    fs.rmSync(LOG(), { force: true });
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(project, "life.db")}`, "--app-name", "alpha,bravo"], { cwd: project });
    try {
      expect(fs.readFileSync(LOG(), "utf8")).toBe("ready:alpha\nready:bravo\n");
      expect(await (await fetch(`${server.url}/health`)).text()).toBe("OK");
      const detail = await fetch(`${server.url}/health?detail`);
      expect(detail.status).toBe(200);
      const body = (await detail.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        status: "OK",
        ok: false,
        database: { ok: true },
        apps: [
          { name: "alpha", package: "alpha", version: "1.2.3" },
          { name: "bravo", package: "bravo" },
        ],
        checks: { alpha: { app: "alpha", ok: true, detail: { tag: "alpha" } }, bravo: { app: "bravo", ok: false, detail: { tag: "bravo" } } },
      });
      // The start-up log says what each app contributed.
      expect(server.output()).toMatch(/applied app 'alpha'.*"routes":1/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(fs.readFileSync(LOG(), "utf8")).toBe("ready:alpha\nready:bravo\nclose:bravo\nclose:alpha\n");
  }, 60_000);

  it("with basic-auth composed, /health stays open but /health?detail is for admins", async () => {
    const ini = path.join(project, "basic_auth.ini");
    fs.writeFileSync(ini, `[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///${path.join(project, "auth.db")}\nadmin_username = admin\n`);
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(project, "auth-track.db")}`, "--app-name", "basic-auth,alpha"], {
      cwd: project,
      env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123" },
    });
    try {
      const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}` });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/health?detail`)).status).toBe(401);
      const created = await fetch(`${server.url}/api/2.0/mlflow/users/create`, {
        method: "POST",
        headers: { ...basic("admin", "admin-password-123"), "Content-Type": "application/json" },
        body: JSON.stringify({ username: "bob", password: "bob-password-123" }),
      });
      expect(created.status).toBe(200);
      expect((await fetch(`${server.url}/health?detail`, { headers: basic("bob", "bob-password-123") })).status).toBe(403);
      const admin = await fetch(`${server.url}/health?detail`, { headers: basic("admin", "admin-password-123") });
      expect(admin.status).toBe(200);
      expect(((await admin.json()) as { apps: { name: string }[] }).apps.map((a) => a.name)).toEqual(["basic-auth", "alpha"]);
      // alpha's own route is behind basic-auth (applied first): anonymous callers are refused.
      expect((await fetch(`${server.url}/api/2.0/alpha/echo`)).status).toBe(401);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("`mlflow apps list --contributions` shows what each app adds, applied alone in a sandbox", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, "apps", "list", "--contributions", "--json"], { cwd: project, env: { ...process.env, MLFLOW_ALPHA_COPIES: "3" }, timeout: 60_000 });
    const { contributions } = JSON.parse(stdout) as { contributions: { name: string; routes: unknown[]; uiPages: string[]; settings: { name: string; variable: string }[]; lifecycle: unknown; problem?: string; identifiesCallers: boolean }[] };
    const of = (name: string) => contributions.find((c) => c.name === name)!;
    expect(of("alpha")).toMatchObject({
      routes: [{ method: "GET", path: "/api/2.0/alpha/echo" }],
      settings: [
        { name: "greeting", variable: "MLFLOW_ALPHA_GREETING", kind: "string", required: false, default: "hi" },
        { name: "copies", variable: "MLFLOW_ALPHA_COPIES", kind: "integer", required: false, default: 1 },
      ],
      lifecycle: { onReady: 1, onClose: 1, health: ["alpha"] },
      identifiesCallers: false,
    });
    expect(of("ui-one").uiPages).toEqual(["shared/page"]);
    expect(of("id-one").identifiesCallers).toBe(true);
    expect(of("needy").problem).toContain("the setting 'endpoint' is required");
    // basic-auth, installed with the CLI, applied in the sandbox: its routes and pages, none of the real data.
    expect(of("basic-auth").uiPages).toContain("basic-auth/users");
    expect(fs.existsSync(path.join(project, "basic_auth.db"))).toBe(false);
  }, 60_000);
});
