import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDemo, type DemoData } from "./support/seed-ui.js";
import { HAS_CHROMIUM, launchChromium, unlabelledControls, watchedPage } from "./support/browser.js";

// Issue 24, first slice, in Chromium: single-point metrics drawn as markers, chart legends that
// hide and show runs, one colour per run on every page, names in breadcrumbs, dark mode, Markdown
// descriptions (loaded lazily, hostile input inert on every description: experiment, run,
// registered model, model version).
// Screenshots of each new view go to test-output/ui/; with MLFLOW_TS_UPDATE_DOC_SCREENSHOTS=1 to
// docs/screenshots/ (linked from the README) — a test run must not change the checkout.

const DOCS_SCREENSHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), process.env.MLFLOW_TS_UPDATE_DOC_SCREENSHOTS === "1" ? "../docs/screenshots" : "../test-output/ui");

/** Saves the viewport (or one element) as `<name>.png` (see above for where). */
async function docScreenshot(page: Page, name: string, element?: Locator): Promise<void> {
  fs.mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  const file = path.join(DOCS_SCREENSHOTS, `${name}.png`);
  await (element ? element.screenshot({ path: file }) : page.screenshot({ path: file }));
}

/** The saturated pixels of a chart's canvas (lines and markers; axes and grid are grey), with their centroid. */
function seriesPixels(chart: Locator): Promise<{ count: number; rgb: [number, number, number][]; cx: number; cy: number; width: number; height: number }> {
  return chart.locator("canvas").evaluate((canvas: HTMLCanvasElement) => {
    const ctx = canvas.getContext("2d")!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const over = canvas.parentElement!.querySelector(".u-over") as HTMLElement;
    const ratio = canvas.width / canvas.clientWidth;
    const box = { left: over.offsetLeft * ratio, top: over.offsetTop * ratio, width: over.clientWidth * ratio, height: over.clientHeight * ratio };
    let count = 0;
    let sx = 0;
    let sy = 0;
    const rgb: [number, number, number][] = [];
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!, a = data[i + 3]!;
      if (a < 200 || Math.max(r, g, b) - Math.min(r, g, b) < 60) continue;
      count += 1;
      const p = i / 4;
      sx += (p % canvas.width) - box.left;
      sy += Math.floor(p / canvas.width) - box.top;
      if (rgb.length < 50) rgb.push([r, g, b]);
    }
    return { count, rgb, cx: count ? sx / count / box.width : -1, cy: count ? sy / count / box.height : -1, width: box.width, height: box.height };
  });
}

/** How many pixels of a chart's canvas are (nearly) this colour. */
function pixelsNear(chart: Locator, rgb: readonly number[]): Promise<number> {
  return chart.locator("canvas").evaluate((canvas: HTMLCanvasElement, want: readonly number[]) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 200 && Math.abs(data[i]! - want[0]!) <= 40 && Math.abs(data[i + 1]! - want[1]!) <= 40 && Math.abs(data[i + 2]! - want[2]!) <= 40) n += 1;
    return n;
  }, rgb);
}

function parseRgb(css: string): [number, number, number] {
  const [r, g, b] = css.match(/\d+/g)!.map(Number);
  return [r!, g!, b!];
}

const near = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) <= 40;

