import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDemo, type DemoData } from "./support/seed-ui.js";
import { HAS_CHROMIUM, launchChromium, screenshot, unlabelledControls } from "./support/browser.js";

// Issue 11: every page behind --app-name basic-auth (the browser's Basic prompt) and under
// --static-prefix; basic-auth's admin pages come through the UI extension point.

const ADMIN = { username: "admin", password: "admin-password-123" };
const BOB = { username: "bob", password: "bob-password-1234" };

describe.skipIf(!HAS_CHROMIUM)("the web UI behind basic-auth, under a static prefix", () => {
  let dir: string;
  let server: SpawnedServer;
  let admin: MlflowClient;
  let demo: DemoData;
  let other: string;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-auth-"));
    const ini = path.join(dir, "basic_auth.ini");
    fs.writeFileSync(ini, `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(dir, "auth.db")}\nadmin_username = admin\n`);
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "basic-auth", "--static-prefix", "/mlflow"], {
      cwd: dir,
      env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN.password },
    });
    admin = new MlflowClient(server.url, { username: ADMIN.username, password: ADMIN.password });
    demo = await seedDemo(admin);
    other = await admin.createExperiment("secret-experiment");
    browser = await launchChromium();
    base = `${server.url}/mlflow/`;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("asks an anonymous browser to sign in (401 with a Basic challenge), before any data", async () => {
    const response = await fetch(base);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic/);
    const manifest = await fetch(`${server.url}/mlflow/ajax-api/2.0/mlflow-ts/ui/extensions`);
    expect(manifest.status).toBe(401);
  });

  it("gives admins the user and permission pages contributed by basic-auth", async () => {
    const context = await browser.newContext({ httpCredentials: ADMIN, viewport: { width: 1300, height: 850 } });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole("link", { name: "demo-classifier" }).waitFor();
    await page.getByText("admin (admin)").click();
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Create a user" }).waitFor();
    await page.getByLabel("Username", { exact: true }).fill(BOB.username);
    await page.getByLabel("Password", { exact: true }).fill(BOB.password);
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("link", { name: "bob" }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, "11-admin-users");
    await page.getByRole("link", { name: "bob" }).click();
    await page.getByLabel("Experiment ID").fill(demo.experimentId);
    await page.getByRole("button", { name: "Grant" }).first().click();
    await page.getByRole("link", { name: demo.experimentId, exact: true }).waitFor();
    await page.getByLabel(`Permission of bob on ${demo.experimentId}`).selectOption("EDIT");
    await expect.poll(async () => (await fetch(`${server.url}/api/2.0/mlflow/experiments/permissions/get?experiment_id=${demo.experimentId}&username=bob`, { headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}` } }).then((r) => r.json())).experiment_permission?.permission).toBe("EDIT");
    await screenshot(page, "12-admin-permissions");
    await context.close();
  });

  it("shows a user only what they may read, no admin pages, and lets them change their password", async () => {
    const context = await browser.newContext({ httpCredentials: BOB, viewport: { width: 1300, height: 850 } });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole("link", { name: "demo-classifier" }).waitFor();
    expect(await page.getByRole("link", { name: "secret-experiment" }).count()).toBe(0);
    await page.getByText("bob", { exact: true }).click();
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    // The link a client prints, under the prefix.
    await page.goto(`${base}#/experiments/${demo.experimentId}/runs/${demo.modelRunId}`);
    await page.getByRole("heading", { name: "run-00" }).waitFor();
    await page.goto(`${base}#/experiments/${other}`);
    await page.getByText(/Permission denied/).waitFor();
    await page.goto(`${base}#/apps/basic-auth/users`);
    await page.getByText(/for admins only/).waitFor();
    await page.goto(`${base}#/apps/basic-auth/account`);
    await page.getByLabel("New password (12 characters or more)").fill("bob-new-password-99");
    await page.getByLabel("New password, again").fill("bob-new-password-99");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(async () => (await fetch(base, { headers: { authorization: `Basic ${Buffer.from("bob:bob-new-password-99").toString("base64")}` } })).status).toBe(200);
    await screenshot(page, "13-account");
    await context.close();
  });
});
