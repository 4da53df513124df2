import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { runColor } from "../packages/ui/src/lib/run-color.js";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { HAS_CHROMIUM, launchChromium, unlabelledControls, watchedPage } from "./support/browser.js";
import { rgbPng } from "./support/rgb-png.js";

// The experiment's Evaluation tab (MLflow's EvaluationArtifactCompareView), in Chromium on a real
// server: runs created through the REST API, their tables uploaded through the artifact proxy as
// `mlflow.log_table` writes them (pandas' split JSON) and declared in the `mlflow.loggedArtifacts`
// tag exactly as MLflow's client sets it. Covered: the tables found in the runs, group by and
// compare, the row filter, a run without the table, hostile cell text, images, MLflow's
// `compareRunsMode=ARTIFACT` link, and 10,000 rows × 10 runs.
// Screenshots go to test-output/ui/; with MLFLOW_TS_UPDATE_DOC_SCREENSHOTS=1 to docs/screenshots/.

const SCREENSHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), process.env.MLFLOW_TS_UPDATE_DOC_SCREENSHOTS === "1" ? "../docs/screenshots" : "../test-output/ui");

const HOSTILE_INPUT = "<img src=x onerror=alert(1)>";
const HOSTILE_OUTPUT = "<script>window.__pwned = 1</script><b>bold</b>";