describe.skipIf(!HAS_CHROMIUM)("issue 24 views, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let client: MlflowClient;
  let demo: DemoData;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-views-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    client = new MlflowClient(server.url);
    demo = await seedDemo(client);
    // A metric logged once, as `mlflow.log_metric("train_acc", 0.87)` after training leaves it.
    await client.logMetric(demo.runIds[10]!, "train_acc", 0.87, { step: 5 });
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("draws a metric logged once as a marker in the middle of its chart", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    const chart = page.locator("figure.chart").filter({ has: page.locator("figcaption", { hasText: /^train_acc$/ }) });
    await chart.locator("canvas").waitFor();
    // One run has it: one series, no legend (a legend is for several runs).
    await expect.poll(() => chart.getByRole("img").getAttribute("aria-label")).toBe("Chart of train_acc for 1 runs");
    const pixels = await seriesPixels(chart);
    expect(pixels.count).toBeGreaterThan(20);
    // The x range is the point's step ± 1 and the y range its value ± 10 %: the marker is centred.
    expect(pixels.cx).toBeGreaterThan(0.4);
    expect(pixels.cx).toBeLessThan(0.6);
    expect(pixels.cy).toBeGreaterThan(0.4);
    expect(pixels.cy).toBeLessThan(0.6);
    await docScreenshot(page, "chart-single-point", chart);
    // Over time too (uPlot alone would put it at the left edge of a day).
    for (const axis of ["time", "relative"]) {
      await page.getByLabel("X axis").selectOption(axis);
      await expect.poll(async () => (await seriesPixels(chart)).cx).toBeGreaterThan(0.4);
      expect((await seriesPixels(chart)).cx).toBeLessThan(0.6);
    }
    // In the run's colour.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.runIds[10]}`);
    const swatch = await page.locator(".run-swatch").evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(pixels.rgb.every((p) => near(p, parseRgb(swatch)))).toBe(true);
  });

  it("gives multi-run charts a legend whose entries hide and show a run's line", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    const chart = page.locator("figure.chart").filter({ has: page.locator("figcaption", { hasText: /^loss$/ }) });
    await chart.locator("canvas").waitFor();
    const legend = chart.getByRole("list", { name: "Runs in loss" });
    const entries = legend.getByRole("button");
    // The first ten runs of the table (newest first) are charted; the three sweep runs have no loss.
    await expect.poll(() => entries.count()).toBe(7);
    expect(await entries.allTextContents()).toEqual(["run-11", "run-10", "run-09", "run-08", "run-07", "run-06", "run-05"]);
    expect((await seriesPixels(chart)).count).toBeGreaterThan(500);
    // Hide every run: nothing coloured is left on the canvas.
    for (let i = 0; i < 7; i += 1) await entries.nth(i).click();
    await expect.poll(() => legend.locator('[aria-pressed="false"]').count()).toBe(7);
    expect((await seriesPixels(chart)).count).toBe(0);
    // Show one again: its line is back, in its swatch's colour, and hover names only it.
    const run10 = legend.getByRole("button", { name: "run-10" });
    await run10.click();
    expect(await run10.getAttribute("aria-pressed")).toBe("true");
    const swatch = parseRgb(await run10.locator(".swatch").evaluate((e) => getComputedStyle(e).backgroundColor));
    const shown = await seriesPixels(chart);
    expect(shown.count).toBeGreaterThan(50);
    expect(shown.rgb.every((p) => near(p, swatch))).toBe(true);
    await chart.locator(".u-over").hover({ position: { x: 200, y: 60 } });
    await expect.poll(() => chart.locator(".chart-tip").textContent()).toMatch(/^step \d+run-10: /);
    for (const name of ["run-09", "run-08", "run-07"]) await legend.getByRole("button", { name }).click();
    await page.mouse.move(0, 0);
    await chart.scrollIntoViewIfNeeded();
    await docScreenshot(page, "charts-legend");
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("gives each run one colour on the experiment charts, the compare page and the run page", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    const legend = page.getByRole("list", { name: "Runs in accuracy" });
    await legend.getByRole("button").first().waitFor();
    const names = ["run-10", "run-09", "run-08"];
    const colourIn = (scope: Locator, name: string) => scope.getByRole("button", { name }).locator(".swatch").evaluate((e) => getComputedStyle(e).backgroundColor);
    const onCharts = await Promise.all(names.map((n) => colourIn(legend, n)));
    expect(new Set(onCharts).size).toBe(3);
    const ids = names.map((n) => demo.runIds[Number(n.slice(4))]!);
    // On the compare page the runs come in another order (and another count): same colours.
    await page.goto(`${server.url}/#/compare-runs?runs=${encodeURIComponent(JSON.stringify([...ids].reverse()))}`);
    const compareLegend = page.getByRole("list", { name: "Runs in accuracy" });
    await compareLegend.getByRole("button").first().waitFor();
    expect(await Promise.all(names.map((n) => colourIn(compareLegend, n)))).toEqual(onCharts);
    const headers = await Promise.all(names.map((n) => page.locator("table.compare th", { hasText: n }).locator(".swatch").evaluate((e) => getComputedStyle(e).backgroundColor)));
    expect(headers).toEqual(onCharts);
    // The scatter's points too: one per run, each in its run's colour.
    const scatter = page.locator("section.scatter figure.chart");
    await scatter.locator("canvas").waitFor();
    for (const colour of onCharts) expect(await pixelsNear(scatter, parseRgb(colour))).toBeGreaterThan(10);
    await docScreenshot(page, "scatter-colours", scatter);
    await docScreenshot(page, "compare-colours");
    // The run page: its swatch and its charts' lines.
    for (const [i, id] of ids.entries()) {
      await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${id}/metrics?metric=accuracy`);
      await page.getByRole("heading", { name: names[i] }).waitFor();
      await page.locator("figure.chart", { hasText: `accuracy` }).locator("canvas").waitFor();
      expect(await page.locator(".run-swatch").evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(onCharts[i]);
      const line = await seriesPixels(page.locator("figure.chart").first());
      expect(line.rgb.every((p) => near(p, parseRgb(onCharts[i]!)))).toBe(true);
    }
  });

  it("names the experiment and the parent run in breadcrumbs", async () => {
    const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.runIds[10]}`);
    await page.getByRole("heading", { name: "run-10" }).waitFor();
    await expect.poll(() => crumbs.textContent()).toBe("Experiments / demo-classifier /");
    expect(await crumbs.getByRole("link", { name: "demo-classifier" }).getAttribute("href")).toBe(`#/experiments/${demo.experimentId}`);
    // A nested run: its parent's name too, linked.
    const [child] = (await client.searchRuns([demo.experimentId], { filter: `tags.mlflow.parentRunId = '${demo.parentId}'` })).runs;
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${child!.info.run_id}`);
    await page.getByRole("heading", { name: child!.info.run_name }).waitFor();
    await expect.poll(() => crumbs.textContent()).toBe("Experiments / demo-classifier / sweep-parent /");
    expect(await crumbs.getByRole("link", { name: "sweep-parent" }).getAttribute("href")).toBe(`#/experiments/${demo.experimentId}/runs/${demo.parentId}`);
    await docScreenshot(page, "breadcrumbs", page.locator("main"));
    // The compare page of one experiment's runs.
    await page.goto(`${server.url}/#/compare-runs?runs=${encodeURIComponent(JSON.stringify(demo.runIds.slice(0, 2)))}`);
    await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
    await expect.poll(() => crumbs.textContent()).toBe("Experiments / demo-classifier /");
  });

  it("follows the system's dark mode, and keeps a toggled theme in local storage", async () => {
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const stored = () => page.evaluate(() => window.localStorage.getItem("mlflow-ts.theme"));
    const toggle = page.getByRole("button", { name: "Dark mode" });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/charts`);
    await page.locator("figure.chart canvas").first().waitFor();
    expect(await theme()).toBe("dark");
    expect(await background()).toBe("rgb(18, 23, 30)");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    expect(await stored()).toBeNull();
    // Charts are redrawn with the theme's axis colours: light text on the dark canvas.
    const lightText = await page.locator("figure.chart canvas").first().evaluate((c: HTMLCanvasElement) => {
      const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 200 && data[i]! > 120 && Math.abs(data[i]! - data[i + 2]!) < 40) n += 1;
      return n;
    });
    expect(lightText).toBeGreaterThan(100);
    await docScreenshot(page, "dark-mode");
    await page.getByRole("tab", { name: "Runs" }).click();
    await page.getByRole("link", { name: "run-00" }).waitFor();
    await docScreenshot(page, "dark-mode-runs");
    await page.getByRole("tab", { name: "Charts" }).click();
    await page.locator("figure.chart canvas").first().waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // The system turns light: so does the page, while nothing is stored.
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(theme).toBe("light");
    expect(await background()).toBe("rgb(255, 255, 255)");
    // Toggled dark on a light system: stored, and kept across a reload.
    await toggle.click();
    await expect.poll(theme).toBe("dark");
    expect(await stored()).toBe("dark");
    await page.reload();
    await page.locator("figure.chart canvas").first().waitFor();
    expect(await theme()).toBe("dark");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    // Toggled back to what the system prefers: nothing stored, the system is followed again.
    await toggle.click();
    await expect.poll(theme).toBe("light");
    expect(await stored()).toBeNull();
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(theme).toBe("dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("renders descriptions as Markdown, loaded on first use", async () => {
    const fresh = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const chunks = () => fresh.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => /render-markdown/.test(n)));
    await fresh.goto(`${server.url}/`);
    await fresh.getByRole("link", { name: "demo-classifier" }).waitFor();
    expect(await chunks()).toEqual([]);
    const note = ["Nightly **churn** model, see [the runbook](https://example.com/runbook).", "", "- features: `usage_30d`", "- owner: _ml-platform_", "", "| split | rows |", "| --- | --- |", "| train | 8000 |"].join("\n");
    await client.setTag(demo.runIds[10]!, "mlflow.note.content", note);
    await client.registry.updateRegisteredModel(demo.modelName, "Predicts **churn**:\n\n1. from usage\n2. weekly");
    await fresh.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.runIds[10]}`);
    const markdown = fresh.locator(".editable .markdown");
    await markdown.locator("strong", { hasText: "churn" }).waitFor();
    expect(await chunks()).toHaveLength(1);
    expect(await markdown.locator("li").allTextContents()).toEqual(["features: usage_30d", "owner: ml-platform"]);
    expect(await markdown.locator("code").textContent()).toBe("usage_30d");
    expect(await markdown.locator("td").allTextContents()).toEqual(["train", "8000"]);
    const link = markdown.getByRole("link", { name: "the runbook" });
    expect(await link.getAttribute("href")).toBe("https://example.com/runbook");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    await docScreenshot(fresh, "markdown-description", fresh.locator(".editable").first());
    await fresh.goto(`${server.url}/#/models/${encodeURIComponent(demo.modelName)}`);
    await fresh.locator(".editable .markdown ol li").first().waitFor();
    expect(await fresh.locator(".editable .markdown li").allTextContents()).toEqual(["from usage", "weekly"]);
    await fresh.close();
  });

  it("renders hostile Markdown inert on every description — experiment, run, registered model, model version", async () => {
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert('data-svg')"><script>alert('data-svg-script')</script></svg>`).toString("base64");
    const html = Buffer.from("<script>alert('data-html')</script>").toString("base64");
    // Payloads set window.__pwned or call alert(): either would show, as a value or a dialog.
    const hostile = [
      "# Notes",
      "<script>window.__pwned = 'script'</script>",
      "<script>alert('script')</script>",
      "<img src=x onerror=\"window.__pwned = 'img'\">",
      "<img src=x onerror=alert('img-alert')>",
      "<svg onload=\"window.__pwned = 'svg'\"><script>window.__pwned = 'svg-script'</script><a xlink:href=\"javascript:window.__pwned='svg-link'\"><text y=20>svg link</text></a></svg>",
      "<svg><script>alert('svg-script')</script></svg>",
      "<svg><a><animate attributeName=href values=javascript:alert('animate') /><text y=20>animate</text></a></svg>",
      "<details open ontoggle=\"window.__pwned = 'details'\"><summary>more</summary>x</details>",
      "<iframe src=\"javascript:parent.__pwned = 'iframe'\"></iframe>",
      "<iframe srcdoc=\"<script>parent.alert('srcdoc')</script>\"></iframe>",
      `<iframe src="data:text/html;base64,${html}"></iframe>`,
      "<object data=\"javascript:alert('object')\"></object><embed src=\"javascript:alert('embed')\">",
      "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('meta')\"><base href=\"javascript:alert('base')//\">",
      "<input autofocus onfocus=\"alert('focus')\"><body onload=\"alert('body')\"><video><source onerror=\"alert('video')\"></video>",
      "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\"></noscript>",
      "<a href=\"javascript:window.__pwned = 'html-link'\">html link</a>",
      "<a href=\"&#106;avascript:alert('entity')\">entity link</a>",
      "[md link](javascript:window.__pwned='md-link')",
      "[entity md link](&#106;avascript:alert('md-entity'))",
      "[vb link](vbscript:msgbox('vb'))",
      "![md image](javascript:window.__pwned='md-image')",
      `![data image](data:image/svg+xml;base64,${svg})`,
      "[ref link][evil]\n\n[evil]: javascript:window.__pwned='ref-link'",
      "<javascript:window.__pwned='autolink'>",
      `[data link](data:text/html;base64,${html})`,
      "<a href=\" JaVaScRiPt:window.__pwned = 'mixed-case'\">mixed case</a>",
      "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned = 'mxss'\">",
      "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert('math')\">math</maction></math>",
      "<form action=\"javascript:window.__pwned = 'form'\"><button>submit</button></form>",
      "<style>@import 'javascript:alert(1)';</style>",
      "<div style=\"background:url(javascript:window.__pwned='style')\" onmouseover=\"window.__pwned = 'hover'\">hover me</div>",
    ].join("\n\n");
    expect(hostile.length).toBeLessThan(5000);
    const experimentId = await client.createExperiment("hostile-markdown", { tags: [{ key: "mlflow.note.content", value: hostile }] });
    const run = await client.createRun(experimentId, { runName: "hostile-run", tags: [{ key: "mlflow.note.content", value: hostile }] });
    await client.registry.createRegisteredModel("hostile-model", { description: hostile });
    await client.registry.createModelVersion("hostile-model", `${run.info.artifact_uri}/model`, { runId: run.info.run_id, description: hostile });
    const places: [string, string][] = [
      ["experiment", `#/experiments/${experimentId}`],
      ["run", `#/experiments/${experimentId}/runs/${run.info.run_id}`],
      ["registered model", "#/models/hostile-model"],
      ["model version", "#/models/hostile-model/versions/1"],
    ];
    const dialogs: string[] = [];
    const onDialog = (d: { message(): string; dismiss(): Promise<void> }) => {
      dialogs.push(d.message());
      void d.dismiss();
    };
    page.on("dialog", onDialog);
    const pagesBefore = page.context().pages().length;
    for (const [place, hash] of places) {
      await page.goto(`${server.url}/${hash}`);
      const markdown = page.locator(".editable .markdown");
      await markdown.getByRole("heading", { name: "Notes" }).waitFor();
      const found = await markdown.evaluate((root) => ({
        scripts: root.querySelectorAll("script, iframe, svg, math, form, style, object, embed, meta, base, input, video, noscript").length,
        handlers: Array.from(root.querySelectorAll("*")).flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name) || a.name === "style" || a.name === "srcdoc").map((a) => `${e.tagName} ${a.name}`)),
        hrefs: Array.from(root.querySelectorAll("[href], [src], [action], [data], [xlink\\:href]")).map((e) => e.getAttribute("href") ?? e.getAttribute("src") ?? e.getAttribute("action") ?? e.getAttribute("data") ?? ""),
      }));
      expect(found.scripts, place).toBe(0);
      expect(found.handlers, place).toEqual([]);
      for (const href of found.hrefs) expect(href, place).not.toMatch(/^\s*(javascript|data|vbscript):/i);
      // HTML in the Markdown shows as text, there to read, never parsed.
      expect(await markdown.textContent(), place).toContain("<script>window.__pwned = 'script'</script>");
      expect(await markdown.locator("details, a[href], img[src]").count(), place).toBe(0);
      // Nowhere in the page, either (a payload could land outside the description's element).
      expect(await page.evaluate(() => document.querySelectorAll("iframe, object, embed, [onerror], [onload], [onfocus], [ontoggle]").length), place).toBe(0);
      // Markdown's own links and images to javascript:, vbscript: or data: URLs keep their text, lose the URL.
      for (const name of ["md link", "entity md link", "vb link", "data link"]) await markdown.getByText(name, { exact: true }).click();
      await markdown.getByText("hover me").hover();
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned), place).toBeUndefined();
      expect(dialogs, place).toEqual([]);
      // Still on the app, in the same tab (no navigation to a javascript: or data: URL).
      expect(page.url(), place).toContain(hash);
      expect(page.context().pages(), place).toHaveLength(pagesBefore);
    }
    page.off("dialog", onDialog);
    await page.goto(`${server.url}/#/experiments/${experimentId}`);
    await page.locator(".editable .markdown").getByRole("heading", { name: "Notes" }).waitFor();
    await docScreenshot(page, "markdown-hostile", page.locator(".editable").first());
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
