import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDemo, type DemoData } from "./support/seed-ui.js";
import { HAS_CHROMIUM, CHROMIUM, launchChromium, screenshot, unlabelledControls, watchedPage } from "./support/browser.js";

// Issue 11: the daily workflow in a real browser on a seeded server — browse, filter, sort,
// compare with charts, open artifacts, edit a tag, register a model — with keyboard access and
// labelled controls. Screenshots of each page go to test-output/ui/.

if (!HAS_CHROMIUM) console.warn(`UI browser tests skipped: ${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);

describe.skipIf(!HAS_CHROMIUM)("the web UI, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let client: MlflowClient;
  let demo: DemoData;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    client = new MlflowClient(server.url);
    demo = await seedDemo(client);
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows the experiments at /, and opens one", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole("link", { name: "demo-classifier" }).waitFor();
    await screenshot(page, "01-experiments");
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole("link", { name: "demo-classifier" }).click();
    await page.getByRole("link", { name: "run-00" }).waitFor();
    expect(page.url()).toContain(`#/experiments/${demo.experimentId}`);
    // 15 runs, 13 rows: the sweep's two children are grouped under their parent (collapsed).
    await expect.poll(() => page.locator("table.runs tbody tr:not([aria-hidden])").count()).toBe(13);
    await screenshot(page, "02-runs");
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("filters with MLflow's syntax and sorts by a metric", async () => {
    await page.getByLabel("Filter runs (MLflow search syntax)").fill("params.optimizer = 'adam'");
    await page.getByLabel("Filter runs (MLflow search syntax)").press("Enter");
    await expect.poll(() => page.locator("table.runs tbody tr:not([aria-hidden])").count()).toBe(6);
    // A metric sorts descending first (best first), as MLflow's UI does; again ascending.
    const byAccuracy = async (descending: boolean) => {
      const runs = (await client.searchRuns([demo.experimentId], { filter: "params.optimizer = 'adam'", orderBy: [`metrics.accuracy ${descending ? "DESC" : "ASC"}`] })).runs;
      return runs.map((r) => r.info.run_name);
    };
    await page.getByRole("button", { name: "Sort by metric accuracy" }).click();
    await expect.poll(() => page.locator("table.runs tbody td.name").allTextContents()).toEqual(await byAccuracy(true));
    await expect.poll(() => page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("descending");
    await page.getByRole("button", { name: "Sort by metric accuracy" }).click();
    await expect.poll(() => page.locator("table.runs tbody td.name").allTextContents()).toEqual(await byAccuracy(false));
    await screenshot(page, "03-filtered-sorted");
    // A bad filter is the server's clear error, shown, not a broken page.
    await page.getByLabel("Filter runs (MLflow search syntax)").fill("metrics.acc >>> 1");
    await page.getByLabel("Filter runs (MLflow search syntax)").press("Enter");
    await page.getByRole("alert").filter({ hasText: /Invalid|syntax|parse/i }).waitFor();
    await page.getByLabel("Filter runs (MLflow search syntax)").fill("");
    await page.getByLabel("Filter runs (MLflow search syntax)").press("Enter");
    await expect.poll(() => page.locator("table.runs tbody tr:not([aria-hidden])").count()).toBe(13);
  });

  it("compares selected runs with charts", async () => {
    for (const name of ["run-00", "run-01", "run-02"]) await page.getByLabel(`Select run ${name}`).check();
    await page.getByRole("button", { name: "Compare (3)" }).click();
    await page.getByRole("heading", { name: "Comparing 3 runs" }).waitFor();
    await page.locator("figure.chart canvas").first().waitFor();
    // Charts render one after another.
    await expect.poll(() => page.locator("figure.chart").count()).toBeGreaterThanOrEqual(3);
    await page.getByRole("row", { name: /learning_rate/ }).waitFor();
    await screenshot(page, "04-compare");
  });

  it("charts runs over step, time and log scale, with values on hover", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    await page.locator("figure.chart canvas").first().waitFor();
    const loss = page.locator("figure.chart").filter({ hasText: "loss" });
    await loss.locator(".u-over").hover({ position: { x: 120, y: 60 } });
    await expect.poll(() => loss.locator(".chart-tip").textContent()).toMatch(/step \d+/);
    expect(await loss.locator(".chart-tip").textContent()).toMatch(/run-\d\d: [\d.]+/);
    await page.getByLabel("X axis").selectOption("relative");
    await page.getByLabel("Log scale").check();
    await page.getByLabel("Smoothing").fill("0.6");
    await page.locator("figure.chart canvas").first().waitFor();
    await screenshot(page, "05-charts");
  });

  it("opens a run: overview, tags edited, artifacts previewed", async () => {
    // The link the Python client prints after a run.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.modelRunId}`);
    await page.getByRole("heading", { name: "run-00" }).waitFor();
    await page.getByRole("cell", { name: "learning_rate" }).waitFor();
    await page.getByLabel("New tag key").fill("reviewed");
    await page.getByLabel("New tag value").fill("yes");
    await page.getByRole("button", { name: "Add tag" }).click();
    await expect.poll(async () => (await client.getRun(demo.modelRunId)).data.tags?.find((t) => t.key === "reviewed")?.value).toBe("yes");
    await page.getByRole("button", { name: "Edit tag team" }).click();
    await page.getByLabel("Value of tag team").fill("platform");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect.poll(async () => (await client.getRun(demo.modelRunId)).data.tags?.find((t) => t.key === "team")?.value).toBe("platform");
    await screenshot(page, "06-run");
    expect(await unlabelledControls(page)).toEqual([]);

    await page.getByRole("tab", { name: "Artifacts" }).click();
    await page.getByRole("button", { name: /metrics\.json/ }).click();
    await page.locator("pre.artifact-text").filter({ hasText: '"accuracy": 0.93' }).waitFor();
    await page.getByRole("button", { name: /predictions\.csv/ }).click();
    await page.getByRole("cell", { name: "churn, maybe" }).waitFor();
    await page.getByRole("button", { name: /plots/ }).click();
    await page.getByRole("button", { name: /roc\.png/ }).click();
    await page.getByRole("img", { name: "roc.png" }).waitFor();
    expect(await page.getByRole("img", { name: "roc.png" }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(2);
    await page.getByRole("button", { name: /^▸ model/ }).click();
    await page.getByRole("button", { name: /MLmodel/ }).click();
    await page.locator("pre.artifact-text").filter({ hasText: "loader_module" }).waitFor();
    await screenshot(page, "07-artifacts");
  });

  it("registers a model from the run's artifacts and manages the version", async () => {
    await page.getByRole("button", { name: /^▾ model/ }).click();
    await page.getByRole("button", { name: "Register model" }).click();
    await page.getByLabel("Model name").fill(demo.modelName);
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.getByRole("heading", { name: `${demo.modelName} version 2` }).waitFor();
    await page.getByLabel("Stage").selectOption("Staging");
    await expect.poll(async () => (await client.registry.getModelVersion(demo.modelName, "2")).current_stage).toBe("Staging");
    await page.getByLabel("New alias").fill("candidate");
    await page.getByRole("button", { name: "Add alias" }).click();
    await expect.poll(async () => (await client.registry.getModelVersionByAlias(demo.modelName, "candidate")).version).toBe("2");
    await screenshot(page, "08-model-version");
    await page.getByRole("link", { name: "Registered models" }).click();
    await page.getByRole("link", { name: demo.modelName }).click();
    await page.getByRole("link", { name: "Version 2" }).waitFor();
    await page.getByRole("button", { name: "Edit description" }).click();
    await page.getByLabel("Description").fill("Nightly churn model.");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await client.registry.getRegisteredModel(demo.modelName)).description).toBe("Nightly churn model.");
    await screenshot(page, "09-model");
    await page.getByRole("link", { name: "Models", exact: true }).click();
    await page.getByRole("link", { name: demo.modelName }).waitFor();
    await screenshot(page, "10-models");
  });

  it("is usable from the keyboard", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await page.getByRole("link", { name: "run-00" }).waitFor();
    // Tab from the top reaches the filter, and Enter there searches.
    let reached = false;
    for (let i = 0; i < 30 && !reached; i += 1) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") === "Filter runs (MLflow search syntax)");
    }
    expect(reached).toBe(true);
    await page.keyboard.type("params.optimizer = 'sgd'");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("table.runs tbody tr:not([aria-hidden])").count()).toBe(6);
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
