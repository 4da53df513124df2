// Web UI benchmark of issue 24's model and cross-experiment views, headless Chromium against a
// seeded SQLite server: one runs table over 10 experiments of 1,000 runs each (against one
// experiment of 10,000, measured in the same run), and a model version page that reads a 200-column
// signature and input example from its MLmodel (the YAML reader loaded on first use). Fresh page
// each time: cold JavaScript and data.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MlflowClient } from "@mlflow-ts/client";
import { chromium } from "playwright-core";
import { report, startServer } from "./lib.js";
import { seedRuns } from "./tracking.js";

const CHROMIUM = "/usr/bin/chromium";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** An MLmodel with `columns` named double inputs, one tensor output and an input example, as MLflow writes it. */
function wideMlmodel(columns) {
  const inputs = Array.from({ length: columns }, (_, i) => ({ type: "double", name: `feature_${i}`, required: true }));
  // A YAML single-quoted scalar: quotes doubled (the JSON has none), kept on one line.
  return [
    "flavors:",
    "  python_function:",
    "    loader_module: mlflow.sklearn",
    "    python_version: 3.11.2",
    "  sklearn:",
    "    sklearn_version: 1.5.0",
    "mlflow_version: 2.16.0",
    "saved_input_example_info:",
    "  artifact_path: input_example.json",
    "  pandas_orient: split",
    "  type: dataframe",
    "signature:",
    `  inputs: '${JSON.stringify(inputs)}'`,
    `  outputs: '${JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "int64", shape: [-1] } }])}'`,
    "  params: null",
    "",
  ].join("\n");
}

export async function benchUiModels() {
  console.log("\n# web UI: models and several experiments (issue 24)  headless Chromium, SQLite server; medians of 3 on fresh pages");
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`  (skipped: ${CHROMIUM} is missing)`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-ui-models-"));
  const uri = `sqlite:///${path.join(dir, "ui.db")}`;
  const server = await startServer(["--backend-store-uri", uri], { cwd: dir });
  const client = new MlflowClient(server.url);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup"] });
  try {
    // The baseline, measured in the same run: one experiment of as many runs (issue 11's table).
    const single = await client.createExperiment("one-experiment");
    await seedRuns(uri, single, 10_000);
    const ids = [];
    for (let e = 0; e < 10; e += 1) {
      const id = await client.createExperiment(`team-${e}`);
      await seedRuns(uri, id, 1_000);
      ids.push(id);
    }
    const run = await client.createRun(ids[0], { runName: "wide-model" });
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "");
    const columns = 200;
    await client.artifacts.upload(`${root}/model/MLmodel`, wideMlmodel(columns));
    const example = { columns: Array.from({ length: columns }, (_, i) => `feature_${i}`), data: Array.from({ length: 5 }, (_, r) => Array.from({ length: columns }, (_, i) => r * i * 0.5)) };
    await client.artifacts.upload(`${root}/model/input_example.json`, JSON.stringify(example));
    await client.registry.createRegisteredModel("wide");
    await client.registry.createModelVersion("wide", `${run.info.artifact_uri}/model`, { runId: run.info.run_id });

    const timed = async (url, ready, count = 3) => {
      const times = [];
      for (let i = 0; i < count; i += 1) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const t0 = Date.now();
        await page.goto(url);
        await ready(page, t0);
        times.push(Date.now() - t0);
        await page.close();
      }
      return times;
    };
    const firstRows = (page) => page.locator("table.runs td.name a").first().waitFor();
    const together = [];
    const alone = [];
    // Interleaved, so both see the same machine (its cores are shared).
    for (let i = 0; i < 3; i += 1) {
      together.push(...(await timed(`${server.url}/#/compare-experiments/s?experiments=${encodeURIComponent(JSON.stringify(ids))}`, firstRows, 1)));
      alone.push(...(await timed(`${server.url}/#/experiments/${single}`, firstRows, 1)));
    }
    const ratio = (median(together) / median(alone)).toFixed(2);
    report("10 experiments × 1,000 runs in one table: first rows", median(together), "ms", ["<=", 1000], `runs ${together.join("/")}; ${ratio}× one experiment of 10,000 (${median(alone)} ms, same run)`);
    const heading = [];
    const version = await timed(`${server.url}/#/models/wide/versions/1`, async (page, t0) => {
      await page.getByRole("heading", { name: "wide version 1" }).waitFor();
      heading.push(Date.now() - t0);
      await page.getByRole("table", { name: `Inputs (${columns})` }).waitFor();
      await page.getByRole("table", { name: "Input example" }).waitFor();
    });
    report(`model version: ${columns}-column signature and example shown`, median(version), "ms", ["<=", 1000], `runs ${version.join("/")}; the page's heading at ${median(heading)} ms (same run), the YAML reader loaded on the page`);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
