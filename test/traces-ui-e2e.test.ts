import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedTraces, type SeededTraces } from "./support/seed-traces.js";
import { HAS_CHROMIUM, CHROMIUM, launchChromium, screenshot, unlabelledControls, watchedPage } from "./support/browser.js";

// The Traces tab and the trace page in a real browser, on a real server process whose traces came
// in as real clients send them (OTLP from an OpenTelemetry exporter + StartTraceV3, the TS SDK's
// traces.json, the 2.x v2 API): list, page on scroll, filter, open, read spans, assess, tag,
// delete; MLflow's trace links; a 1,000-span trace timed. Screenshots go to test-output/ui/traces-*.

if (!HAS_CHROMIUM) console.warn(`Traces UI browser tests skipped: ${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);

const BULK = 240;
const CHATS = 6;

describe.skipIf(!HAS_CHROMIUM)("traces in the web UI, in Chromium", () => {
  let dir: string;
  let server: SpawnedServer;
  let experimentId: string;
  let seeded: SeededTraces;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const api = async <T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}${p}`, { method, headers: body === undefined ? {} : { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as T;
  };
  const traceInfo = async (id: string) => (await api<{ trace: { trace_info: { tags: Record<string, string>; assessments?: { assessment_name: string; feedback?: { value: unknown }; rationale?: string; source: { source_type: string } }[] } } }>("GET", `/api/3.0/mlflow/traces/${id}`)).trace.trace_info;
  const search = async (filter: string) => {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await api<{ traces?: { trace_id: string }[]; next_page_token?: string }>("POST", "/api/3.0/mlflow/traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }], filter, max_results: 500, page_token: token });
      ids.push(...(page.traces ?? []).map((t) => t.trace_id));
      token = page.next_page_token;
    } while (token);
    return ids;
  };
  const rows = () => page.locator("table.traces tbody tr[data-trace-id]");
  const countText = () => page.locator("form.toolbar span.muted").textContent();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-traces-ui-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
    experimentId = await new MlflowClient(server.url).createExperiment("genai-assistant");
    seeded = await seedTraces(server.url, experimentId, { chats: CHATS, bulk: BULK });
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
    page.on("dialog", (d) => void d.accept());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the traces newest first, rendering only the rows in view and loading pages as the user scrolls", async () => {
    await page.goto(`${server.url}/#/experiments/${experimentId}`);
    await page.getByRole("tab", { name: "Traces" }).click();
    expect(page.url()).toContain(`#/experiments/${experimentId}/traces`);
    await rows().first().waitFor();
    const total = CHATS + 3 + BULK;
    // One page of 100 so far, and far fewer rows than that in the DOM.
    expect(await countText()).toMatch(/^100\+ traces/);
    expect(await rows().count()).toBeLessThan(60);
    expect(await rows().first().getAttribute("data-trace-id")).toBe(seeded.chatIds[0]);
    const first = rows().first();
    expect(await first.locator("td").nth(3).textContent()).toBe("OK");
    expect(await first.locator("td").nth(5).textContent()).toBe("240 ms");
    expect(await first.locator("td.chips").first().textContent()).toBe("env=prod");
    await screenshot(page, "traces-01-list");
    expect(await unlabelledControls(page)).toEqual([]);
    // Scrolling to the end fetches the next page (MLflow's page token) until none is left.
    for (let i = 0; i < 20 && !(await countText())?.startsWith(`${total} traces`); i += 1) {
      await page.getByRole("region", { name: "Traces" }).evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(150);
    }
    expect(await countText()).toBe(`${total} traces`);
    await page.getByRole("region", { name: "Traces" }).evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => rows().last().getAttribute("data-trace-id")).toBe(seeded.bulkIds.at(-1));
    expect(await rows().count()).toBeLessThan(60);
    // Oldest first, by the server's order.
    await page.getByRole("button", { name: "Sort by request time" }).click();
    await expect.poll(() => rows().first().getAttribute("data-trace-id")).toBe(seeded.bulkIds.at(-1));
    await page.getByRole("button", { name: "Sort by request time" }).click();
    await expect.poll(() => rows().first().getAttribute("data-trace-id")).toBe(seeded.chatIds[0]);
  });

  it("filters with MLflow's trace syntax and shows the server's error for a bad filter", async () => {
    const filter = "tags.env = 'prod' AND trace.status = 'OK'";
    const expected = await search(filter);
    expect(expected.length).toBe(3);
    await page.getByLabel("Filter traces (MLflow search syntax)").fill(filter);
    await page.getByLabel("Filter traces (MLflow search syntax)").press("Enter");
    await expect.poll(async () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trace-id")))).toEqual(expected);
    await screenshot(page, "traces-02-filtered");
    await page.getByLabel("Filter traces (MLflow search syntax)").fill("tags.env = 'prod' OR tags.env = 'dev'");
    await page.getByLabel("Filter traces (MLflow search syntax)").press("Enter");
    await page.getByRole("alert").filter({ hasText: /Invalid clause/ }).waitFor();
    await page.getByLabel("Filter traces (MLflow search syntax)").fill("trace.status = 'ERROR'");
    await page.getByLabel("Filter traces (MLflow search syntax)").press("Enter");
    await expect.poll(async () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trace-id")))).toEqual([seeded.failedId]);
  });

  it("opens a trace: the span tree with its timeline, a span's inputs and outputs, an error event", async () => {
    await rows().first().locator("td").nth(4).click();
    // The page title (the selected span's heading says "chat" too).
    await page.getByRole("heading", { level: 1, name: "chat" }).waitFor();
    expect(page.url()).toContain(`#/experiments/${experimentId}/traces/${seeded.failedId}`);
    const tree = page.getByRole("tree", { name: "Spans" });
    await expect.poll(() => tree.getByRole("treeitem").evaluateAll((items) => items.map((i) => `${i.getAttribute("aria-level")} ${i.querySelector(".name")?.textContent}`))).toEqual(["1 chat", "2 retrieve", "2 lookup_weather"]);
    await tree.getByRole("treeitem", { name: /lookup_weather/ }).click();
    await expect.poll(() => page.getByLabel("Span inputs").textContent()).toContain('"city": "Paris"');
    expect(await page.getByLabel("Span events").textContent()).toContain("weather service timed out");
    expect(await page.getByLabel("Span events").textContent()).toContain('"at": "+10 ms"');
    expect(await page.getByRole("region", { name: "Span lookup_weather" }).textContent()).toContain("ERROR");
    await screenshot(page, "traces-03-failed-trace");

    await page.goto(`${server.url}/#/experiments/${experimentId}/traces/${seeded.chatIds[0]}`);
    await tree.getByRole("treeitem", { name: /retrieve/ }).click();
    await expect.poll(() => page.getByLabel("Span inputs").textContent()).toBe(JSON.stringify({ query: "What does MLflow trace #0?" }, null, 2));
    expect(await page.getByLabel("Span outputs").textContent()).toContain('"text": "MLflow tracks experiments."');
    // The timeline bar sits where the span ran: 5 ms into a 240 ms trace, 40 ms long.
    const bar = await tree.getByRole("treeitem", { name: /retrieve/ }).locator(".bar").evaluate((el) => [parseFloat((el as HTMLElement).style.left), (el as HTMLElement).style.width]);
    expect(bar[0]).toBeCloseTo((5 / 240) * 100, 1);
    expect(bar[1]).toMatch(/max\(2px, 16\.66/);
    // Collapsing the root hides its children; the keyboard opens it again.
    await page.getByRole("button", { name: "Collapse chat" }).click();
    await expect.poll(() => tree.getByRole("treeitem").count()).toBe(1);
    await tree.getByRole("treeitem", { name: /chat/ }).click();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => tree.getByRole("treeitem").count()).toBe(3);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.getByLabel("Span outputs").textContent()).toContain("Answer to: What does MLflow trace #0?");
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("adds, edits and deletes a feedback assessment, and tags the trace", async () => {
    const id = seeded.chatIds[0]!;
    await page.getByLabel("Assessment name").fill("correctness");
    await page.getByLabel("Assessment value").fill("true");
    await page.getByLabel("Rationale").fill("cites the docs");
    await page.getByRole("button", { name: "Add feedback" }).click();
    await expect.poll(async () => (await traceInfo(id)).assessments?.map((a) => [a.assessment_name, a.feedback?.value, a.rationale, a.source.source_type])).toEqual([["correctness", true, "cites the docs", "HUMAN"]]);
    await page.getByRole("cell", { name: "cites the docs" }).waitFor();
    await page.getByRole("button", { name: "Edit assessment correctness" }).click();
    await page.getByLabel("New value of correctness").fill("false");
    await page.getByLabel("New rationale of correctness").fill("wrong version");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await traceInfo(id)).assessments?.map((a) => [a.feedback?.value, a.rationale])).toEqual([[false, "wrong version"]]);
    await page.getByLabel("Assessment kind").selectOption("expectation");
    await page.getByLabel("Assessment name").fill("expected_facts");
    await page.getByLabel("Assessment value").fill('["MLflow tracks experiments"]');
    await page.getByRole("button", { name: "Add expectation" }).click();
    await page.getByRole("cell", { name: "expected_facts", exact: true }).waitFor();
    await page.getByLabel("New tag key").fill("reviewed");
    await page.getByLabel("New tag value").fill("yes");
    await page.getByRole("button", { name: "Add tag" }).click();
    await expect.poll(async () => (await traceInfo(id)).tags.reviewed).toBe("yes");
    await screenshot(page, "traces-04-assessed");
    await page.getByRole("button", { name: "Delete assessment correctness" }).click();
    await expect.poll(async () => (await traceInfo(id)).assessments?.map((a) => a.assessment_name)).toEqual(["expected_facts"]);
    // The list shows the assessments as chips.
    await page.goto(`${server.url}/#/experiments/${experimentId}/traces`);
    await page.locator(`tr[data-trace-id="${id}"] .chip.expectation`).filter({ hasText: 'expected_facts: ["MLflow tracks experiments"]' }).waitFor();
  });

  it("renders a 1,000-span trace from MLflow's evaluation link within a second", async () => {
    await page.goto(`${server.url}/#/experiments`);
    await page.getByRole("link", { name: "genai-assistant" }).waitFor();
    // From the hash change to the tree painted: spans fetched (batchGet), parsed and rendered.
    const measured = await page.evaluate(
      ({ hash }) =>
        new Promise<{ total: number; render: number }>((resolve) => {
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (!document.querySelector('[role="treeitem"]') || !/1000 spans/.test(document.querySelector(".page-head")?.textContent ?? "")) return;
            observer.disconnect();
            const painted = performance.now();
            const fetched = performance.getEntriesByType("resource").filter((e) => e.name.includes("batchGet")).at(-1) as PerformanceResourceTiming | undefined;
            requestAnimationFrame(() => resolve({ total: painted - start, render: painted - (fetched?.responseEnd ?? start) }));
          });
          observer.observe(document.body, { childList: true, subtree: true, characterData: true });
          window.location.hash = hash;
        }),
      { hash: `#/experiments/${experimentId}/traces?selectedEvaluationId=${seeded.bigId}` },
    );
    console.log(`1,000-span trace: ${measured.total.toFixed(0)} ms from the link to the painted tree, ${measured.render.toFixed(0)} ms of it after the spans arrived`);
    expect(measured.total).toBeLessThan(1000);
    const tree = page.getByRole("tree", { name: "Spans" });
    // Virtualised: a screenful of rows, not a thousand.
    expect(await tree.getByRole("treeitem").count()).toBeLessThan(60);
    // End selects the last span and scrolls it into view.
    await tree.focus();
    await page.keyboard.press("End");
    await tree.getByRole("treeitem", { name: /retriever-26-35/, selected: true }).waitFor();
    await expect.poll(() => page.getByLabel("Span outputs").textContent()).toBe("out 26.35");
    await page.keyboard.press("Home");
    await expect.poll(() => page.getByLabel("Span inputs").textContent()).toContain('"task": "plan a trip"');
    await screenshot(page, "traces-05-thousand-spans");
  });

  it("reads spans from traces.json as the TypeScript SDK and MLflow 2.x write it, from MLflow's other trace links", async () => {
    // The notebook widget's "open in MLflow UI" link.
    await page.goto(`${server.url}/#/experiments/${experimentId}?selectedTraceId=${seeded.tsSdkId}&compareRunsMode=TRACES`);
    const tree = page.getByRole("tree", { name: "Spans" });
    await tree.getByRole("treeitem", { name: /ts-fetch/ }).click();
    await expect.poll(() => page.getByLabel("Span inputs").textContent()).toContain('"url": "https://weather.example/oslo"');
    await tree.getByRole("treeitem", { name: /ts-weather/ }).click();
    await expect.poll(() => page.getByLabel("Span outputs").textContent()).toContain('"forecast": "snow"');
    await screenshot(page, "traces-06-ts-sdk");
    // The older traces view's link.
    await page.goto(`${server.url}/#/experiments/${experimentId}/traces?selectedTraceId=${seeded.v2Id}`);
    await tree.getByRole("treeitem", { name: /v2-predict/ }).waitFor();
    await expect.poll(() => page.getByLabel("Span inputs").textContent()).toBe(JSON.stringify({ x: 2 }, null, 2));
    expect(await page.getByLabel("Span outputs").textContent()).toBe("4");
  });

  it("opens traces from MLflow's notebook widget", async () => {
    await page.goto(`${server.url}/static-files/lib/notebook-trace-renderer/index.html?trace_id=${seeded.chatIds[1]}&experiment_id=${experimentId}&version=3.6.0`);
    const open = page.getByRole("link", { name: `Open trace ${seeded.chatIds[1]} in MLflow` });
    expect(await open.getAttribute("href")).toBe(`${server.url}/#/experiments/${experimentId}/traces/${seeded.chatIds[1]}`);
    await page.getByText(/chat · OK/).waitFor();
  });

  it("deletes selected traces", async () => {
    await page.goto(`${server.url}/#/experiments/${experimentId}/traces`);
    await rows().first().waitFor();
    const doomed = [seeded.chatIds[4]!, seeded.chatIds[5]!];
    for (const id of doomed) await page.getByLabel(`Select trace ${id}`).check();
    await page.getByRole("button", { name: "Delete (2)" }).click();
    await expect.poll(async () => (await search("tags.env != 'bulk'")).filter((id) => doomed.includes(id))).toEqual([]);
    await expect.poll(() => page.locator(`tr[data-trace-id="${doomed[0]}"]`).count()).toBe(0);
    await page.getByRole("button", { name: "Delete (0)" }).waitFor();
  });

  it("logged no script errors", () => {
    expect(errors).toEqual([]);
  });
});
