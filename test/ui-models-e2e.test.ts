import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedModels, type ModelsData } from "./support/seed-models.js";
import { HAS_CHROMIUM, launchChromium, unlabelledControls } from "./support/browser.js";

// Issue 24, part C, in Chromium against a real server: a model version's signature and input
// example read from its MLmodel, the load snippet, "registered as" on a run's logged models (MLflow 2
// folders and MLflow 3 logged models), versions compared side by side, and one runs table across
// several experiments. Models, runs and MLmodel files are made through the REST API.
// Screenshots go to test-output/ui/; with MLFLOW_TS_UPDATE_DOC_SCREENSHOTS=1 to docs/screenshots/.

const SHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), process.env.MLFLOW_TS_UPDATE_DOC_SCREENSHOTS === "1" ? "../docs/screenshots" : "../test-output/ui");

async function docScreenshot(page: Page, name: string, element?: Locator): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await (element ? element.screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
}

/** The cells of a table's body, row by row. */
function bodyRows(table: Locator): Promise<string[][]> {
  return table.evaluate((t) => Array.from(t.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.querySelectorAll("th, td")).map((c) => (c.textContent ?? "").trim())));
}

describe.skipIf(!HAS_CHROMIUM)("model views and several experiments, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let client: MlflowClient;
  let data: ModelsData;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const chunks = () => page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => /\/mlmodel-[^/]*\.js$/.test(n)));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-ui-models-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    client = new MlflowClient(server.url);
    data = await seedModels(client);
    browser = await launchChromium();
    // The copy button writes to the clipboard, which the test reads back.
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ["clipboard-read", "clipboard-write"] });
    page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows a version's signature, input example and load snippet from its MLmodel, the YAML reader loaded then", async () => {
    await page.goto(`${server.url}/#/models/${data.modelName}`);
    await page.getByRole("link", { name: "Version 1" }).waitFor();
    expect(await chunks()).toEqual([]);
    await page.getByRole("link", { name: "Version 1" }).click();
    const inputs = page.getByRole("table", { name: "Inputs (7)" });
    await inputs.waitFor();
    expect(await chunks()).toHaveLength(1);
    expect(await bodyRows(inputs)).toEqual([
      ["sepal length (cm)", "double", "required"],
      ["sepal width (cm)", "double", "required"],
      ["petal length (cm)", "double", "required"],
      ["petal width (cm)", "double", "required"],
      [`it's "quoted"`, "string", "optional"],
      ["tags", "array<string>", "required"],
      ["address", "object{city: string, zip?: long}", "required"],
    ]);
    expect(await bodyRows(page.getByRole("table", { name: "Outputs (1)" }))).toEqual([["(unnamed)", "Tensor (dtype: int64, shape: [-1])", "required"]]);
    expect(await bodyRows(page.getByRole("table", { name: "Parameters (2)" }))).toEqual([
      ["threshold", "double", "0.5", ""],
      ["classes", "string", '["a","b"]', "(-1,)"],
    ]);
    expect(await page.locator(".model-facts").textContent()).toBe("flavors python_function, sklearn · MLflow 2.12.2 · Python 3.11.2 · 1.2 KB");
    const example = page.getByRole("table", { name: "Input example" });
    expect(await example.locator("thead th").allTextContents()).toEqual(["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", `it's "quoted"`, "tags", "address"]);
    expect(await bodyRows(example)).toEqual([
      ["5.1", "3.5", "1.4", "0.2", "a", '["x"]', '{"city":"Paris"}'],
      ["6.2", "2.9", "4.3", "1.3", "b", "[]", '{"city":"Lyon","zip":69001}'],
    ]);
    // How to load it: by version, by the alias that points at it, and through sklearn's own loader.
    const snippet = page.getByRole("figure", { name: "How to load" });
    const code = [
      "import mlflow",
      "",
      'model = mlflow.pyfunc.load_model("models:/iris-classifier/1")',
      "# or by alias: whichever version @champion points at (version 1 today)",
      'model = mlflow.pyfunc.load_model("models:/iris-classifier@champion")',
      "predictions = model.predict(data)",
      "",
      "# the sklearn object itself",
      'native = mlflow.sklearn.load_model("models:/iris-classifier/1")',
    ].join("\n");
    await expect.poll(() => snippet.locator("pre").textContent()).toBe(code);
    await snippet.getByRole("button", { name: "Copy how to load" }).click();
    await expect.poll(() => snippet.getByRole("button", { name: "Copy how to load" }).textContent()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await docScreenshot(page, "model-version-signature");
    expect(await unlabelledControls(page)).toEqual([]);
    // In dark mode the code, tables and example follow the theme's colours.
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => snippet.locator("pre").evaluate((e) => getComputedStyle(e).backgroundColor)).toBe("rgb(26, 33, 43)");
    await docScreenshot(page, "model-version-signature-dark", page.locator("main"));
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("reads an MLflow 3 logged model's MLmodel through the version's models:/ source, and a version with no aliases loads by number only", async () => {
    await page.goto(`${server.url}/#/models/${data.modelName}/versions/3`);
    await page.getByRole("heading", { name: "iris-classifier version 3" }).waitFor();
    await page.getByRole("table", { name: "Inputs (7)" }).waitFor();
    expect(await bodyRows(page.getByRole("table", { name: "Input example" }))).toHaveLength(1);
    const code = await page.getByRole("figure", { name: "How to load" }).locator("pre").textContent();
    expect(code).toContain('mlflow.pyfunc.load_model("models:/iris-classifier/3")');
    expect(code).not.toContain("@");
    // v2: a retrained model without params or input example.
    await page.goto(`${server.url}/#/models/${data.modelName}/versions/2`);
    await page.getByRole("table", { name: "Inputs (4)" }).waitFor();
    expect(await page.getByRole("table", { name: /^Parameters/ }).count()).toBe(0);
    await page.getByText("No input example was saved with this model.").waitFor();
    expect(await page.getByRole("figure", { name: "How to load" }).locator("pre").textContent()).toContain('"models:/iris-classifier@challenger"');
  });

  it("says why a version shows no signature: no MLmodel, none logged, an unreadable file", async () => {
    const run = await client.createRun(data.experimentId, { runName: "odd-files" });
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "");
    await client.artifacts.upload(`${root}/plain/weights.bin`, "x");
    await client.artifacts.upload(`${root}/unsigned/MLmodel`, "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n");
    await client.artifacts.upload(`${root}/broken/MLmodel`, "signature:\n  inputs: '[{\"type\": '\n");
    await client.artifacts.upload(`${root}/missing-example/MLmodel`, "flavors: {}\nsaved_input_example_info:\n  artifact_path: input_example.json\n  type: dataframe\n");
    await client.registry.createRegisteredModel("odd");
    for (const folder of ["plain", "unsigned", "broken", "missing-example"]) await client.registry.createModelVersion("odd", `${run.info.artifact_uri}/${folder}`, { runId: run.info.run_id });
    const expectations: [string, string][] = [
      ["1", "This version's files hold no MLmodel file, so there is no signature to show."],
      ["2", "No signature was logged with this model."],
      ["3", "the signature holds a schema that is not JSON"],
      ["4", "input_example.json could not be read"],
    ];
    for (const [version, text] of expectations) {
      await page.goto(`${server.url}/#/models/odd/versions/${version}`);
      await page.getByText(text).first().waitFor();
      // The rest of the page is there: the load snippet, the tags.
      await page.getByRole("figure", { name: "How to load" }).waitFor();
    }
    // mlflow.pyfunc.model (a custom python model) has no loader of its own to offer.
    await page.goto(`${server.url}/#/models/odd/versions/2`);
    await page.getByText("No signature was logged with this model.").waitFor();
    expect(await page.getByRole("figure", { name: "How to load" }).locator("pre").textContent()).not.toContain("native");
  });

  it("shows on a run's logged models that they are registered, linked, and says so when registering again", async () => {
    await page.goto(`${server.url}/#/experiments/${data.experimentId}/runs/${data.run1}`);
    const models = page.locator("h2", { hasText: "Logged models" }).locator("xpath=following-sibling::ul[1]");
    await models.getByText("Registered as").waitFor();
    expect(await models.locator(".registered").textContent()).toBe("Registered as iris-classifier version 1");
    expect(await models.getByRole("link", { name: "iris-classifier version 1" }).getAttribute("href")).toBe("#/models/iris-classifier/versions/1");
    await models.getByRole("button", { name: "Register model" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.locator(".registered").textContent()).toBe("Already registered as iris-classifier version 1");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    // v2 was registered by its runs:/ URI: the same folder.
    await page.goto(`${server.url}/#/experiments/${data.experimentId}/runs/${data.run2}`);
    await models.getByText("Registered as iris-classifier version 2").waitFor();
    // MLflow 3: the logged model, by name, with its version.
    await page.goto(`${server.url}/#/experiments/${data.experimentId}/runs/${data.run3}`);
    await models.getByText("Registered as iris-classifier version 3").waitFor();
    expect(await models.locator("li strong").textContent()).toBe("forest");
    expect(await models.locator("li code").textContent()).toBe(data.loggedModelId);
    await docScreenshot(page, "run-logged-model-registered", page.locator("main"));
    // The artifacts tab says it of the folder too.
    await page.goto(`${server.url}/#/experiments/${data.experimentId}/runs/${data.run1}/artifacts/model`);
    const head = page.locator(".preview-head");
    await head.getByRole("link", { name: "iris-classifier version 1" }).waitFor();
    expect(await head.getByRole("button", { name: "Register model" }).count()).toBe(1);
    await docScreenshot(page, "artifacts-model-registered", page.locator(".artifacts"));
  });

  it("registers an unregistered logged model from the run page, which then says where it is", async () => {
    await page.goto(`${server.url}/#/experiments/${data.experimentId}/runs/${data.unregisteredRun}`);
    const item = page.locator("li", { hasText: "draft-model" });
    await item.getByRole("button", { name: "Register model" }).waitFor();
    expect(await item.locator(".registered").count()).toBe(0);
    await item.getByRole("button", { name: "Register model" }).click();
    expect(await page.getByRole("dialog").locator(".registered").count()).toBe(0);
    await page.getByLabel("Model name").fill("iris-draft");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.getByRole("heading", { name: "iris-draft version 1" }).waitFor();
    await page.getByRole("table", { name: "Inputs (4)" }).waitFor();
    await page.goBack();
    await item.getByRole("link", { name: "iris-draft version 1" }).waitFor();
    // An MLflow 3 logged model registered from the UI gets its models:/ source and model_id.
    const lm = await client.createLoggedModel(data.experimentId, { name: "booster", sourceRunId: data.unregisteredRun });
    await client.logOutputs(data.unregisteredRun, [{ model_id: lm.info.model_id, step: 2 }]);
    await page.reload();
    const booster = page.locator("li", { hasText: "booster" });
    await booster.getByRole("button", { name: "Register model" }).click();
    await page.getByLabel("Model name").fill("iris-draft");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.getByRole("heading", { name: "iris-draft version 2" }).waitFor();
    expect(await client.registry.getModelVersion("iris-draft", "2")).toMatchObject({ source: `models:/${lm.info.model_id}`, model_id: lm.info.model_id, run_id: data.unregisteredRun });
  });

  it("compares versions side by side from the model page: details, signatures, source runs; differences marked", async () => {
    await page.goto(`${server.url}/#/models/${data.modelName}`);
    const compare = page.getByRole("button", { name: /^Compare versions/ });
    await page.getByLabel("Select version 1").waitFor();
    expect(await compare.isDisabled()).toBe(true);
    for (const v of ["3", "1", "2"]) await page.getByLabel(`Select version ${v}`).check();
    expect(await compare.textContent()).toBe("Compare versions (3)");
    await compare.click();
    await page.getByRole("heading", { name: "Comparing 3 versions of iris-classifier" }).waitFor();
    const table = page.locator("table.model-compare");
    await table.locator("th", { hasText: "petal length (cm)" }).waitFor();
    expect(await table.locator("thead th").allTextContents()).toEqual(["Version", "Version 1", "Version 2", "Version 3"]);
    const row = (label: string) => table.locator("tbody tr").filter({ has: page.locator("th", { hasText: new RegExp(`^${label.replace(/[()]/g, "\\$&")}$`) }) });
    const cells = async (label: string) => ({ cells: await row(label).first().locator("td").allTextContents(), differs: (await row(label).first().getAttribute("class")) === "differs" });
    // The source run heads the table (always shown, never marked): the rest is compared.
    expect(await cells("Source run")).toEqual({ cells: ["train-v1", "train-v2", "train-v3"], differs: false });
    expect(await cells("Aliases")).toEqual({ cells: ["@champion", "@challenger", ""], differs: true });
    expect(await cells("sepal length (cm)")).toEqual({ cells: ["double", "double", "double"], differs: false });
    expect(await cells("petal length (cm)")).toEqual({ cells: ["double", "float", "double"], differs: true });
    expect(await cells("petal area")).toEqual({ cells: ["—", "double", "—"], differs: true });
    expect(await cells("threshold")).toEqual({ cells: ["double = 0.5", "—", "double = 0.5"], differs: true });
    expect(await cells("criterion")).toEqual({ cells: ["gini", "entropy", "entropy"], differs: true });
    expect(await cells("n_estimators")).toEqual({ cells: ["100", "100", "300"], differs: true });
    expect(await cells("accuracy")).toEqual({ cells: ["0.93", "0.95", "0.96"], differs: true });
    expect(await cells("f1")).toEqual({ cells: ["0.91", "0.94", "—"], differs: true });
    await page.locator(".note").first().waitFor({ state: "detached" });
    await docScreenshot(page, "model-versions-compare");
    // Only the differences: equal rows go, group headings stay.
    await page.getByLabel("Only differences").check();
    await expect.poll(() => row("sepal length (cm)").count()).toBe(0);
    expect(await row("petal length (cm)").count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);
    // MLflow's own link to the page (name as a JSON string of its URI encoding, versions by run).
    await page.goto(`${server.url}/#/compare-model-versions?name=${encodeURIComponent(JSON.stringify(data.modelName))}&runs=${encodeURIComponent(JSON.stringify({ [data.run1]: "1", [data.run2]: "2" }))}`);
    await page.getByRole("heading", { name: "Comparing 2 versions of iris-classifier" }).waitFor();
  });

  it("shows the runs of several selected experiments in one table with an Experiment column", async () => {
    await page.goto(`${server.url}/#/experiments`);
    const compare = page.getByRole("button", { name: /^Compare runs of selected/ });
    await page.getByLabel("Select experiment iris-models").check();
    expect(await compare.isDisabled()).toBe(true);
    await page.getByLabel("Select experiment iris-baselines").check();
    await compare.click();
    await page.getByRole("heading", { name: "Runs of 2 experiments" }).waitFor();
    // MLflow's URL for it, ids sorted.
    expect(decodeURIComponent(page.url().split("#")[1]!)).toBe(`/compare-experiments/s?experiments=${JSON.stringify([data.experimentId, data.otherExperimentId].sort())}`);
    const all = (await client.searchRuns([data.experimentId, data.otherExperimentId], { maxResults: 1000 })).runs;
    const rows = page.locator("table.runs tbody tr:not([aria-hidden])");
    await expect.poll(() => rows.count()).toBe(all.length);
    expect(await page.locator("table.runs thead th").nth(2).textContent()).toBe("Experiment");
    const experimentOf = async (run: string) => (await rows.filter({ has: page.getByRole("link", { name: run, exact: true }) }).locator("td").nth(2).textContent())?.trim();
    // Names come with the experiments, which load alongside the runs.
    await expect.poll(() => experimentOf("train-v1")).toBe("iris-models");
    expect(await experimentOf("baseline-logreg")).toBe("iris-baselines");
    const nameOf = (id: string) => (id === data.experimentId ? "iris-models" : "iris-baselines");
    expect(await page.getByRole("list", { name: "Experiments shown" }).getByRole("link").allTextContents()).toEqual([data.experimentId, data.otherExperimentId].sort().map(nameOf));
    // One filter over both: MLflow's syntax, the server's answer.
    const filter = page.getByLabel("Filter runs (MLflow search syntax)");
    await filter.fill("metrics.accuracy > 0.85");
    await filter.press("Enter");
    const wanted = (await client.searchRuns([data.experimentId, data.otherExperimentId], { filter: "metrics.accuracy > 0.85" })).runs.map((r) => r.info.run_name).sort();
    expect(wanted).toContain("baseline-logreg");
    await expect.poll(async () => (await page.locator("table.runs tbody td.name").allTextContents()).sort()).toEqual(wanted);
    await docScreenshot(page, "experiments-runs-together");
    expect(await unlabelledControls(page)).toEqual([]);
    // Runs of both compared; their experiment links lead home.
    await page.getByLabel("Select run baseline-logreg").check();
    await page.getByLabel("Select run train-v2").check();
    await page.getByRole("button", { name: "Compare (2)" }).click();
    await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
    await page.goBack();
    await page.getByRole("tab", { name: "Charts" }).click();
    await page.locator("figure.chart").first().waitFor();
    await page.getByRole("tab", { name: "Runs" }).click();
    // Back kept the filter (it lives in the URL), so the run shown is one that passes it.
    await rows.filter({ has: page.getByRole("link", { name: "baseline-logreg", exact: true }) }).getByRole("link", { name: "iris-baselines" }).click();
    await page.getByRole("heading", { name: "iris-baselines" }).waitFor();
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
