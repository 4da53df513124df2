import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, UPGRADE_STEPS } from "@mlflow-ts/store";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";

// Issue 20, storage item 1: a database without trace_info answers 501 naming the revision traces
// need; one with trace_info but without spans (MLflow 2.13–3.2) serves traces with their spans in
// traces.json, and refuses OTLP with the text MLflow's exporter recognises (it then uploads
// traces.json itself). Databases are MLflow 2.12's DDL (a fixture) brought to a revision by this
// server's own steps of MLflow's chain.

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/mlflow-schema/acf3f17fdcc7.sqlite.sql");

async function databaseAt(revision: string, dir: string): Promise<string> {
  const file = path.join(dir, `${revision}.db`);
  const database = await createDatabase(`sqlite:///${file}`);
  const text = fs.readFileSync(FIXTURE, "utf8").replace(/^--.*$/gm, "");
  for (const statement of text.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await sql.raw(statement).execute(database.db);
  const last = revision === "acf3f17fdcc7" ? -1 : UPGRADE_STEPS.findIndex((s) => s.revision === revision);
  for (const step of UPGRADE_STEPS.slice(0, last + 1)) await step.up(database.db, "sqlite");
  await sql`update alembic_version set version_num = ${revision}`.execute(database.db);
  await sql`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) values (1, 'old', 'mlflow-artifacts:/1', 'active', 0, 0)`.execute(database.db);
  await database.close();
  return `sqlite:///${file}`;
}

const json = async (server: SpawnedServer, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${server.url}${p}`, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("traces on databases MLflow made before 3.3", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-old-traces-"));
  let v212: SpawnedServer;
  let v214: SpawnedServer;
  beforeAll(async () => {
    v212 = await spawnServer(["--backend-store-uri", await databaseAt("acf3f17fdcc7", dir), "--artifacts-destination", path.join(dir, "a212")], { cwd: dir });
    v214 = await spawnServer(["--backend-store-uri", await databaseAt("5b0e9adcef9c", dir), "--artifacts-destination", path.join(dir, "a214")], { cwd: dir });
  }, 60_000);
  afterAll(async () => {
    await v212?.stop();
    await v214?.stop();
  });

  it("answers 501 naming the revision on a database without trace tables (MLflow 2.12)", async () => {
    const answer = await json(v212, "POST", "/api/2.0/mlflow/traces", { experiment_id: "1", timestamp_ms: 1 });
    expect(answer.status).toBe(501);
    expect(answer.body.message).toContain("867495a8f9d4");
    expect((await json(v212, "GET", "/api/2.0/mlflow/traces?experiment_ids=1")).status).toBe(501);
  });

  it("serves v2 and v3 traces on MLflow 2.14's tables, spans in traces.json; OTLP gets MLflow's 501", async () => {
    const otlp = await fetch(`${v214.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-mlflow-experiment-id": "1" },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "r", startTimeUnixNano: "1" }] }] }] }),
    });
    expect(otlp.status).toBe(501);
    expect(((await otlp.json()) as { detail: string }).detail).toContain("REST OTLP span logging is not supported");

    const traceId = `tr-${"c".repeat(32)}`;
    const started = await json(v214, "POST", "/api/3.0/mlflow/traces", { trace: { trace_info: { trace_id: traceId, trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } }, state: "OK", request_preview: "not stored before 3.2", tags: { k: "v" } } } });
    expect(started.status).toBe(200);
    const info = (started.body.trace as { trace_info: Record<string, unknown> }).trace_info;
    expect(info.request_preview).toBeUndefined();
    expect((info.tags as Record<string, string>)["mlflow.trace.spansLocation"]).toBeUndefined();
    // The client uploads traces.json (3.x format); reads find the spans there.
    const file = { spans: [{ trace_id: "zMzMzMzMzMzMzMzMzMzMzA==", span_id: "AAAAAAAAAAE=", parent_span_id: null, name: "root", start_time_unix_nano: 1, end_time_unix_nano: 2, attributes: { "mlflow.traceRequestId": JSON.stringify(traceId) }, events: [], status: { code: "STATUS_CODE_OK", message: "" } }] };
    await fetch(`${v214.url}/api/2.0/mlflow-artifacts/artifacts/1/traces/${traceId}/artifacts/traces.json`, { method: "PUT", body: JSON.stringify(file) });
    const batch = await json(v214, "GET", `/api/3.0/mlflow/traces/batchGet?trace_ids=${traceId}`);
    expect((batch.body.traces as { spans: { name: string }[] }[])[0]!.spans[0]!.name).toBe("root");
    const search = await json(v214, "POST", "/api/3.0/mlflow/traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } }], filter: "tags.k = 'v'" });
    expect((search.body.traces as { trace_id: string }[]).map((t) => t.trace_id)).toEqual([traceId]);
    const assessment = await json(v214, "POST", `/api/3.0/mlflow/traces/${traceId}/assessments`, { assessment: { assessment_name: "x", source: { source_type: "HUMAN" }, feedback: { value: 1 } } });
    expect(assessment.status).toBe(501);
    expect(assessment.body.message).toContain("770bee3ae1dd");
    const deleted = await json(v214, "POST", "/api/2.0/mlflow/traces/delete-traces", { experiment_id: "1", request_ids: [traceId] });
    expect(deleted.body.traces_deleted).toBe(1);
  });
});
