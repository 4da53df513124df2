import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDemo, type DemoData } from "./support/seed-ui.js";
import { HAS_CHROMIUM, launchChromium, unlabelledControls, watchedPage } from "./support/browser.js";
import { rgbPng } from "./support/rgb-png.js";

// Issue 24, part B, in Chromium on a seeded server: nested runs grouped under their parents, the
// parents expanded kept in the URL; "Select all runs" over the rows shown; the
// filter, sort, lifecycle and columns in the URL (shared, reloaded, back and forward); completion of
// keys in the filter box from the keyboard; the dataset column and drawer (and on the run page);
// `log_table` JSON as a sortable table; the Columns popover's keyboard handling and its keys after a
// bad filter; a deep link to an artifact opening the tree down to it.
// Screenshots go to test-output/ui/; with MLFLOW_TS_UPDATE_DOC_SCREENSHOTS=1 to docs/screenshots/.

const DOCS_SCREENSHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), process.env.MLFLOW_TS_UPDATE_DOC_SCREENSHOTS === "1" ? "../docs/screenshots" : "../test-output/ui");

/**
 * Saves the viewport (or one element, with `below` pixels under it for what pops up from it) as
 * `<name>.png` (see above for where).
 */
async function docScreenshot(page: Page, name: string, element?: Locator, below = 0): Promise<void> {
  fs.mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  const file = path.join(DOCS_SCREENSHOTS, `${name}.png`);
  if (element && below) {
    const box = (await element.boundingBox())!;
    await page.screenshot({ path: file, clip: { x: Math.max(0, box.x - 8), y: Math.max(0, box.y - 8), width: box.width + 16, height: box.height + below } });
    return;
  }
  await (element ? element.screenshot({ path: file }) : page.screenshot({ path: file }));
}

/** A `size`×`size` RGB PNG of a diagonal gradient: an image cell of a logged table. */
const gradientPng = (size: number): Buffer => rgbPng(size, (x, y) => [40 + (x * 200) / size, 90, 230 - (y * 180) / size]);

// What `mlflow.log_input(mlflow.data.from_pandas(iris_df, name="iris"), context="training")` logs.
const IRIS_SCHEMA = JSON.stringify({
  mlflow_colspec: [
    { type: "double", name: "sepal_length", required: true },
    { type: "double", name: "sepal_width", required: true },
    { type: "string", name: "species", required: false },
  ],
});
const IRIS_PROFILE = JSON.stringify({ num_rows: 150, num_elements: 600 });
// And what a NumPy dataset logs: a tensor spec per part.
const DIGITS_SCHEMA = JSON.stringify({
  mlflow_tensorspec: {
    features: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "float64", shape: [-1, 64] } }]),
    targets: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "int64", shape: [-1] } }]),
  },
});

const rowsOf = (page: Page) => page.locator("table.runs tbody tr:not([aria-hidden])");
const namesOf = (page: Page) => page.locator("table.runs tbody td.name a").allTextContents();
/** The artifact tree's entry whose button is named so (its own `li`, not an ancestor directory's). */
const treeItem = (page: Page, name: RegExp) => page.getByRole("button", { name }).locator("xpath=..");
const hashQuery = (page: Page) => new URLSearchParams(new URL(page.url()).hash.split("?")[1] ?? "");

