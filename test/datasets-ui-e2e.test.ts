import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { createDatabase } from "@mlflow-ts/store";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDatasets, type SeededDatasets } from "./support/seed-datasets.js";
import { HAS_CHROMIUM, CHROMIUM, launchChromium, screenshot, unlabelledControls, watchedPage } from "./support/browser.js";

// Issue 23 item 4: the Datasets tab in a real browser, on a real server process whose datasets came
// in through the REST API as MLflow's client sends them: the list, a dataset's records as a
// virtualised table (columns from the schema, pages loaded on scroll, full JSON of a cell), empty
// datasets and experiments, an unknown dataset, and the 501 of a database older than MLflow 3.4.
// Screenshots go to test-output/ui/datasets-*.

if (!HAS_CHROMIUM) console.warn(`Datasets UI browser tests skipped: ${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);

const RECORDS = 2500;
// MLflow 2.12's DDL: no evaluation-dataset tables.
const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/mlflow-schema/acf3f17fdcc7.sqlite.sql");

interface WireRecord {
  dataset_record_id: string;
  inputs: Record<string, unknown>;
  outputs?: unknown;
  expectations?: Record<string, unknown>;
  tags?: Record<string, string>;
  source?: { source_type: string };
  source_id?: string;
  source_type?: string;
}

/** A cell's one-line text, as the UI shows values: strings as they are, anything else as JSON. */
const compact = (value: unknown) => (value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));

describe.skipIf(!HAS_CHROMIUM)("evaluation datasets in the web UI, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let experimentId: string;
  let bareExperimentId: string;
  let seeded: SeededDatasets;
  let records: WireRecord[];
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const api = async <T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}${p}`, { method, headers: body === undefined ? {} : { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as T;
  };
  /** Every record of a dataset in the server's order, page by page as the UI reads them. */
  const allRecords = async (id: string) => {
    const out: WireRecord[] = [];
    let token: string | undefined;
    do {
      const answer = await api<{ records: string; next_page_token?: string }>("GET", `/api/3.0/mlflow/datasets/${id}/records?max_results=1000${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
      out.push(...(JSON.parse(answer.records) as WireRecord[]));
      token = answer.next_page_token;
    } while (token);
    return out;
  };
  const rows = () => page.locator("table.records tbody tr[data-record-id]");
  const region = () => page.getByRole("region", { name: "Dataset records" });
  const countText = () => page.locator("p.records-count").textContent();
  const cell = (recordId: string, column: string) => page.locator(`tr[data-record-id="${recordId}"] td[data-column="${column}"]`);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-datasets-ui-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    const client = new MlflowClient(server.url);
    experimentId = await client.createExperiment("genai-eval");
    bareExperimentId = await client.createExperiment("no-datasets-yet");
    seeded = await seedDatasets(server.url, experimentId, { records: RECORDS });
    records = await allRecords(seeded.bigId);
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the experiment's datasets: name, digest, record count, who created and updated them, tags", async () => {
    expect(records).toHaveLength(RECORDS);
    await page.goto(`${server.url}/#/experiments/${experimentId}`);
    await page.getByRole("tab", { name: "Datasets" }).click();
    expect(page.url()).toContain(`#/experiments/${experimentId}/datasets`);
    const list = page.getByRole("region", { name: "Evaluation datasets" });
    await list.locator("tbody tr").first().waitFor();
    const found = await api<{ datasets: { dataset_id: string; name: string; digest: string; tags: string }[] }>("POST", "/api/3.0/mlflow/datasets/search", { experiment_ids: [experimentId], order_by: ["last_update_time DESC"] });
    // Most recently updated first, as the server orders them.
    expect(await list.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-dataset-id")))).toEqual(found.datasets.map((d) => d.dataset_id));
    expect(found.datasets.map((d) => d.name).sort()).toEqual(["empty-set", "qa-golden", "smoke"]);
    const big = list.locator(`tr[data-dataset-id="${seeded.bigId}"] td`);
    expect(await big.allTextContents()).toEqual([
      "qa-golden",
      found.datasets.find((d) => d.dataset_id === seeded.bigId)!.digest,
      "2,500",
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d by alice$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/),
      // MLflow's own mlflow.user tag is plumbing; the user's tags are shown, in the server's order.
      Object.entries(JSON.parse(found.datasets.find((d) => d.dataset_id === seeded.bigId)!.tags) as Record<string, string>)
        .filter(([k]) => !k.startsWith("mlflow."))
        .map(([k, v]) => `${k}=${v}`)
        .join(""),
    ]);
    expect(await list.locator(`tr[data-dataset-id="${seeded.smallId}"] td`).nth(2).textContent()).toBe("3");
    // A dataset without records has no profile to count.
    expect(await list.locator(`tr[data-dataset-id="${seeded.emptyId}"] td`).nth(2).textContent()).toBe("");
    expect(await page.getByText("3 datasets").count()).toBe(1);
    await screenshot(page, "datasets-01-list");
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("opens a dataset: one column per input and expectation key from its schema, only the rows in view rendered", async () => {
    await page.getByRole("link", { name: "qa-golden" }).click();
    expect(page.url()).toContain(`#/experiments/${experimentId}/datasets/${seeded.bigId}`);
    await rows().first().waitFor();
    const { dataset } = await api<{ dataset: { schema: string; digest: string } }>("GET", `/api/3.0/mlflow/datasets/${seeded.bigId}`);
    const schema = JSON.parse(dataset.schema) as { inputs: Record<string, string>; expectations: Record<string, string> };
    expect(Object.keys(schema.inputs).sort()).toEqual(["context", "question"]);
    const headers = await page.locator("table.records thead th").allTextContents();
    expect(headers).toEqual([...Object.keys(schema.inputs).map((k) => `inputs.${k}`), "outputs", ...Object.keys(schema.expectations).map((k) => `expectations.${k}`), "tags", "source", "updated"]);
    expect(await page.getByRole("heading", { name: "qa-golden" }).count()).toBe(1);
    expect(await page.locator(".dataset-meta").textContent()).toContain(dataset.digest);
    // The first page of 1,000, and a screenful of rows in the DOM.
    await expect.poll(countText).toBe("1,000 of 2,500 records");
    expect(await rows().count()).toBeLessThan(60);
    expect(await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id")))).toEqual(records.slice(0, await rows().count()).map((r) => r.dataset_record_id));
    // Cells hold each record's values, compactly: strings as they are, objects as one-line JSON.
    for (const r of records.slice(0, 6)) {
      expect(await cell(r.dataset_record_id, "inputs.question").textContent()).toBe(r.inputs.question);
      expect(await cell(r.dataset_record_id, "inputs.context").textContent()).toBe(JSON.stringify(r.inputs.context));
      expect(await cell(r.dataset_record_id, "expectations.answer").textContent()).toBe(r.expectations!.answer);
      expect(await cell(r.dataset_record_id, "expectations.score").textContent()).toBe(String(r.expectations!.score));
      // A record stored without outputs comes back as `{}`: an empty cell.
      const outputs = r.outputs && typeof r.outputs === "object" && Object.keys(r.outputs).length === 0 ? undefined : r.outputs;
      expect(await cell(r.dataset_record_id, "outputs").textContent()).toBe(compact(outputs));
      expect(await cell(r.dataset_record_id, "tags").textContent()).toBe(`split=${r.tags!.split}`);
      expect(await cell(r.dataset_record_id, "source").textContent()).toBe(r.source_id ? `${r.source_type} ${r.source_id}` : r.source_type);
    }
    expect(records.slice(0, 30).some((r) => typeof r.outputs === "string") && records.slice(0, 30).some((r) => r.source_type === "TRACE")).toBe(true);
    await screenshot(page, "datasets-02-records");
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("shows a cell's full JSON when it is clicked", async () => {
    const index = records.findIndex((x) => x.outputs && typeof x.outputs === "object" && Object.keys(x.outputs).length > 0);
    const r = records[index]!;
    await region().evaluate((el, top) => (el.scrollTop = top), index * 34);
    await cell(r.dataset_record_id, "outputs").getByRole("button").click();
    const dialog = page.getByRole("dialog", { name: `outputs of record ${r.dataset_record_id}` });
    await dialog.waitFor();
    expect(await dialog.getByLabel(`outputs of record ${r.dataset_record_id} (full JSON)`).textContent()).toBe(JSON.stringify(r.outputs, null, 2));
    await screenshot(page, "datasets-03-cell");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await cell(r.dataset_record_id, "source").getByRole("button").click();
    expect(await page.getByRole("dialog").locator("pre.json").textContent()).toBe(JSON.stringify(r.source, null, 2));
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
  });

  it("loads further pages as the user scrolls, keeping only the rows in view in the DOM", async () => {
    for (let i = 0; i < 30 && (await countText()) !== "2,500 records"; i += 1) {
      await region().evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(150);
    }
    expect(await countText()).toBe("2,500 records");
    await region().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => rows().last().getAttribute("data-record-id")).toBe(records.at(-1)!.dataset_record_id);
    expect(await rows().count()).toBeLessThan(60);
    const last = records.at(-1)!;
    expect(await cell(last.dataset_record_id, "inputs.question").textContent()).toBe(last.inputs.question);
    // The middle of the third page, reached by scrolling, holds that record.
    const mid = records[2100]!;
    await region().evaluate((el, top) => (el.scrollTop = top), 2100 * 34);
    await expect.poll(() => cell(mid.dataset_record_id, "inputs.question").textContent()).toBe(mid.inputs.question);
    expect(await rows().count()).toBeLessThan(60);
  });

  it("gives another dataset its own columns, and shows an empty dataset, an empty experiment and an unknown dataset", async () => {
    await page.goto(`${server.url}/#/experiments/${experimentId}/datasets/${seeded.smallId}`);
    await rows().first().waitFor();
    expect(await page.locator("table.records thead th").allTextContents()).toEqual(["inputs.prompt", "inputs.temperature", "outputs", "expectations.contains", "expectations.exact", "tags", "source", "updated"]);
    expect(await countText()).toBe("3 records");
    const small = await allRecords(seeded.smallId);
    const counting = small.find((r) => r.inputs.prompt === "Count to 3")!;
    expect(await cell(counting.dataset_record_id, "outputs").textContent()).toBe("[1,2,3]");
    expect(await cell(counting.dataset_record_id, "inputs.temperature").textContent()).toBe("");

    await page.getByRole("link", { name: "← All datasets" }).click();
    await page.getByRole("link", { name: "empty-set" }).click();
    await page.getByText("This dataset has no records yet.").waitFor();

    await page.goto(`${server.url}/#/experiments/${bareExperimentId}/datasets`);
    await page.getByText(/No evaluation datasets in this experiment yet/).waitFor();

    await page.goto(`${server.url}/#/experiments/${experimentId}/datasets/d-00000000000000000000000000000000`);
    // GetDataset's 404, in MLflow's words.
    await page.getByRole("alert").filter({ hasText: "Evaluation dataset with id 'd-00000000000000000000000000000000' not found" }).waitFor();
  });

  it("shows the server's message on a database older than MLflow 3.4 (501)", async () => {
    const file = path.join(dir, "mlflow-2.12.db");
    const database = await createDatabase(`sqlite:///${file}`);
    const text = fs.readFileSync(FIXTURE, "utf8").replace(/^--.*$/gm, "");
    for (const statement of text.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await sql.raw(statement).execute(database.db);
    await sql`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) values (1, 'old', 'mlflow-artifacts:/1', 'active', 0, 0)`.execute(database.db);
    await database.close();
    const old = await spawnServer(["--backend-store-uri", `sqlite:///${file}`, "--artifacts-destination", path.join(dir, "old-artifacts")], { cwd: dir });
    try {
      const answer = await fetch(`${old.url}/ajax-api/3.0/mlflow/datasets/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ experiment_ids: ["1"] }) });
      expect(answer.status).toBe(501);
      const { message } = (await answer.json()) as { message: string };
      expect(message).toContain("71994744cf8e");
      await page.goto(`${old.url}/#/experiments/1/datasets`);
      expect(await page.getByRole("alert").textContent()).toBe(message);
      await page.getByRole("heading", { level: 1, name: "old" }).waitFor();
      await screenshot(page, "datasets-04-old-database");
    } finally {
      await old.stop();
    }
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
