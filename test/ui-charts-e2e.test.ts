import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDemo, type DemoData } from "./support/seed-ui.js";
import { HAS_CHROMIUM, launchChromium, unlabelledControls, watchedPage } from "./support/browser.js";

// Issue 24, part A, in Chromium: the charts panel as a layout the user arranges and that is kept per
// experiment — legends that hide a run in every chart (the hidden runs kept too), bars of latest
// values (linear or log scale), parallel coordinates (loaded on first use) whose brush filters the
// runs table, per-chart settings, system metrics in their own section on the experiment's charts
// and the run page.
// Screenshots go to test-output/ui/; with MLFLOW_TS_UPDATE_DOC_SCREENSHOTS=1 to docs/screenshots/
// (linked from docs/charts.md) — a test run must not change the checkout.

const SHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), process.env.MLFLOW_TS_UPDATE_DOC_SCREENSHOTS === "1" ? "../docs/screenshots" : "../test-output/ui");

async function docScreenshot(page: Page, name: string, element?: Locator): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await (element ? element.screenshot({ path: file }) : page.screenshot({ path: file }));
}

/** How many pixels of a chart's canvas are (nearly) this colour. */
function pixelsNear(chart: Locator, rgb: readonly number[]): Promise<number> {
  return chart.locator("canvas").evaluate((canvas: HTMLCanvasElement, want: readonly number[]) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 200 && Math.abs(data[i]! - want[0]!) <= 30 && Math.abs(data[i + 1]! - want[1]!) <= 30 && Math.abs(data[i + 2]! - want[2]!) <= 30) n += 1;
    return n;
  }, rgb);
}

/** How many pixels of a chart's canvas are saturated: lines and markers (axes, grid and text are grey). */
function saturated(chart: Locator): Promise<number> {
  return chart.locator("canvas").evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 200 && Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) >= 60) n += 1;
    return n;
  });
}

/** A digest of a chart's canvas: what it draws, compared before and after a setting changes. */
function canvasDigest(chart: Locator): Promise<string> {
  return chart.locator("canvas").evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    let h = 0;
    for (let i = 0; i < data.length; i += 1) h = (Math.imul(h, 31) + data[i]!) | 0;
    return `${canvas.width}x${canvas.height}:${h}`;
  });
}

function parseRgb(css: string): [number, number, number] {
  const [r, g, b] = css.match(/\d+/g)!.map(Number);
  return [r!, g!, b!];
}

const SYSTEM_KEYS = ["system/cpu_utilization_percentage", "system/system_memory_usage_megabytes", "system/gpu_0_utilization_percentage"];

