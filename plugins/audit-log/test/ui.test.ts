import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { spawnServer, type SpawnedServer } from "../../../test/support/spawn-server.js";
import { HAS_CHROMIUM, launchChromium, unlabelledControls, watchedPage } from "../../../test/support/browser.js";
import { ADMIN, BOB, basic } from "./support.js";

// The admin page "Audit log" in Chromium, behind basic-auth and under a static prefix: listed in
// the admin menu, searching the log through its endpoint, a page at a time; a user does not get it. Its screenshot goes to test-output/ui/, or
// with MLFLOW_TS_UPDATE_DOC_SCREENSHOTS=1 to docs/screenshots/ (linked from docs/audit-log.md).

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SHOTS = path.join(ROOT, process.env.MLFLOW_TS_UPDATE_DOC_SCREENSHOTS === "1" ? "docs/screenshots" : "test-output/ui");

async function signedIn(browser: Browser, who: { username: string; password: string }, errors: string[]): Promise<Page> {
  const page = await watchedPage(browser, errors);
  // Every request of the page (the UI's calls, the page module) carries the credentials.
  await page.setExtraHTTPHeaders({ authorization: basic(who) });
  return page;
}

describe.skipIf(!HAS_CHROMIUM)("the audit log page in the web UI (Chromium)", () => {
  let dir: string;
  let server: SpawnedServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-ui-"));
    const ini = path.join(dir, "basic_auth.ini");
    fs.writeFileSync(ini, `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(dir, "auth.db")}\nadmin_username = admin\n`);
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "basic-auth,audit-log", "--static-prefix", "/mlflow"], {
      cwd: dir,
      env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN.password, MLFLOW_AUDIT_LOG_FILE: path.join(dir, "audit.log") },
    });
    const call = async (p: string, body: unknown, who = ADMIN) =>
      fetch(`${server.url}${p}`, { method: "POST", headers: { "content-type": "application/json", authorization: basic(who) }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, unknown> }));
    const experiment = (await call("/api/2.0/mlflow/experiments/create", { name: "churn-model" })).json.experiment_id as string;
    await call("/api/2.0/mlflow/users/create", { username: BOB.username, password: BOB.password });
    await call("/api/2.0/mlflow/experiments/permissions/create", { experiment_id: experiment, username: "bob", permission: "EDIT" });
    const run = ((await call("/api/2.0/mlflow/runs/create", { experiment_id: experiment }, BOB)).json.run as { info: { run_id: string } }).info.run_id;
    for (const [i, key] of ["loss", "accuracy", "auc"].entries()) await call("/api/2.0/mlflow/runs/log-metric", { run_id: run, key, value: 0.5, timestamp: Date.now(), step: i }, BOB);
    // Older entries, for a second page.
    for (let step = 0; step < 60; step += 1) await call("/api/2.0/mlflow/runs/set-tag", { run_id: run, key: `t${step}`, value: "v" }, ADMIN);
    await call("/api/2.0/mlflow/experiments/delete", { experiment_id: experiment }, BOB);
    await call("/api/2.0/mlflow/registered-models/create", { name: "churn" }, { username: "bob", password: "wrong-password-000" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the page in the admin menu and searches the log", async () => {
    const errors: string[] = [];
    const page = await signedIn(browser, ADMIN, errors);
    await page.goto(`${server.url}/mlflow/`);
    await page.getByRole("link", { name: "churn-model" }).waitFor();
    await page.getByText("admin (admin)").click();
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    const rows = page.locator("table.grid tbody tr");
    // A page of 50, newest first, and the rest one click away.
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByText("50 entries, more below, newest first.").waitFor();
    // Newest first: the refused sign-in and its 401 are on top.
    expect(await rows.first().locator("td").nth(2).textContent()).toMatch(/^(bob|—)$/);
    expect(await page.locator('tr[data-outcome="refused"]').count()).toBeGreaterThanOrEqual(3);
    expect(await unlabelledControls(page)).toEqual([]);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "audit-log.png") });
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    expect(await page.getByRole("button", { name: "Load more" }).isHidden()).toBe(true);
    expect(await rows.last().textContent()).toContain("sign-in (basic)");

    await page.getByLabel("User").fill("bob");
    await page.getByLabel("Outcome").selectOption("refused");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(async () => (await rows.allTextContents()).length).toBe(2);
    const texts = await rows.allTextContents();
    expect(texts.some((t) => t.includes("/api/2.0/mlflow/experiments/delete") && t.includes("403"))).toBe(true);
    expect(texts.some((t) => t.includes("wrong password"))).toBe(true);

    await page.getByLabel("User").fill("");
    await page.getByLabel("Outcome").selectOption("");
    await page.getByLabel("Endpoint contains").fill("log-metric");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(async () => (await rows.allTextContents()).length).toBe(3);
    expect(await page.getByText("3 entries, newest first.").count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("gives a user neither the page nor the log", async () => {
    const errors: string[] = [];
    const page = await signedIn(browser, BOB, errors);
    await page.goto(`${server.url}/mlflow/#/apps/audit-log/log`);
    await page.getByText(/for admins only/).waitFor();
    expect(await page.getByRole("heading", { name: "Audit log" }).count()).toBe(0);
    await page.close();
  });
});