/** What `pandas.DataFrame.to_json(orient="split", index=False)` writes: compact, with `/` escaped. */
function pandasSplit(columns: readonly string[], data: readonly (readonly unknown[])[], index?: readonly number[]): string {
  return JSON.stringify(index ? { columns, index, data } : { columns, data }).replace(/\//g, "\\/");
}

/** The tag value `MlflowClient.log_table` sets: Python's `json.dumps` of the list (its separators). */
const loggedArtifacts = (...paths: string[]) => `[${paths.map((p) => `{"path": "${p}", "type": "table"}`).join(", ")}]`;

/** A `size`×`size` RGB PNG of one colour: an image cell of a logged table. */
const png = (size: number, rgb: readonly [number, number, number]): Buffer => rgbPng(size, () => rgb);

// `mlflow.evaluate(model_type="question-answering")`'s eval_results_table.json columns.
const COLUMNS = ["inputs", "ground_truth", "outputs", "token_count", "toxicity/v1/score"];
const QUESTIONS: [string, string][] = [
  ["What is MLflow?", "An open source platform for the machine learning lifecycle."],
  ["What is Databricks?", "A data and AI company."],
  ["How do I log a table with MLflow?", "Call mlflow.log_table(data, artifact_file)."],
  ["What does mlflow.evaluate() return?", "An EvaluationResult with metrics and artifacts."],
];

const rowsOf = (page: Page) => page.locator("table.eval-table tbody tr:not([aria-hidden])");
const groupTexts = (page: Page, column = 0) => rowsOf(page).evaluateAll((trs, i) => trs.map((tr) => (tr.querySelectorAll("td.group")[i] as HTMLElement | undefined)?.innerText ?? ""), column);
const runHeaders = (page: Page) => page.locator("table.eval-table th.eval-run a").allTextContents();
const labelsOf = (picker: Locator) => picker.locator("label").allTextContents().then((t) => t.map((s) => s.trim()));
/** The text of the run's cell in the row whose first group-by cell is `input`. */
const cellOf = (page: Page, input: string, runId: string) => rowsOf(page).filter({ has: page.locator("td.group").first().filter({ hasText: input }) }).locator(`td.output[data-run-id="${runId}"]`);

describe.skipIf(!HAS_CHROMIUM)("the Evaluation tab: tables of runs compared, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let client: MlflowClient;
  let browser: Browser;
  let page: Page;
  let experimentId: string;
  const run: Record<string, string> = {};
  const errors: string[] = [];
  const dialogs: string[] = [];

  const upload = (runId: string, file: string, body: string | Buffer) => client.artifacts.upload(`${experimentId}/${runId}/artifacts/${file}`, typeof body === "string" ? body : new Uint8Array(body));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-eval-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    client = new MlflowClient(server.url);
    experimentId = await client.createExperiment("qa-evaluation");
    const start = Date.now() - 60_000;
    for (const [i, name] of ["baseline", "llama-7b", "gpt-4o", "hostile"].entries()) {
      run[name] = (await client.createRun(experimentId, { runName: name, startTime: start + i * 1000 })).info.run_id;
    }
    // llama-7b: four questions; it also declares a Parquet table, which the browser cannot read.
    await upload(run["llama-7b"]!, "eval_results_table.json", pandasSplit(COLUMNS, QUESTIONS.map(([q, t], i) => [q, t, `llama says: ${t.toLowerCase()}`, 12 + i, 0.01 * (i + 1)])));
    await client.setTag(run["llama-7b"]!, "mlflow.loggedArtifacts", loggedArtifacts("eval_results_table.json", "preds.parquet"));
    // gpt-4o: the same questions and one more, a second table in a directory, and a table of images.
    const gptRows = [...QUESTIONS, ["Can MLflow track LLM prompts?", "Yes, with prompt engineering UI and tracing."] as [string, string]].map(([q, t], i) => [q, t, `${t} (gpt-4o, answer ${i + 1})`, 20 + i, i === 1 ? null : 0.002 * (i + 1)]);
    await upload(run["gpt-4o"]!, "eval_results_table.json", pandasSplit(COLUMNS, gptRows));
    await upload(run["gpt-4o"]!, "extra/safety.json", pandasSplit(["inputs", "refusal"], [[QUESTIONS[0]![0], false]]));
    const image = (name: string) => ({ type: "image", filepath: `table_images/images/${name}.png`, compressed_filepath: `table_images/images/${name}.webp` });
    await upload(run["gpt-4o"]!, "images.json", pandasSplit(["prompt", "image"], [["a red square", image("red")], ["a blue square", image("blue")]]));
    for (const [name, rgb] of [["red", [220, 40, 40]], ["blue", [40, 80, 220]]] as const) {
      // log_table stores the image and a compressed copy; the view shows the compressed one.
      await upload(run["gpt-4o"]!, `table_images/images/${name}.png`, png(64, rgb));
      await upload(run["gpt-4o"]!, `table_images/images/${name}.webp`, png(32, rgb));
    }
    await client.setTag(run["gpt-4o"]!, "mlflow.loggedArtifacts", loggedArtifacts("eval_results_table.json", "extra/safety.json", "images.json"));
    // hostile: markup in inputs and outputs, written with pandas' index (split with `index`).
    await upload(run.hostile!, "eval_results_table.json", pandasSplit(COLUMNS, [[HOSTILE_INPUT, "x", HOSTILE_OUTPUT, 1, 0.9], [QUESTIONS[0]![0], "y", HOSTILE_INPUT, 2, 0.8]], [0, 1]));
    await client.setTag(run.hostile!, "mlflow.loggedArtifacts", loggedArtifacts("eval_results_table.json"));
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the tables the selected runs logged and compares their outputs, one column per run in its colour", async () => {
    await page.goto(`${server.url}/#/experiments/${experimentId}`);
    await page.getByRole("link", { name: "gpt-4o" }).waitFor();
    for (const name of ["gpt-4o", "llama-7b", "baseline"]) await page.getByRole("checkbox", { name: `Select run ${name}` }).check();
    await page.getByRole("tab", { name: "Evaluation" }).click();
    expect(new URL(page.url()).hash).toBe(`#/experiments/${experimentId}/evaluation`);
    await rowsOf(page).first().waitFor();
    // The selected runs in the table's order (newest first), each headed in its colour.
    expect(await runHeaders(page)).toEqual(["gpt-4o", "llama-7b", "baseline"]);
    for (const name of ["gpt-4o", "llama-7b", "baseline"]) {
      const [shown, expected] = await page.locator(`th.eval-run[data-run-id="${run[name]}"] .swatch`).evaluate((el, color) => {
        const probe = document.createElement("span");
        probe.style.color = color;
        document.body.append(probe);
        const out = [getComputedStyle(el).backgroundColor, getComputedStyle(probe).color];
        probe.remove();
        return out;
      }, runColor(run[name]!));
      expect(shown).toBe(expected);
    }
    await expect.poll(() => page.locator(".eval-status").textContent()).toBe("Comparing 3 selected runs. 5 rows.");
    // Every table of the runs is offered, the first chosen; a Parquet table is listed but cannot be read.
    const tablePicker = page.locator("details.check-popover").filter({ has: page.locator("summary", { hasText: "Table:" }) });
    expect(await tablePicker.locator("summary").textContent()).toBe("Table: eval_results_table.json");
    await tablePicker.locator("summary").click();
    expect(await labelsOf(tablePicker)).toEqual(["eval_results_table.json", "extra/safety.json", "images.json", "preds.parquet (Parquet: download it)"]);
    expect(await tablePicker.getByRole("checkbox", { name: "preds.parquet" }).isDisabled()).toBe(true);
    await page.keyboard.press("Escape");
    expect(await tablePicker.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    // Group by the first column, compare `outputs` (MLflow's choice of an output column).
    expect(await page.locator("table.eval-table thead tr:not(.eval-bands) th.pin").allTextContents()).toEqual(["inputs"]);
    expect(await page.getByLabel("Compare", { exact: true }).inputValue()).toBe("outputs");
    expect(await groupTexts(page)).toEqual([...QUESTIONS.map(([q]) => q), "Can MLflow track LLM prompts?"]);
    expect(await cellOf(page, "What is MLflow?", run["gpt-4o"]!).innerText()).toBe(`${QUESTIONS[0]![1]} (gpt-4o, answer 1)`);
    expect(await cellOf(page, "What is MLflow?", run["llama-7b"]!).innerText()).toBe("llama says: an open source platform for the machine learning lifecycle.");
    // A run that logged no such table: its header says so, its cells are empty.
    expect(await page.locator(`th.eval-run[data-run-id="${run.baseline}"]`).innerText()).toContain("no such table");
    expect(await rowsOf(page).locator(`td.output[data-run-id="${run.baseline}"]`).allInnerTexts()).toEqual(Array(5).fill("(empty)"));
    // A run that has the table but not the row: empty too.
    expect(await cellOf(page, "Can MLflow track LLM prompts?", run["llama-7b"]!).innerText()).toBe("(empty)");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "evaluation.png") });
    // A cell opens its whole value.
    await cellOf(page, "What is MLflow?", run["gpt-4o"]!).getByRole("button").click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.locator("h2").textContent()).toBe("gpt-4o: outputs for inputs = What is MLflow?");
    expect(await dialog.locator("pre").textContent()).toBe(`${QUESTIONS[0]![1]} (gpt-4o, answer 1)`);
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("groups by the chosen input columns and compares the chosen output column", async () => {
    const groupPicker = page.locator("details.check-popover").filter({ has: page.locator("summary", { hasText: "Group by:" }) });
    await groupPicker.locator("summary").click();
    expect(await labelsOf(groupPicker)).toEqual(COLUMNS);
    await groupPicker.getByRole("checkbox", { name: "ground_truth" }).check();
    await page.keyboard.press("Escape");
    expect(await groupPicker.locator("summary").textContent()).toBe("Group by: inputs, ground_truth");
    expect(await page.locator("table.eval-table thead tr:not(.eval-bands) th.pin").allTextContents()).toEqual(["inputs", "ground_truth"]);
    expect(await groupTexts(page, 1)).toEqual([...QUESTIONS.map(([, t]) => t), "Yes, with prompt engineering UI and tracing."]);
    // "compare" offers every column that is not grouped by.
    expect(await page.getByLabel("Compare", { exact: true }).locator("option").allTextContents()).toEqual(["outputs", "token_count", "toxicity/v1/score"]);
    await page.getByLabel("Compare", { exact: true }).selectOption("toxicity/v1/score");
    expect(await page.locator("tr.eval-bands").innerText()).toContain("toxicity/v1/score");
    expect(await cellOf(page, "What is MLflow?", run["gpt-4o"]!).innerText()).toBe("0.002");
    expect(await cellOf(page, "What is MLflow?", run["llama-7b"]!).innerText()).toBe("0.01");
    // A null value (pandas' NaN) is an empty cell.
    expect(await cellOf(page, "What is Databricks?", run["gpt-4o"]!).innerText()).toBe("(empty)");
    // Grouping by `token_count` alone: every run's rows differ, so each row has one run's value.
    await groupPicker.locator("summary").click();
    await groupPicker.getByRole("checkbox", { name: "inputs" }).uncheck();
    await groupPicker.getByRole("checkbox", { name: "ground_truth" }).uncheck();
    await expect.poll(() => page.locator(".eval-empty h2").textContent()).toBe("No group by columns selected");
    await groupPicker.getByRole("checkbox", { name: "inputs" }).check();
    await page.keyboard.press("Escape");
    await page.getByLabel("Compare", { exact: true }).selectOption("outputs");
    await expect.poll(() => groupTexts(page)).toEqual([...QUESTIONS.map(([q]) => q), "Can MLflow track LLM prompts?"]);
    // The choice is kept for the experiment: back from the Runs tab it is as it was left.
    await page.getByRole("tab", { name: "Runs" }).click();
    await page.getByRole("tab", { name: "Evaluation" }).click();
    await rowsOf(page).first().waitFor();
    expect(await page.getByLabel("Compare", { exact: true }).inputValue()).toBe("outputs");
    expect(await runHeaders(page)).toEqual(["gpt-4o", "llama-7b", "baseline"]);
  });

  it("filters the rows by their inputs (a regular expression, as in MLflow) and highlights the matches", async () => {
    const filter = page.getByLabel("Filter rows");
    expect(await filter.getAttribute("placeholder")).toBe("Filter by inputs");
    await filter.fill("mlflow");
    await expect.poll(() => groupTexts(page)).toEqual(["What is MLflow?", "How do I log a table with MLflow?", "What does mlflow.evaluate() return?", "Can MLflow track LLM prompts?"]);
    expect(await page.locator("table.eval-table td.group mark").allTextContents()).toEqual(["MLflow", "MLflow", "mlflow", "MLflow"]);
    expect(await page.locator(".eval-status").textContent()).toBe("Comparing 3 selected runs. 4 of 5 rows.");
    await filter.fill("^what is");
    await expect.poll(() => groupTexts(page)).toEqual(["What is MLflow?", "What is Databricks?"]);
    // Not a valid expression: the text itself.
    await filter.fill("evaluate()");
    await expect.poll(() => groupTexts(page)).toEqual(["What does mlflow.evaluate() return?"]);
    await filter.fill("nothing like this");
    await expect.poll(() => rowsOf(page).count()).toBe(0);
    await filter.fill("");
    await expect.poll(() => rowsOf(page).count()).toBe(5);
    expect(errors).toEqual([]);
  });

  it("shows hostile cell text as text: no markup runs", async () => {
    // No run selected: the first runs of the table are compared (the hostile one among them).
    await page.goto(`${server.url}/#/experiments/${experimentId}/evaluation`);
    // The same address differs only in its hash: reloaded, so the selection is gone.
    await page.reload();
    await rowsOf(page).first().waitFor();
    await expect.poll(() => page.locator(".eval-status").textContent()).toMatch(/^No runs selected: comparing the first 4 runs of the table/);
    expect(await runHeaders(page)).toEqual(["hostile", "gpt-4o", "llama-7b", "baseline"]);
    // The hostile run's rows come first (it is the first run); its input is a row like any other.
    expect((await groupTexts(page))[0]).toBe(HOSTILE_INPUT);
    expect(await cellOf(page, HOSTILE_INPUT, run.hostile!).innerText()).toBe(HOSTILE_OUTPUT);
    expect(await cellOf(page, "What is MLflow?", run.hostile!).innerText()).toBe(HOSTILE_INPUT);
    expect(await page.locator("table.eval-table img, table.eval-table script, table.eval-table b").count()).toBe(0);
    // Highlighting cuts the text, never parses it.
    await page.getByLabel("Filter rows").fill("img");
    await expect.poll(() => page.locator("table.eval-table td.group mark").allTextContents()).toEqual(["img"]);
    expect(await page.locator("table.eval-table td.group").first().innerText()).toBe(HOSTILE_INPUT);
    // The whole value in the dialog is text too.
    await cellOf(page, HOSTILE_INPUT, run.hostile!).getByRole("button").click();
    expect(await page.getByRole("dialog").locator("pre").textContent()).toBe(HOSTILE_OUTPUT);
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("img[src='x'], .evaluation b, dialog b").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.getByLabel("Filter rows").fill("");
  });

  it("draws logged images of a table from the run's artifacts", async () => {
    const tablePicker = page.locator("details.check-popover").filter({ has: page.locator("summary", { hasText: "Table:" }) });
    await tablePicker.locator("summary").click();
    await tablePicker.getByRole("checkbox", { name: "images.json" }).check();
    await tablePicker.getByRole("checkbox", { name: "eval_results_table.json" }).uncheck();
    await page.keyboard.press("Escape");
    await expect.poll(() => groupTexts(page)).toEqual(["a red square", "a blue square"]);
    // An image column is compared, never grouped by.
    expect(await page.getByLabel("Compare", { exact: true }).inputValue()).toBe("image");
    const images = page.locator(`table.eval-table td.output[data-run-id="${run["gpt-4o"]}"] img`);
    await expect.poll(() => images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))).toEqual([32, 32]);
    expect(await images.first().getAttribute("src")).toContain(`path=${encodeURIComponent("table_images/images/red.webp")}`);
    // Runs without the table: empty cells.
    expect(await rowsOf(page).first().locator(`td.output[data-run-id="${run["llama-7b"]}"]`).innerText()).toBe("(empty)");
    // Back to the first table for the tests that follow.
    await tablePicker.locator("summary").click();
    await tablePicker.getByRole("checkbox", { name: "images.json" }).uncheck();
    await page.keyboard.press("Escape");
    await expect.poll(() => tablePicker.locator("summary").textContent()).toBe("Table: eval_results_table.json");
  });

  it("opens from MLflow's own link (compareRunsMode=ARTIFACT), and the Runs tab leaves it", async () => {
    await page.goto(`${server.url}/#/experiments/${experimentId}?compareRunsMode=ARTIFACT`);
    await rowsOf(page).first().waitFor();
    expect(await page.getByRole("tab", { name: "Evaluation" }).getAttribute("aria-selected")).toBe("true");
    await page.getByRole("tab", { name: "Runs" }).click();
    await page.locator("table.runs").waitFor();
    expect(await page.getByRole("tab", { name: "Runs" }).getAttribute("aria-selected")).toBe("true");
    expect(new URL(page.url()).hash).toBe(`#/experiments/${experimentId}`);
  });

  it("stays responsive with 10,000 rows × 10 runs: rows are virtualised", async () => {
    const big = await client.createExperiment("ten-thousand-rows");
    const ids: string[] = [];
    for (let r = 0; r < 10; r += 1) {
      const id = (await client.createRun(big, { runName: `model-${r}`, startTime: Date.now() - 10_000 + r })).info.run_id;
      const data = Array.from({ length: 10_000 }, (_, i) => [`question ${i}`, `context of question ${i}`, `model ${r} answers question ${i} at some length, as models do`, (i * (r + 1)) % 97]);
      await client.artifacts.upload(`${big}/${id}/artifacts/eval_results_table.json`, pandasSplit(["inputs", "context", "outputs", "score"], data));
      await client.setTag(id, "mlflow.loggedArtifacts", loggedArtifacts("eval_results_table.json"));
      ids.push(id);
    }
    await page.goto(`${server.url}/#/experiments/${big}`);
    await page.getByRole("link", { name: "model-0" }).waitFor();
    const opened = Date.now();
    await page.getByRole("tab", { name: "Evaluation" }).click();
    await expect.poll(() => page.locator(".eval-status").textContent(), { timeout: 20_000 }).toBe("No runs selected: comparing the first 10 runs of the table. Select runs on the Runs tab to choose. 10,000 rows.");
    const firstRows = Date.now() - opened;
    expect(await runHeaders(page)).toHaveLength(10);
    // Only the rows in view (and a few more) are in the DOM.
    expect(await rowsOf(page).count()).toBeLessThan(40);
    expect((await groupTexts(page))[0]).toBe("question 0");
    // Scrolled to the end: the last row, with every run's value.
    await page.locator(".eval-scroll").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => groupTexts(page).then((t) => t.at(-1))).toBe("question 9999");
    expect(await cellOf(page, "question 9999", ids[3]!).innerText()).toBe("model 3 answers question 9999 at some length, as models do");
    const filtered = Date.now();
    await page.getByLabel("Filter rows").fill("^question 99");
    await expect.poll(() => page.locator(".eval-status").textContent()).toMatch(/ 111 of 10,000 rows\.$/);
    const filterMs = Date.now() - filtered;
    console.log(`10,000 rows × 10 runs: first rows ${firstRows} ms after the click (tables fetched and read), filter ${filterMs} ms (with its 150 ms pause)`);
    expect(firstRows).toBeLessThan(10_000);
    expect(filterMs).toBeLessThan(2_000);
    expect(errors).toEqual([]);
  });
});
