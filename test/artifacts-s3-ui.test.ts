import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { MlflowClient } from "@mlflow-ts/client";
import { startS3Store, type S3Store } from "./support/s3-store.js";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { seedDemo, type DemoData } from "./support/seed-ui.js";
import { HAS_CHROMIUM, CHROMIUM, launchChromium, screenshot, watchedPage } from "./support/browser.js";

// Issue 21, the UI on an S3-backed proxied server (`--artifacts-destination s3://mlflow/ui` on
// s3rver): a run's text, JSON, CSV, image and model files, logged through the proxy into the
// bucket, are listed by the run page's artifact browser and previewed from the bucket.

if (!HAS_CHROMIUM) console.warn(`S3 artifact browser test skipped: ${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);

describe.skipIf(!HAS_CHROMIUM)("the artifact browser on artifacts in S3, in Chromium", () => {
  let s3: S3Store;
  let dir: string;
  let server: SpawnedServer;
  let demo: DemoData;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    s3 = await startS3Store();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-ui-"));
    server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--artifacts-destination", `s3://${s3.bucket}/ui`], { cwd: dir, env: { ...s3.env } });
    demo = await seedDemo(new MlflowClient(server.url), "s3-demo");
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await s3?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the run's artifacts from the bucket and previews text, JSON, CSV, an image and the MLmodel", async () => {
    // The files are in the bucket, under MLflow's layout, and nowhere on the server's disk.
    const inBucket = path.join(s3.dir, s3.bucket, "ui", demo.experimentId, demo.modelRunId, "artifacts");
    for (const file of ["metrics.json", "notes.txt", "predictions.csv", "plots/roc.png", "model/MLmodel"]) expect(fs.existsSync(`${inBucket}/${file}._S3rver_object`), file).toBe(true);
    expect(fs.existsSync(path.join(dir, "mlartifacts"))).toBe(false);

    await page.goto(`${server.url}/#/experiments/${demo.experimentId}/runs/${demo.modelRunId}`);
    await page.getByRole("heading", { name: "run-00" }).waitFor();
    await page.getByRole("tab", { name: "Artifacts" }).click();
    for (const name of [/metrics\.json/, /notes\.txt/, /predictions\.csv/, /^▸ plots/, /^▸ model/]) await page.getByRole("button", { name }).waitFor();

    await page.getByRole("button", { name: /metrics\.json/ }).click();
    await page.locator("pre.artifact-text").filter({ hasText: '"accuracy": 0.93' }).waitFor();
    await page.getByRole("button", { name: /notes\.txt/ }).click();
    await page.locator("pre.artifact-text").filter({ hasText: "Trained on the November snapshot." }).waitFor();
    await page.getByRole("button", { name: /predictions\.csv/ }).click();
    await page.getByRole("cell", { name: "churn, maybe" }).waitFor();
    await page.getByRole("button", { name: /^▸ plots/ }).click();
    await page.getByRole("button", { name: /roc\.png/ }).click();
    await page.getByRole("img", { name: "roc.png" }).waitFor();
    await expect.poll(() => page.getByRole("img", { name: "roc.png" }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(2);
    await page.getByRole("button", { name: /^▸ model/ }).click();
    await page.getByRole("button", { name: /MLmodel/ }).click();
    await page.locator("pre.artifact-text").filter({ hasText: "loader_module" }).waitFor();
    await screenshot(page, "s3-artifacts");
    expect(errors).toEqual([]);
  }, 120_000);
});
