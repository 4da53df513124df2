import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Access, callerStores, openAuthStore, type AuthStore, type UserRecord } from "@mlflow-ts/authz";
import type { AppStores } from "@mlflow-ts/plugin-api";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";

// The caller stores on their own, over a real server's stores and a real auth database: each call
// is decided on the entity it resolves, whatever request-level rule ran (or did not) before it.

let server: TestServer;
let auth: AuthStore;
let dir: string;
let stores: AppStores;
let reader: UserRecord;
let runId: string;
let experimentId: string;

beforeAll(async () => {
  server = await startTestServer();
  stores = server.app.context.stores;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "caller-stores-"));
  auth = await openAuthStore(`sqlite:///${path.join(dir, "auth.db")}`, dir);
  experimentId = await stores.tracking.createExperiment({ name: "owned" });
  runId = (await stores.tracking.createRun({ experimentId })).info.run_id;
  reader = await auth.createUser("reader", "unused-hash", false);
  await auth.createGrant("experiment", experimentId, reader.id, "READ");
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("caller stores", () => {
  it("give a run's artifact URI to read to a reader, and refuse it to write", async () => {
    const mine = callerStores(stores, reader, new Access(auth, stores, "NO_PERMISSIONS"));
    expect(await mine.tracking.runArtifactUri(runId, "read")).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    await expect(mine.tracking.runArtifactUri(runId, "write")).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(mine.tracking.logMetric(runId, { key: "m", value: 1, timestamp: 1 })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("refuse a cached denial as a rejected promise, never a synchronous throw", async () => {
    const access = new Access(auth, stores, "NO_PERMISSIONS", 60_000);
    const mine = callerStores(stores, reader, access);
    await access.run(reader, runId); // caches the run's experiment and the grant
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = mine.tracking.setTag(runId, { key: "k", value: "v" }))).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("filter a search in its query by the caller's grants and the default", async () => {
    const other = await stores.tracking.createExperiment({ name: "not-granted" });
    const mine = callerStores(stores, reader, new Access(auth, stores, "NO_PERMISSIONS"));
    const ids = (await mine.tracking.searchExperiments({})).experiments.map((e) => e.experiment_id);
    expect(ids).toEqual([experimentId]);
    const runs = await mine.tracking.searchRuns({ experimentIds: [experimentId, other] });
    expect(runs.runs.map((r) => r.info.run_id)).toEqual([runId]);
  });
});
