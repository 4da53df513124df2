import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET, createWorld, type World } from "./owner-and-intruder.js";

// Issue 20, authorization: traces belong to their experiment. OTLP ingest names its experiment in a
// header, so route-by-route (which moves IDs between query and body) cannot try it: this file does,
// along with what the matrix cannot see (spans aimed at another's trace, searches, links).

const span = (hex: string, name: string) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: hex, spanId: hex.slice(0, 16), name, startTimeUnixNano: "1730000000000000000", endTimeUnixNano: "1730000000500000000" }] }] }],
});

describe("traces under basic-auth", () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld("NO_PERMISSIONS default");
  }, 60_000);
  afterAll(async () => w?.server.close());

  const otlp = (who: "owner" | "intruder", experimentId: string, body: unknown) => w.call(who, "POST", "/v1/traces", { headers: { "x-mlflow-experiment-id": experimentId }, body });

  it("OTLP needs EDIT on the header's experiment, and cannot reach another experiment's trace", async () => {
    expect((await otlp("intruder", w.owner.experimentId, span("11".repeat(16), "planted"))).status).toBe(403);
    expect((await otlp("intruder", w.intruder.experimentId, span("22".repeat(16), "mine"))).status).toBe(200);
    // The owner's trace ID with the intruder's own experiment: refused, the owner's trace unchanged.
    const hijack = await otlp("intruder", w.intruder.experimentId, span(w.owner.traceId.slice(3), "hijack"));
    expect(hijack.status).toBe(422);
    const spans = await w.call("owner", "GET", "/api/3.0/mlflow/traces/batchGet", { query: { trace_ids: w.owner.traceId } });
    expect(spans.text).not.toContain("hijack");
    expect((await w.call("intruder", "GET", "/api/3.0/mlflow/traces/batchGet", { query: { trace_ids: w.owner.traceId } })).status).toBe(403);
    expect((await w.call("anonymous" as "intruder", "POST", "/v1/traces", { headers: { Authorization: "", "x-mlflow-experiment-id": w.intruder.experimentId }, body: span("33".repeat(16), "anon") })).status).toBe(401);
  });

  it("searches return only readable experiments' traces, whichever experiments are named", async () => {
    const both = [w.owner.experimentId, w.intruder.experimentId];
    const v3 = await w.call("intruder", "POST", "/api/3.0/mlflow/traces/search", {
      body: { locations: both.map((experiment_id) => ({ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id } })) },
    });
    expect(v3.status).toBe(200);
    expect(v3.text).not.toContain(SECRET);
    expect(v3.text).toContain(w.intruder.traceId);
    const v2 = await w.call("intruder", "GET", "/api/2.0/mlflow/traces", { query: { experiment_ids: both } });
    expect(v2.text).not.toContain(w.owner.traceId);
    const owner = await w.call("owner", "POST", "/api/3.0/mlflow/traces/search", { body: { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: w.owner.experimentId } }] } });
    expect(owner.text).toContain(w.owner.traceId);
  });

  it("links, assessments, tags and deletes need their trace's experiment", async () => {
    const link = await w.call("intruder", "POST", "/api/2.0/mlflow/traces/link-to-run", { body: { trace_ids: [w.owner.traceId], run_id: w.intruder.runId } });
    expect(link.status).toBe(403);
    const assess = await w.call("intruder", "POST", `/api/3.0/mlflow/traces/${w.owner.traceId}/assessments`, { body: { assessment: { assessment_name: "x", source: { source_type: "HUMAN" }, feedback: { value: 1 } } } });
    expect(assess.status).toBe(403);
    const del = await w.call("intruder", "POST", "/api/2.0/mlflow/traces/delete-traces", { body: { experiment_id: w.intruder.experimentId, request_ids: [w.owner.traceId] } });
    expect(del.status).toBe(403);
    // READ is not EDIT.
    await w.server.admin.createExperimentPermission(w.owner.experimentId, "intruder", "READ");
    const read = await w.call("intruder", "GET", `/api/3.0/mlflow/traces/${w.owner.traceId}`);
    expect(read.status).toBe(200);
    expect((await w.call("intruder", "PATCH", `/api/2.0/mlflow/traces/${w.owner.traceId}/tags`, { body: { key: "k", value: "v" } })).status).toBe(403);
    expect((await otlp("intruder", w.owner.experimentId, span("44".repeat(16), "planted"))).status).toBe(403);
    const file = await w.call("intruder", "GET", "/ajax-api/2.0/mlflow/get-trace-artifact", { query: { request_id: w.owner.traceId } });
    expect(file.status).toBe(200);
    expect(file.text).toContain(`${SECRET}span`);
  });
});