describe.skipIf(!HAS_CHROMIUM)("the charts panel, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let client: MlflowClient;
  let demo: DemoData;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const lineChart = (title: string) => page.locator(".chart-cell").filter({ has: page.locator("figcaption", { hasText: new RegExp(`^${title.replace(/[/.]/g, "\\$&")}$`) }) });
  const rowNames = () => page.locator("table.runs tbody td.name").allTextContents();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-charts-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    client = new MlflowClient(server.url);
    demo = await seedDemo(client);
    // System metrics as MLflow's logger writes them: every few seconds, steps counting samples.
    for (const i of [8, 9, 10, 11]) {
      const metrics = [];
      for (let step = 0; step < 20; step += 1) {
        const timestamp = 1_750_000_000_000 + i * 60_000 + step * 2500;
        metrics.push({ key: SYSTEM_KEYS[0]!, value: 40 + 30 * Math.sin(step / 3 + i), timestamp, step });
        metrics.push({ key: SYSTEM_KEYS[1]!, value: 2000 + 40 * step + i * 100, timestamp, step });
        metrics.push({ key: SYSTEM_KEYS[2]!, value: 70 + 20 * Math.cos(step / 4 + i), timestamp, step });
      }
      await client.logBatch(demo.runIds[i]!, { metrics });
    }
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("groups system metrics in their own section, on the experiment's charts and on the run page", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    const system = page.getByRole("region", { name: "System metrics" });
    await system.locator("figure.chart canvas").first().waitFor();
    await expect.poll(() => system.locator("figcaption").allTextContents()).toEqual([...SYSTEM_KEYS].sort());
    // The model's metrics stay out of it, and it stays out of theirs.
    const captions = await page.locator(".chart-grid").first().locator("figcaption").allTextContents();
    expect(captions).toContain("loss");
    expect(captions).toContain("accuracy");
    expect(captions.some((c) => c.startsWith("system/"))).toBe(false);
    expect(await page.locator("h3.chart-section").allTextContents()).toEqual(["Model metrics", "System metrics"]);
    await system.scrollIntoViewIfNeeded();
    await docScreenshot(page, "charts-system-metrics");
    // The run page: its metrics table and its charts, each in two sections.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.runIds[10]}`);
    const runSystem = page.getByRole("region", { name: /^System metrics/ });
    await expect.poll(() => runSystem.getByRole("table").locator("tbody td:first-child").allTextContents()).toEqual([...SYSTEM_KEYS].sort());
    expect(await page.getByRole("table", { name: "Metrics", exact: true }).locator("tbody td:first-child").allTextContents()).toEqual(["accuracy", "loss"]);
    await page.getByRole("tab", { name: "Metrics" }).click();
    const chartsSystem = page.getByRole("region", { name: "System metrics (3)" });
    await chartsSystem.locator("figure.chart canvas").nth(2).waitFor();
    expect(await chartsSystem.locator("figcaption").allTextContents()).toEqual([...SYSTEM_KEYS].sort().map((k) => `${k} (20 points)`));
    expect(await page.getByRole("heading", { name: "Model metrics (2)" }).count()).toBe(1);
    await docScreenshot(page, "run-system-metrics");
    // A run without system metrics has no such section.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.runIds[0]}/metrics`);
    await page.getByRole("heading", { name: "run-00" }).waitFor();
    await page.locator("figure.chart", { hasText: "loss" }).locator("canvas").waitFor();
    expect(await page.getByRole("region", { name: /System metrics/ }).count()).toBe(0);
  });

  it("hides a run in every chart of the panel when its legend entry is clicked", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    const loss = lineChart("loss");
    const accuracy = lineChart("accuracy");
    await loss.locator("canvas").waitFor();
    await accuracy.locator("canvas").waitFor();
    const lossLegend = loss.getByRole("list", { name: "Runs in loss" });
    const accuracyLegend = accuracy.getByRole("list", { name: "Runs in accuracy" });
    expect(await saturated(accuracy)).toBeGreaterThan(500);
    // Every run hidden from the loss chart's legend: the accuracy chart is empty too.
    const entries = await lossLegend.getByRole("button").allTextContents();
    expect(entries).toHaveLength(7);
    for (const name of entries) await lossLegend.getByRole("button", { name }).click();
    await expect.poll(() => saturated(accuracy)).toBe(0);
    expect(await saturated(loss)).toBe(0);
    expect(await accuracyLegend.locator('[aria-pressed="true"]').count()).toBe(0);
    // One shown again from the accuracy chart's legend: back in both, in its colour only.
    await accuracyLegend.getByRole("button", { name: "run-10" }).click();
    const colour = parseRgb(await accuracyLegend.getByRole("button", { name: "run-10" }).locator(".swatch").evaluate((e) => getComputedStyle(e).backgroundColor));
    await expect.poll(() => pixelsNear(loss, colour)).toBeGreaterThan(30);
    expect(await pixelsNear(accuracy, colour)).toBeGreaterThan(30);
    expect(await saturated(loss)).toBe(await pixelsNear(loss, colour));
    expect(await lossLegend.getByRole("button", { name: "run-10" }).getAttribute("aria-pressed")).toBe("true");
    for (const name of entries.filter((n) => n !== "run-10")) await lossLegend.getByRole("button", { name }).click();
    await expect.poll(() => lossLegend.locator('[aria-pressed="false"]').count()).toBe(0);
  });

  it("adds a bar chart of latest values: one bar per run in its colour, legend toggles included", async () => {
    await page.getByRole("button", { name: "Add chart" }).click();
    const dialog = page.getByRole("dialog", { name: "Add chart" });
    await dialog.getByLabel("Chart type").selectOption("bar");
    await dialog.getByLabel("Metric", { exact: true }).fill("accuracy");
    await dialog.getByRole("button", { name: "Add" }).click();
    const chart = page.locator(".chart-cell").filter({ has: page.locator("figcaption", { hasText: /^accuracy \(latest\)$/ }) });
    const bars = chart.locator("rect.bar");
    // The panel's runs: the table's first ten (newest first), less the three sweep runs without accuracy.
    await expect.poll(() => bars.count()).toBe(7);
    const charted = (await client.searchRuns([demo.experimentId], { maxResults: 10 })).runs.filter((r) => r.data.metrics?.some((m) => m.key === "accuracy"));
    const latest = new Map(charted.map((r) => [r.info.run_id, r.data.metrics!.find((m) => m.key === "accuracy")!.value as number]));
    const drawn = await bars.evaluateAll((rects) => rects.map((r) => ({ run: r.getAttribute("data-run")!, width: Number(r.getAttribute("width")), fill: r.getAttribute("fill")! })));
    expect(new Set(drawn.map((d) => d.run))).toEqual(new Set(latest.keys()));
    // Longer bars for larger values (all positive here: from zero).
    const byWidth = [...drawn].sort((a, b) => a.width - b.width).map((d) => d.run);
    const byValue = [...drawn].sort((a, b) => latest.get(a.run)! - latest.get(b.run)!).map((d) => d.run);
    expect(byWidth).toEqual(byValue);
    // Each in its run's colour, as the line charts' legends show it.
    const loss = lineChart("loss");
    for (const d of drawn.slice(0, 3)) {
      const name = charted.find((r) => r.info.run_id === d.run)!.info.run_name;
      const swatch = await loss.getByRole("button", { name, exact: true }).locator(".swatch").evaluate((e) => getComputedStyle(e).backgroundColor);
      expect(parseRgb(await chart.locator(`rect.bar[data-run="${d.run}"]`).evaluate((e) => getComputedStyle(e).fill))).toEqual(parseRgb(swatch));
    }
    // Its legend hides a run's bar (and the run's lines).
    await chart.getByRole("list", { name: "Runs in accuracy (latest)" }).getByRole("button", { name: "run-09" }).click();
    await expect.poll(() => bars.count()).toBe(6);
    expect(await loss.getByRole("button", { name: "run-09" }).getAttribute("aria-pressed")).toBe("false");
    await chart.getByRole("list", { name: "Runs in accuracy (latest)" }).getByRole("button", { name: "run-09" }).click();
    await expect.poll(() => bars.count()).toBe(7);
    await chart.scrollIntoViewIfNeeded();
    await docScreenshot(page, "charts-bar", chart);
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("gives each line chart its own x axis, smoothing and log scale", async () => {
    const loss = lineChart("loss");
    const accuracy = lineChart("accuracy");
    await loss.scrollIntoViewIfNeeded();
    const tipOf = async (chart: Locator) => {
      await chart.locator(".u-over").hover({ position: { x: 150, y: 60 } });
      await expect.poll(() => chart.locator(".chart-tip").isVisible()).toBe(true);
      return (await chart.locator(".chart-tip .tip-head").textContent()) ?? "";
    };
    expect(await tipOf(loss)).toMatch(/^step \d+$/);
    const before = await canvasDigest(loss);
    const accuracyBefore = await canvasDigest(accuracy);
    await loss.getByRole("button", { name: "Chart settings: loss" }).click();
    const settings = loss.getByRole("group", { name: "Settings of loss" });
    await settings.getByLabel("X axis of loss", { exact: true }).selectOption("relative");
    await expect.poll(() => tipOf(loss)).toMatch(/^\d+(\.\d+)? s$/);
    await settings.getByLabel("Log scale of loss", { exact: true }).check();
    await settings.getByLabel("Smoothing of loss", { exact: true }).fill("0.8");
    await expect.poll(() => canvasDigest(loss)).not.toBe(before);
    await docScreenshot(page, "charts-settings", loss);
    // Only that chart: the other one still follows the panel (step, linear).
    expect(await tipOf(accuracy)).toMatch(/^step \d+$/);
    expect(await canvasDigest(accuracy)).toBe(accuracyBefore);
    await page.mouse.move(0, 0);
    expect(await loss.getByRole("button", { name: "Chart settings: loss" }).getAttribute("class")).toBe("customised");
    await settings.getByRole("button", { name: "Done" }).click();
    // The panel's controls change the charts without settings of their own, not this one.
    await page.getByLabel("X axis").selectOption("time");
    await expect.poll(() => tipOf(accuracy)).not.toMatch(/^step/);
    expect(await tipOf(loss)).toMatch(/^\d+(\.\d+)? s$/);
    await page.getByLabel("X axis").selectOption("step");
    // Kept across a reload, with the layout.
    await page.reload();
    await lineChart("loss").locator("canvas").waitFor();
    expect(await tipOf(lineChart("loss"))).toMatch(/^\d+(\.\d+)? s$/);
    await lineChart("loss").getByRole("button", { name: "Chart settings: loss" }).click();
    const kept = lineChart("loss").getByRole("group", { name: "Settings of loss" });
    expect(await kept.getByLabel("Log scale of loss", { exact: true }).isChecked()).toBe(true);
    expect(await kept.getByLabel("Smoothing of loss", { exact: true }).inputValue()).toBe("0.8");
    // Back to the panel's settings.
    await kept.getByRole("button", { name: "Use the panel's settings" }).click();
    await expect.poll(() => tipOf(lineChart("loss"))).toMatch(/^step \d+$/);
    await kept.getByRole("button", { name: "Done" }).click();
  });

  it("keeps the layout per experiment: which charts, their order, added and removed, across reloads", async () => {
    const captions = () => page.locator(".charts > .chart-grid > .chart-cell figcaption").allTextContents();
    await expect.poll(captions).toEqual(["accuracy", "loss", "accuracy against param learning_rate", "accuracy (latest)"]);
    await page.getByRole("button", { name: "Move chart earlier: accuracy (latest)" }).click();
    await page.getByRole("button", { name: "Move chart earlier: accuracy (latest)" }).click();
    await expect.poll(captions).toEqual(["accuracy", "accuracy (latest)", "loss", "accuracy against param learning_rate"]);
    await page.getByRole("button", { name: "Remove chart: accuracy", exact: true }).click();
    await expect.poll(captions).toEqual(["accuracy (latest)", "loss", "accuracy against param learning_rate"]);
    // The scatter's fields are part of it too.
    await page.getByLabel("Scatter X").selectOption("param:optimizer");
    await expect.poll(captions).toEqual(["accuracy (latest)", "loss", "accuracy against param optimizer"]);
    // System charts move within their own section.
    const system = page.getByRole("region", { name: "System metrics" });
    await system.getByRole("button", { name: "Move chart later: system/cpu_utilization_percentage" }).click();
    await expect.poll(() => system.locator("figcaption").allTextContents()).toEqual(["system/gpu_0_utilization_percentage", "system/cpu_utilization_percentage", "system/system_memory_usage_megabytes"]);
    expect(await page.evaluate((id) => JSON.parse(window.localStorage.getItem(`mlflow-ts.charts.${id}`) ?? "null")?.charts.length, demo.experimentId)).toBe(6);
    await page.reload();
    await expect.poll(captions).toEqual(["accuracy (latest)", "loss", "accuracy against param optimizer"]);
    await expect.poll(() => system.locator("figcaption").allTextContents()).toEqual(["system/gpu_0_utilization_percentage", "system/cpu_utilization_percentage", "system/system_memory_usage_megabytes"]);
    await page.locator("figure.bar-chart rect.bar").first().waitFor();
    await docScreenshot(page, "charts-layout");
    // Another experiment keeps its own (here: the default) layout.
    const other = await client.createExperiment("other-experiment");
    const run = await client.createRun(other, { runName: "lonely" });
    await client.logMetric(run.info.run_id, "accuracy", 0.5, { step: 0 });
    await page.goto(`${server.url}/#/experiments/${other}/charts`);
    await expect.poll(captions).toEqual(["accuracy", "accuracy against metric accuracy"]);
    // Back to the default: a chart per metric.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    await page.getByRole("button", { name: "Reset layout" }).click();
    await expect.poll(captions).toEqual(["accuracy", "loss", "accuracy against param learning_rate"]);
    expect(await page.evaluate((id) => window.localStorage.getItem(`mlflow-ts.charts.${id}`), demo.experimentId)).toBeNull();
  });

  it("draws parallel coordinates, loaded on first use, whose brushes filter the runs table and charts", async () => {
    const chunk = () => page.evaluate(() => performance.getEntriesByType("resource").filter((e) => /ParallelCoordinates/.test(e.name)).length);
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    await page.reload();
    await lineChart("loss").locator("canvas").waitFor();
    expect(await chunk()).toBe(0);
    await page.getByRole("button", { name: "Add chart" }).click();
    const dialog = page.getByRole("dialog", { name: "Add chart" });
    await dialog.getByLabel("Chart type").selectOption("parallel");
    // Offered: the params that vary between runs, then metrics (the first one last).
    const chosen = dialog.getByRole("group", { name: /^Axes, left to right/ }).locator(".checklist").first().locator("label");
    expect(await chosen.allTextContents()).toEqual([" param learning_rate", " param optimizer", " metric loss", " metric accuracy"]);
    await docScreenshot(page, "charts-add-parallel", dialog);
    await dialog.getByRole("button", { name: "Add" }).click();
    const figure = page.locator("figure.parallel");
    // Every run of the table (15, three without these params or metrics), none brushed yet.
    await expect.poll(() => figure.getAttribute("data-drawn")).toBe("15");
    expect(await figure.getAttribute("data-inside")).toBe("15");
    expect(await chunk()).toBe(1);
    await figure.scrollIntoViewIfNeeded();
    const brush = async (field: string, from: number, to: number) => {
      const box = (await figure.locator(`g[data-field="${field}"] rect.pc-hit`).boundingBox())!;
      const x = box.x + box.width / 2;
      // from/to: fractions of the axis' height, 0 at the bottom (its rect reaches 6 px beyond each end).
      const y = (f: number) => box.y + 6 + (1 - f) * (box.height - 12);
      await page.mouse.move(x, y(from));
      await page.mouse.down();
      await page.mouse.move(x, y((from + to) / 2), { steps: 3 });
      await page.mouse.move(x, y(to), { steps: 3 });
      await page.mouse.up();
    };
    const names = async (filter: string) => (await client.searchRuns([demo.experimentId], { filter })).runs.map((r) => r.info.run_name).sort();
    // The top of accuracy: the runs at learning rate 0.1 (accuracy about 0.98; the others 0.78 and 0.43).
    await brush("metric:accuracy", 1, 0.85);
    const fast = await names("params.learning_rate = '0.1'");
    expect(fast).toHaveLength(4);
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("4");
    // The other charts follow: the line charts' runs are those inside.
    await expect.poll(async () => (await lineChart("loss").getByRole("list", { name: "Runs in loss" }).getByRole("button").allTextContents()).sort()).toEqual(fast);
    await page.getByRole("status").filter({ hasText: "Brushed on parallel coordinates: 4 of 15 runs shown." }).waitFor();
    // And a category: optimizer "adam" (the bottom of its axis, sorted adam, sgd).
    await brush("param:optimizer", 0, 0.2);
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("2");
    expect(await figure.locator('g[data-field="param:optimizer"] rect.pc-hit').getAttribute("aria-valuetext")).toBe("adam");
    await page.mouse.move(0, 0);
    await docScreenshot(page, "charts-parallel", page.locator(".chart-cell.wide"));
    // The runs table shows only the runs inside every brush.
    await page.getByRole("tab", { name: "Runs" }).click();
    await expect.poll(async () => (await rowNames()).sort()).toEqual(await names("params.learning_rate = '0.1' and params.optimizer = 'adam'"));
    await docScreenshot(page, "runs-brushed");
    // Escape on an axis clears its brush; a click on an axis too.
    await page.getByRole("tab", { name: "Charts" }).click();
    await figure.locator('g[data-field="param:optimizer"] rect.pc-hit').focus();
    await page.keyboard.press("Escape");
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("4");
    const box = (await figure.locator('g[data-field="metric:accuracy"] rect.pc-hit').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("15");
    // From the keyboard: a brush over the middle fifth of an axis, moved up a twentieth — here onto
    // the runs at learning rate 0.03 (accuracy about 0.78, the middle of its axis' upper half).
    await figure.locator('g[data-field="metric:accuracy"] rect.pc-hit').focus();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("0");
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("4");
    await expect.poll(async () => (await lineChart("loss").getByRole("list", { name: "Runs in loss" }).getByRole("button").allTextContents()).sort()).toEqual(await names("params.learning_rate = '0.03'"));
    await page.keyboard.press("Escape");
    await expect.poll(() => figure.getAttribute("data-inside")).toBe("15");
    await page.getByRole("tab", { name: "Runs" }).click();
    // Every run again: 15, of which the two sweep children sit (collapsed) under their parent.
    await expect.poll(() => rowNames().then((n) => n.length)).toBe(13);
    expect(await page.getByText("Brushed on parallel coordinates").count()).toBe(0);
    // Kept in the layout, axes included.
    await page.getByRole("tab", { name: "Charts" }).click();
    await page.reload();
    await expect.poll(() => page.locator("figure.parallel").getAttribute("data-axes")).toBe("4");
    expect(await unlabelledControls(page)).toEqual([]);
    // In the dark theme: redrawn with its colours.
    await page.emulateMedia({ colorScheme: "dark" });
    await figure.scrollIntoViewIfNeeded();
    await brush("metric:loss", 0, 0.4);
    await expect.poll(() => page.locator("figure.parallel").getAttribute("data-inside")).not.toBe("15");
    await page.mouse.move(0, 0);
    await docScreenshot(page, "charts-parallel-dark", page.locator(".chart-cell.wide"));
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("draws a bar chart on a log scale, kept with the layout; a value ≤ 0 is 'n/a on log scale', not a bar", async () => {
    const experiment = await client.createExperiment("log-bars");
    const values: Record<string, number> = { small: 0.004, mid: 0.5, big: 20, zero: 0, negative: -3 };
    const ids: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      ids[name] = (await client.createRun(experiment, { runName: name })).info.run_id;
      await client.logMetric(ids[name]!, "score", value, { step: 0 });
    }
    await page.goto(`${server.url}/#/experiments/${experiment}/charts`);
    await page.getByRole("button", { name: "Add chart" }).click();
    const dialog = page.getByRole("dialog", { name: "Add chart" });
    await dialog.getByLabel("Chart type").selectOption("bar");
    await dialog.getByLabel("Metric", { exact: true }).fill("score");
    await dialog.getByRole("button", { name: "Add" }).click();
    const chart = page.locator(".chart-cell").filter({ has: page.locator("figcaption", { hasText: /^score \(latest\)$/ }) });
    const bars = chart.locator("rect.bar");
    const widths = async () => Object.fromEntries(await bars.evaluateAll((rects) => rects.map((r) => [r.getAttribute("data-run")!, Number(r.getAttribute("width"))])));
    // Linear: a bar for every value, the negative one to the left of zero.
    await expect.poll(() => bars.count()).toBe(5);
    const linear = await widths();
    expect(linear[ids.big!]! / linear[ids.mid!]!).toBeCloseTo(40, 0);
    await chart.getByRole("button", { name: "Chart settings: score (latest)" }).click();
    await chart.getByLabel("Log scale of score (latest)", { exact: true }).check();
    // Log: whole decades from 0.001 to 100, each a fifth of the axis; zero and -3 have no bar.
    await expect.poll(() => bars.count()).toBe(3);
    const log = await widths();
    expect(log[ids.big!]! / log[ids.mid!]!).toBeCloseTo(Math.log10(20 / 0.001) / Math.log10(0.5 / 0.001), 2);
    expect(await chart.locator(".bar-scale").textContent()).toBe("Log scale, 0.001 to 100");
    expect(await chart.locator("text.bar-value.na").allTextContents()).toEqual(["n/a on log scale", "n/a on log scale"]);
    expect(await chart.getByRole("button", { name: "Chart settings: score (latest)" }).getAttribute("class")).toBe("customised");
    await chart.getByRole("button", { name: "Done" }).click();
    expect(await unlabelledControls(page)).toEqual([]);
    await chart.scrollIntoViewIfNeeded();
    await docScreenshot(page, "charts-bar-log", chart);
    // Kept in the layout, and read back as it was.
    const stored = await page.evaluate((id) => JSON.parse(window.localStorage.getItem(`mlflow-ts.charts.${id}`)!).charts.find((c: { type: string }) => c.type === "bar"), experiment);
    expect(stored.settings).toEqual({ log: true });
    await page.reload();
    await expect.poll(() => bars.count()).toBe(3);
    await chart.getByRole("button", { name: "Chart settings: score (latest)" }).click();
    expect(await chart.getByLabel("Log scale of score (latest)", { exact: true }).isChecked()).toBe(true);
    // Linear again: the setting leaves the layout.
    await chart.getByLabel("Log scale of score (latest)", { exact: true }).uncheck();
    await expect.poll(() => bars.count()).toBe(5);
    const again = await page.evaluate((id) => JSON.parse(window.localStorage.getItem(`mlflow-ts.charts.${id}`)!).charts.find((c: { type: string }) => c.type === "bar"), experiment);
    expect(again.settings).toBeUndefined();
  });

  it("keeps the runs hidden through legends per experiment, beside the layout; stale IDs change nothing", async () => {
    const experiment = (await client.getExperimentByName("log-bars")).experiment_id;
    const runs = (await client.searchRuns([experiment])).runs;
    const id = (name: string) => runs.find((r) => r.info.run_name === name)!.info.run_id;
    await page.goto(`${server.url}/#/experiments/${experiment}/charts`);
    const chart = page.locator(".chart-cell").filter({ has: page.locator("figcaption", { hasText: /^score \(latest\)$/ }) });
    const legend = chart.getByRole("list", { name: "Runs in score (latest)" });
    await expect.poll(() => chart.locator("rect.bar").count()).toBe(5);
    await legend.getByRole("button", { name: "mid" }).click();
    await legend.getByRole("button", { name: "big" }).click();
    await expect.poll(() => chart.locator("rect.bar").count()).toBe(3);
    const key = `mlflow-ts.charts.${experiment}.hidden`;
    expect(await page.evaluate((k) => JSON.parse(window.localStorage.getItem(k)!), key)).toEqual([id("mid"), id("big")]);
    // Reload: still hidden, in every chart of the panel.
    await page.reload();
    await expect.poll(() => chart.locator("rect.bar").count()).toBe(3);
    expect(await legend.getByRole("button", { name: "mid" }).getAttribute("aria-pressed")).toBe("false");
    expect(await lineChart("score").getByRole("button", { name: "big" }).getAttribute("aria-pressed")).toBe("false");
    // Another experiment's charts are not affected.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    await lineChart("loss").locator("canvas").waitFor();
    expect(await lineChart("loss").getByRole("list", { name: "Runs in loss" }).locator('[aria-pressed="false"]').count()).toBe(0);
    // What was kept by hand or by another version: a run since deleted, junk; only real runs count.
    await page.evaluate(([k, mid]) => window.localStorage.setItem(k!, JSON.stringify(["0123456789abcdef0123456789abcdef", 42, "x]<y>", mid])), [key, id("mid")]);
    await page.goto(`${server.url}/#/experiments/${experiment}/charts`);
    await expect.poll(() => chart.locator("rect.bar").count()).toBe(4);
    expect(await legend.getByRole("button", { name: "mid" }).getAttribute("aria-pressed")).toBe("false");
    await page.getByRole("button", { name: "Show 1 hidden run" }).click();
    await expect.poll(() => chart.locator("rect.bar").count()).toBe(5);
    expect(await page.getByRole("button", { name: /^Show \d+ hidden/ }).count()).toBe(0);
    // The stale ID is kept (it changes nothing), the shown run is not.
    expect(await page.evaluate((k) => JSON.parse(window.localStorage.getItem(k)!), key)).toEqual(["0123456789abcdef0123456789abcdef"]);
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