describe.skipIf(!HAS_CHROMIUM)("the runs table and content (issue 24, part B), in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let client: MlflowClient;
  let demo: DemoData;
  let grandchildId: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-runs-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    client = new MlflowClient(server.url);
    demo = await seedDemo(client);
    const runs = (await client.searchRuns([demo.experimentId], { filter: `tags.mlflow.parentRunId = '${demo.parentId}'` })).runs;
    const child1 = runs.find((r) => r.info.run_name === "sweep-child-1")!;
    // A grandchild: nesting goes deeper than one level.
    grandchildId = (await client.createRun(demo.experimentId, { runName: "sweep-grandchild", tags: [{ key: "mlflow.parentRunId", value: child1.info.run_id }] })).info.run_id;
    await client.logInputs(demo.runIds[10]!, [
      { tags: [{ key: "mlflow.data.context", value: "training" }], dataset: { name: "iris", digest: "a1b2c3d4", source_type: "local", source: JSON.stringify({ uri: "/data/iris.csv" }), schema: IRIS_SCHEMA, profile: IRIS_PROFILE } },
      { tags: [{ key: "mlflow.data.context", value: "eval" }], dataset: { name: "digits", digest: "e5f6a7b8", source_type: "code", source: "{}", schema: DIGITS_SCHEMA, profile: JSON.stringify({ features_shape: [1797, 64], targets_size: 1797 }) } },
    ]);
    const root = `${demo.experimentId}/${demo.modelRunId}/artifacts`;
    // `mlflow.log_table(df, "eval_results.json")`, with an image column as MLflow stores one.
    const image = { type: "image", filepath: "table_images/q2.png", compressed_filepath: "table_images/q2.png" };
    const table = {
      columns: ["question", "answer", "score", "image"],
      data: [
        ["What is MLflow?", "A platform", 0.9, null],
        ["Who wrote it?", "Databricks", 0.35, image],
        ["Is it open source?", "Yes", 1, null],
        ["Does it scale?", null, 0.6, null],
      ],
    };
    await client.artifacts.upload(`${root}/eval_results.json`, JSON.stringify(table));
    await client.artifacts.upload(`${root}/table_images/q2.png`, new Uint8Array(gradientPng(48)));
    await client.artifacts.upload(`${root}/plots/deep/nested/curve.txt`, "precision recall\n");
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("groups nested runs under their parents, expanded and collapsed by the user", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    const parent = page.getByRole("button", { name: "Expand sweep-parent (2 child runs)" });
    await parent.waitFor();
    // 16 runs, 13 at the top level: the children are under their parent, collapsed.
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    expect(await namesOf(page)).not.toContain("sweep-child-1");
    expect(await parent.getAttribute("aria-expanded")).toBe("false");
    await parent.click();
    const collapse = page.getByRole("button", { name: "Collapse sweep-parent (2 child runs)" });
    expect(await collapse.getAttribute("aria-expanded")).toBe("true");
    // The children come right after their parent (newest first, as at the top level), indented.
    await expect.poll(() => namesOf(page).then((n) => n.slice(0, 3))).toEqual(["sweep-parent", "sweep-child-2", "sweep-child-1"]);
    const indent = (name: string) => page.locator("table.runs td.name").filter({ hasText: name }).evaluate((td) => parseFloat(getComputedStyle(td).paddingLeft));
    expect(await indent("sweep-child-1")).toBeGreaterThan(await indent("sweep-parent"));
    // A grandchild is under its own parent, one level further in.
    await page.getByRole("button", { name: "Expand sweep-child-1 (1 child runs)" }).click();
    await expect.poll(() => namesOf(page).then((n) => n.slice(0, 4))).toEqual(["sweep-parent", "sweep-child-2", "sweep-child-1", "sweep-grandchild"]);
    expect(await indent("sweep-grandchild")).toBeGreaterThan(await indent("sweep-child-1"));
    await docScreenshot(page, "runs-nested", page.locator(".table-scroll"));
    await collapse.click();
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    // Expand all opens every parent; Collapse all closes them again.
    await page.getByRole("button", { name: "Expand all" }).click();
    await expect.poll(() => rowsOf(page).count()).toBe(16);
    await page.getByRole("button", { name: "Collapse all" }).click();
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    // A child whose parent the filter leaves out is listed at the top level, as in MLflow.
    await page.getByLabel("Filter runs (MLflow search syntax)").fill("attributes.run_name LIKE 'sweep-%' and attributes.run_name != 'sweep-parent'");
    await page.getByLabel("Filter runs (MLflow search syntax)").press("Enter");
    await expect.poll(() => namesOf(page)).toEqual(["sweep-child-2", "sweep-child-1"]);
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("keeps the expanded parents in the URL: reloaded, back and forward, shared, MLflow 2's links", async () => {
    const child1 = (await client.getRun(grandchildId)).data.tags!.find((t) => t.key === "mlflow.parentRunId")!.value;
    const expandedParam = (id: string) => hashQuery(page).get(`runsExpanded[${id}]`);
    const expander = (name: string) => page.getByRole("button", { name: new RegExp(`^(Expand|Collapse) ${name} \\(`) });
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await expander("sweep-parent").click();
    await expander("sweep-child-1").click();
    await expect.poll(() => rowsOf(page).count()).toBe(16);
    // MLflow 2's parameter, as its UI wrote it through `qs`.
    expect([expandedParam(demo.parentId), expandedParam(child1)]).toEqual(["true", "true"]);
    // Reload: the same parents open.
    await page.reload();
    await expect.poll(() => rowsOf(page).count()).toBe(16);
    expect(await expander("sweep-child-1").getAttribute("aria-expanded")).toBe("true");
    // Shared: another browser opens them too.
    const other = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const otherPage = await other.newPage();
    otherPage.on("pageerror", (e) => errors.push(e.message));
    await otherPage.goto(page.url());
    await expect.poll(() => namesOf(otherPage).then((n) => n.slice(0, 4))).toEqual(["sweep-parent", "sweep-child-2", "sweep-child-1", "sweep-grandchild"]);
    await other.close();
    // Back and forward: a sort is a history entry; expanding replaces the current one, so each
    // entry comes back with the parents it had open.
    await page.getByRole("button", { name: "Sort by Run name" }).click();
    await expect.poll(() => hashQuery(page).get("orderByKey")).toBe("attributes.run_name");
    await expander("sweep-parent").click();
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    expect(expandedParam(demo.parentId)).toBeNull();
    await page.goBack();
    await expect.poll(() => rowsOf(page).count()).toBe(16);
    expect(await page.locator("th[aria-sort]").count()).toBe(0);
    await page.goForward();
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    expect(await page.locator("th[aria-sort]").count()).toBe(1);
    // Expand all: one parameter however many parents; a parent collapsed after it is an exception.
    await page.getByRole("button", { name: "Expand all" }).click();
    await expect.poll(() => rowsOf(page).count()).toBe(16);
    expect(expandedParam("*")).toBe("true");
    await expander("sweep-child-1").click();
    await expect.poll(() => rowsOf(page).count()).toBe(15);
    expect(expandedParam(child1)).toBe("false");
    await page.reload();
    await expect.poll(() => rowsOf(page).count()).toBe(15);
    expect(await expander("sweep-child-1").getAttribute("aria-expanded")).toBe("false");
    await page.getByRole("button", { name: "Expand all" }).click();
    await page.getByRole("button", { name: "Collapse all" }).click();
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    expect([...hashQuery(page).keys()].filter((k) => k.startsWith("runsExpanded"))).toEqual([]);
    // A link in MLflow 2's form (brackets bare, `false` entries for parents closed again); what
    // cannot be a run ID is ignored.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}?runsExpanded[${demo.parentId}]=true&runsExpanded[${child1}]=false&runsExpanded[..%2F%3Cx%3E]=true&runsExpanded=junk`);
    await expect.poll(() => namesOf(page).then((n) => n.slice(0, 3))).toEqual(["sweep-parent", "sweep-child-2", "sweep-child-1"]);
    expect(await rowsOf(page).count()).toBe(15);
  });

  it("selects the rows shown with 'Select all runs', its tick following them; a parent's own box stays its own", async () => {
    const all = page.getByRole("checkbox", { name: "Select all runs" });
    const state = () => all.evaluate((e: HTMLInputElement) => (e.indeterminate ? "some" : e.checked ? "all" : "none"));
    const compare = () => page.getByRole("button", { name: /^Compare \(/ }).textContent();
    const box = (name: string) => page.getByRole("checkbox", { name: `Select run ${name}`, exact: true });
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await expect.poll(() => rowsOf(page).count()).toBe(13);
    // Collapsed: the 13 top-level rows, not the children under the parent.
    await all.check();
    expect(await compare()).toBe("Compare (13)");
    expect(await state()).toBe("all");
    await page.getByRole("button", { name: "Expand sweep-parent (2 child runs)" }).click();
    expect(await box("sweep-child-1").isChecked()).toBe(false);
    // Some of the rows shown are selected: half-ticked; a click selects the rest of them.
    await expect.poll(state).toBe("some");
    await all.click();
    await expect.poll(state).toBe("all");
    expect(await compare()).toBe("Compare (15)");
    // The grandchild under the collapsed child is not shown, so not selected.
    await page.getByRole("button", { name: "Expand sweep-child-1 (1 child runs)" }).click();
    expect(await box("sweep-grandchild").isChecked()).toBe(false);
    await expect.poll(state).toBe("some");
    // A parent's box selects the parent only.
    await box("sweep-parent").uncheck();
    expect(await box("sweep-child-2").isChecked()).toBe(true);
    expect(await compare()).toBe("Compare (14)");
    // Collapsed again: the children selected stay selected, the tick speaks of the rows shown.
    await page.getByRole("button", { name: "Collapse sweep-parent (2 child runs)" }).click();
    await expect.poll(state).toBe("some");
    await all.click();
    await expect.poll(state).toBe("all");
    await all.uncheck();
    await expect.poll(state).toBe("none");
    // Unticking cleared the rows shown; the two children under the collapsed parent remain.
    expect(await compare()).toBe("Compare (2)");
    await page.getByRole("button", { name: "Expand all" }).click();
    await all.check();
    await all.uncheck();
    expect(await compare()).toBe("Compare (0)");
    await page.getByRole("button", { name: "Collapse all" }).click();
  });

  it("keeps filter, sort, lifecycle and columns in the URL: shared, reloaded, back and forward", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await page.getByRole("link", { name: "run-00" }).waitFor();
    const filterBox = page.getByLabel("Filter runs (MLflow search syntax)");
    await filterBox.fill("params.optimizer = 'adam'");
    await filterBox.press("Enter");
    await expect.poll(() => rowsOf(page).count()).toBe(6);
    expect(hashQuery(page).get("searchFilter")).toBe("params.optimizer = 'adam'");
    await page.getByRole("button", { name: "Sort by metric accuracy" }).click();
    const byAccuracy = (await client.searchRuns([demo.experimentId], { filter: "params.optimizer = 'adam'", orderBy: ["metrics.accuracy DESC"] })).runs.map((r) => r.info.run_name);
    await expect.poll(() => namesOf(page)).toEqual(byAccuracy);
    expect(hashQuery(page).get("orderByKey")).toBe("metrics.`accuracy`");
    expect(hashQuery(page).get("orderByAsc")).toBe("false");
    // Columns: drop `loss`, keep the rest; the choice is in the URL too.
    await page.locator(".column-picker summary").click();
    await page.getByRole("checkbox", { name: /metric loss/ }).uncheck();
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("button", { name: "Sort by metric loss" }).count()).toBe(0);
    const columns = JSON.parse(hashQuery(page).get("columns") ?? "[]") as string[];
    expect(columns).toContain("metrics.accuracy");
    expect(columns).not.toContain("metrics.loss");
    const shared = page.url();
    await docScreenshot(page, "runs-url-state");

    // Reload: the same view.
    await page.reload();
    await expect.poll(() => namesOf(page)).toEqual(byAccuracy);
    expect(await filterBox.inputValue()).toBe("params.optimizer = 'adam'");
    expect(await page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("descending");
    expect(await page.getByRole("button", { name: "Sort by metric loss" }).count()).toBe(0);

    // Shared: another browser context (no local storage of the first) opens the same view.
    const other = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const otherPage = await other.newPage();
    otherPage.on("pageerror", (e) => errors.push(e.message));
    await otherPage.goto(shared);
    await expect.poll(() => namesOf(otherPage)).toEqual(byAccuracy);
    expect(await otherPage.getByRole("button", { name: "Sort by metric loss" }).count()).toBe(0);
    expect(await otherPage.getByRole("button", { name: "Sort by metric accuracy" }).count()).toBe(1);
    await other.close();

    // Lifecycle: deleted runs, a history entry of its own.
    await client.deleteRun(demo.runIds[3]!);
    await page.getByLabel("Lifecycle").selectOption("DELETED_ONLY");
    await expect.poll(() => namesOf(page)).toEqual(["run-03"]);
    expect(hashQuery(page).get("lifecycleFilter")).toBe("DELETED");
    // Back: active runs again, sorted as before; back again: unsorted; forward twice: deleted.
    await page.goBack();
    await expect.poll(() => namesOf(page)).toEqual(byAccuracy.filter((n) => n !== "run-03"));
    expect(await page.getByLabel("Lifecycle").inputValue()).toBe("ACTIVE_ONLY");
    await page.goBack();
    await expect.poll(() => page.locator("th[aria-sort]").count()).toBe(0);
    expect(await filterBox.inputValue()).toBe("params.optimizer = 'adam'");
    await page.goBack();
    await expect.poll(() => filterBox.inputValue()).toBe("");
    await expect.poll(() => rowsOf(page).count()).toBe(12);
    await page.goForward();
    await expect.poll(() => filterBox.inputValue()).toBe("params.optimizer = 'adam'");
    await page.goForward();
    await page.goForward();
    await expect.poll(() => namesOf(page)).toEqual(["run-03"]);
    await client.restoreRun(demo.runIds[3]!);

    // MLflow's own link format opens here (its UI writes lifecycleFilter=Active, orderByAsc=true).
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}?searchFilter=${encodeURIComponent("params.optimizer = 'sgd'")}&orderByKey=${encodeURIComponent("attributes.run_name")}&orderByAsc=true&lifecycleFilter=Active`);
    await expect.poll(() => namesOf(page)).toEqual(["run-00", "run-02", "run-04", "run-06", "run-08", "run-10"]);
    // Switching to Charts and back keeps the view.
    await page.getByRole("tab", { name: "Charts" }).click();
    expect(hashQuery(page).get("searchFilter")).toBe("params.optimizer = 'sgd'");
    await page.getByRole("tab", { name: "Runs" }).click();
    await expect.poll(() => namesOf(page)).toEqual(["run-00", "run-02", "run-04", "run-06", "run-08", "run-10"]);
  });

  it("completes metrics., params., tags. and attributes. keys in the filter box from the keyboard", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await page.getByRole("link", { name: "run-00" }).waitFor();
    const box = page.getByRole("combobox", { name: "Filter runs (MLflow search syntax)" });
    const options = page.getByRole("listbox", { name: "Filter keys" }).getByRole("option");
    await box.click();
    await page.keyboard.type("me");
    await expect.poll(() => options.allTextContents()).toEqual(["metrics."]);
    expect(await box.getAttribute("aria-expanded")).toBe("true");
    // Tab takes the entity and goes on to its keys (the loaded runs' metrics, in order).
    await page.keyboard.press("Tab");
    expect(await box.inputValue()).toBe("metrics.");
    await expect.poll(() => options.allTextContents()).toEqual(["metricaccuracy", "metricloss"]);
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await docScreenshot(page, "filter-autocomplete", page.locator(".toolbar"), 120);
    // ↓ moves the highlight (aria-activedescendant follows), Enter takes it.
    await page.keyboard.press("ArrowDown");
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    expect(await box.getAttribute("aria-activedescendant")).toBe(await options.nth(1).getAttribute("id"));
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Enter");
    expect(await box.inputValue()).toBe("metrics.loss");
    await expect.poll(() => box.getAttribute("aria-expanded")).toBe("false");
    // The list is closed: Enter now searches.
    await page.keyboard.type(" < 0.3 and params.opt");
    await expect.poll(() => options.allTextContents()).toEqual(["paramoptimizer"]);
    await page.keyboard.press("Enter");
    expect(await box.inputValue()).toBe("metrics.loss < 0.3 and params.optimizer");
    await page.keyboard.type(" = 'adam'");
    await page.keyboard.press("Enter");
    const expected = (await client.searchRuns([demo.experimentId], { filter: "metrics.loss < 0.3 and params.optimizer = 'adam'" })).runs.length;
    expect(expected).toBeGreaterThan(0);
    await expect.poll(() => rowsOf(page).count()).toBe(expected);
    expect(hashQuery(page).get("searchFilter")).toBe("metrics.loss < 0.3 and params.optimizer = 'adam'");

    // Tags include MLflow's own; Escape closes the list and keeps the text.
    await box.fill("");
    await page.keyboard.type("tags.mlflow.par");
    await expect.poll(() => options.allTextContents()).toEqual(["tagmlflow.parentRunId"]);
    await page.keyboard.press("Escape");
    await expect.poll(() => box.getAttribute("aria-expanded")).toBe("false");
    expect(await box.inputValue()).toBe("tags.mlflow.par");
    // ↓ opens it again; Tab takes it.
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => options.count()).toBe(1);
    await page.keyboard.press("Tab");
    expect(await box.inputValue()).toBe("tags.mlflow.parentRunId");
    // Attributes are MLflow's searchable ones; a click takes one too.
    await box.fill("");
    await page.keyboard.type("attributes.st");
    await expect.poll(() => options.allTextContents()).toEqual(["attributestatus", "attributestart_time"]);
    await options.filter({ hasText: "status" }).click();
    expect(await box.inputValue()).toBe("attributes.status");
    // Inside a quoted value nothing is offered.
    await box.fill("");
    await page.keyboard.type("params.optimizer = 'me");
    expect(await box.getAttribute("aria-expanded")).toBe("false");
  });

  it("shows each run's datasets in a column, and their schema and profile in a drawer", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await page.getByRole("link", { name: "run-00" }).waitFor();
    await page.getByRole("columnheader", { name: "Datasets" }).waitFor();
    const row = page.locator("table.runs tbody tr").filter({ has: page.getByRole("link", { name: "run-10", exact: true }) });
    const chip = row.locator(".dataset-chip");
    expect(await chip.textContent()).toBe("iris training");
    expect(await row.getByRole("button", { name: "1 more datasets of run-10" }).count()).toBe(1);
    await chip.click();
    const drawer = page.getByRole("dialog", { name: "Dataset iris" });
    await drawer.waitFor();
    // The schema as a table: name, type, required.
    const schema = drawer.getByRole("table", { name: "Schema of iris" });
    expect(await schema.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)))).toEqual([
      ["sepal_length", "double", "yes"],
      ["sepal_width", "double", "yes"],
      ["species", "string", "no"],
    ]);
    const profile = drawer.getByRole("table", { name: "Profile of iris" });
    expect(await profile.getByRole("row", { name: /num_rows/ }).textContent()).toBe("num_rows150");
    expect(await drawer.getByRole("row", { name: /Context/ }).textContent()).toBe("Contexttraining");
    expect(await drawer.getByLabel("Dataset source").textContent()).toContain('"uri": "/data/iris.csv"');
    await docScreenshot(page, "dataset-drawer");
    // The run's other dataset: a NumPy tensor spec, with its parts and shapes.
    await drawer.getByRole("button", { name: "digits (eval)" }).click();
    const tensors = page.getByRole("dialog", { name: "Dataset digits" }).getByRole("table", { name: "Schema of digits" });
    expect(await tensors.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)))).toEqual([
      ["features", "features", "tensor float64", "(-1, 64)"],
      ["targets", "targets", "tensor int64", "(-1)"],
    ]);
    expect(await unlabelledControls(page)).toEqual([]);
    // Escape closes it and the focus goes back to the chip.
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    expect(await chip.evaluate((el) => el === document.activeElement)).toBe(true);

    // The same on the run page.
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.runIds[10]}`);
    await page.getByRole("button", { name: "Schema and profile of dataset iris" }).click();
    const onRun = page.getByRole("dialog", { name: "Dataset iris" });
    await onRun.getByRole("table", { name: "Schema of iris" }).waitFor();
    expect(await onRun.getByText("Input of run run-10").count()).toBe(1);
    await docScreenshot(page, "run-dataset-drawer");
    await onRun.getByRole("button", { name: "Close dataset drawer" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
  });

  it("shows log_table output as a table that sorts by any column", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.modelRunId}/artifacts`);
    await page.getByRole("button", { name: /eval_results\.json/ }).click();
    const table = page.getByRole("table", { name: "eval_results.json" });
    await table.waitFor();
    expect(await page.locator("pre.artifact-text").count()).toBe(0);
    expect(await page.locator(".log-table-note").textContent()).toContain("4 rows × 4 columns");
    const column = (i: number) => table.locator("tbody tr").evaluateAll((trs, j) => trs.map((tr) => tr.querySelectorAll("td")[j]!.textContent), i);
    expect(await column(2)).toEqual(["0.9", "0.35", "1", "0.6"]);
    // Numbers sort as numbers; again, the other way.
    await table.getByRole("button", { name: "Sort by score" }).click();
    expect(await column(2)).toEqual(["0.35", "0.6", "0.9", "1"]);
    expect(await table.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("ascending");
    await table.getByRole("button", { name: "Sort by score" }).click();
    expect(await column(2)).toEqual(["1", "0.9", "0.6", "0.35"]);
    // Text in order, empty (null) cells last whichever the direction.
    await table.getByRole("button", { name: "Sort by answer" }).click();
    expect(await column(1)).toEqual(["A platform", "Databricks", "Yes", "null"]);
    await table.getByRole("button", { name: "Sort by answer" }).click();
    expect(await column(1)).toEqual(["Yes", "Databricks", "A platform", "null"]);
    // An image logged in the table is shown, fetched from the run's artifacts.
    const img = table.getByRole("img", { name: "q2.png" });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(48);
    await docScreenshot(page, "log-table", page.locator(".artifacts"));
    // The CSV preview sorts too.
    await page.getByRole("button", { name: /predictions\.csv/ }).click();
    const csv = page.getByRole("table", { name: "predictions.csv" });
    await csv.getByRole("button", { name: "Sort by score" }).click();
    expect(await csv.locator("tbody tr td:nth-child(3)").allTextContents()).toEqual(["0.12", "0.55", "0.91"]);
  });

  it("closes the Columns popover on Escape, and keeps the known columns after a bad filter", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}`);
    await page.getByRole("link", { name: "run-00" }).waitFor();
    const picker = page.locator(".column-picker");
    const summary = picker.locator("summary");
    const before = await summary.textContent();
    expect(before).toMatch(/^Columns \(\d+ of \d+\)$/);
    await summary.click();
    await page.getByLabel("Filter columns").waitFor();
    await page.getByLabel("Filter columns").fill("acc");
    await page.keyboard.press("Escape");
    await expect.poll(() => picker.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await summary.evaluate((el) => el === document.activeElement)).toBe(true);
    // Opened from the keyboard, closed with Escape from a checkbox.
    await page.keyboard.press("Enter");
    await expect.poll(() => picker.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await picker.getByRole("checkbox").first().focus();
    await page.keyboard.press("Escape");
    await expect.poll(() => picker.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    // A click outside closes it too.
    await summary.click();
    await page.getByRole("heading", { name: "demo-classifier" }).click();
    await expect.poll(() => picker.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);

    // A bad filter: the error is shown, the columns stay as they were (not "0 of 0").
    await page.getByLabel("Filter runs (MLflow search syntax)").fill("metrics.acc >>> 1");
    await page.getByLabel("Filter runs (MLflow search syntax)").press("Enter");
    await page.getByRole("alert").waitFor();
    expect(await summary.textContent()).toBe(before);
    await summary.click();
    expect(await picker.getByRole("checkbox", { name: /metric accuracy/ }).count()).toBe(1);
    await docScreenshot(page, "columns-after-bad-filter", page.locator(".toolbar"), 420);
    await page.keyboard.press("Escape");

    // Opened straight on a bad filter (no run ever loaded): the popover says why it is empty.
    const fresh = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const freshPage = await fresh.newPage();
    await freshPage.goto(`${server.url}/#/experiments/${demo.experimentId}?searchFilter=${encodeURIComponent("metrics.acc >>> 1")}`);
    await freshPage.getByRole("alert").waitFor();
    const freshSummary = freshPage.locator(".column-picker summary");
    expect(await freshSummary.textContent()).toBe("Columns (0)");
    await freshSummary.click();
    await freshPage.getByText(/The search failed/).waitFor();
    await fresh.close();
  });

  it("opens a deep-linked artifact with the tree expanded down to it and selected", async () => {
    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.modelRunId}/artifacts/plots/deep/nested/curve.txt`);
    const item = treeItem(page, /curve\.txt/);
    await item.waitFor();
    expect(await item.getAttribute("aria-selected")).toBe("true");
    for (const dir of ["plots", "deep", "nested"]) {
      expect(await treeItem(page, new RegExp(`^▾ ${dir}$`)).getAttribute("aria-expanded")).toBe("true");
    }
    await page.locator("pre.artifact-text").filter({ hasText: "precision recall" }).waitFor();
    expect(await page.locator(".preview-head strong").textContent()).toBe("plots/deep/nested/curve.txt");
    await docScreenshot(page, "artifact-deep-link", page.locator(".artifacts"));
    // An image in a directory, from a fresh page (a link pasted into a new tab).
    const fresh = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    fresh.on("pageerror", (e) => errors.push(e.message));
    await fresh.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.modelRunId}/artifacts/plots/roc.png`);
    await fresh.getByRole("img", { name: "roc.png" }).waitFor();
    expect(await treeItem(fresh, /roc\.png/).getAttribute("aria-selected")).toBe("true");
    // A directory (a logged model's): opened and selected, offering to register it.
    await fresh.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.modelRunId}/artifacts/model`);
    await fresh.getByRole("button", { name: "Register model" }).waitFor();
    expect(await treeItem(fresh, /^▾ model/).getAttribute("aria-selected")).toBe("true");
    expect(await fresh.getByRole("button", { name: /MLmodel/ }).count()).toBe(1);
    // Choosing a file puts its path in the URL, so the address bar is the deep link.
    await fresh.getByRole("button", { name: /requirements\.txt/ }).click();
    expect(new URL(fresh.url()).hash).toBe(`#/experiments/${demo.experimentId}/runs/${demo.modelRunId}/artifacts/model/requirements.txt`);
    await fresh.reload();
    await fresh.locator("pre.artifact-text").filter({ hasText: "scikit-learn" }).waitFor();
    expect(await treeItem(fresh, /requirements\.txt/).getAttribute("aria-selected")).toBe("true");
    await fresh.close();
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
