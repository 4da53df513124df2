import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startTestServer, type TestServer } from "./support/test-server.js";

// Issue 20, bad input on every trace route: malformed JSON, wrong types in every field, huge and
// hostile values, path tricks. Never a 5xx; MLflow's error JSON; nothing written.

const WRONG: readonly unknown[] = [-1.5, true, [1, "a"], { a: { b: 1 } }, "x".repeat(100_000), "\u0000../%2e%2e"];

describe("trace routes refuse bad input without a server error", () => {
  let server: TestServer;
  let experimentId: string;
  let traceId: string;
  let routes: { method: string; path: string }[];
  beforeAll(async () => {
    server = await startTestServer({ config: { maxBodyBytes: 1024 * 1024 } });
    experimentId = await server.client.createExperiment("bad-input");
    traceId = `tr-${"ab".repeat(16)}`;
    const start = await postJson(server, "/api/3.0/mlflow/traces", { trace: { trace_info: { trace_id: traceId, trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }, state: "OK" } } });
    expect(start.status).toBe(200);
    routes = server.app.listRoutes().filter((r) => /\/traces|get-trace-artifact/.test(r.path));
  });
  afterAll(async () => server?.close());

  const fill = (path: string, value: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === "assessment_id" ? "a-1" : encodeURIComponent(value)));

  it("every field with every wrong type, on every trace route", async () => {
    expect(routes.length).toBeGreaterThan(30);
    const fields = ["experiment_id", "experiment_ids", "trace", "trace_id", "trace_ids", "request_id", "request_ids", "timestamp_ms", "status", "tags", "request_metadata", "key", "value", "filter", "max_results", "order_by", "page_token", "locations", "max_timestamp_millis", "max_traces", "run_id", "assessment", "update_mask", "allow_partial"];
    const failures: string[] = [];
    for (const route of routes) {
      for (const field of fields) {
        for (const value of WRONG) {
          const path = fill(route.path, traceId);
          const answer =
            route.method === "GET"
              ? await server.fetch(`${path}?${new URLSearchParams({ [field]: typeof value === "string" ? value : JSON.stringify(value) })}`)
              : await server.fetch(path, { method: route.method, headers: { "content-type": "application/json", "x-mlflow-experiment-id": experimentId }, body: JSON.stringify({ [field]: value }) });
          if (answer.status >= 500) failures.push(`${route.method} ${route.path} ${field}=${JSON.stringify(value).slice(0, 40)}: ${answer.status} ${(await answer.text()).slice(0, 160)}`);
          else await answer.arrayBuffer();
        }
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it("nested wrong types inside StartTraceV3 and assessments", async () => {
    const loc = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } };
    const infos: unknown[] = [
      { trace_id: 5, trace_location: loc },
      { trace_id: "tr-1", trace_location: { mlflow_experiment: { experiment_id: [] } } },
      { trace_id: "tr-1", trace_location: loc, tags: [] },
      { trace_id: "tr-1", trace_location: loc, trace_metadata: { a: {} } },
      { trace_id: "tr-1", trace_location: loc, assessments: [{ feedback: "x" }] },
      { trace_id: "tr-1", trace_location: loc, execution_duration: "forever" },
      { trace_id: "tr-1", trace_location: loc, request_time: { seconds: "a" } },
      { trace_id: "tr-1", trace_location: loc, client_request_id: "c".repeat(51) },
      { trace_id: "tr-1", trace_location: loc, tags: { ["k".repeat(300)]: "v" } },
      { trace_id: "tr-1", trace_location: { type: "UC_SCHEMA" } },
    ];
    for (const trace_info of infos) {
      const answer = await postJson(server, "/api/3.0/mlflow/traces", { trace: { trace_info } });
      expect(answer.status, JSON.stringify(trace_info)).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    }
    expect((await postJson(server, "/api/3.0/mlflow/traces/tr-1/assessments", { assessment: { assessment_name: "x", source: { source_type: "HUMAN" }, feedback: { value: 1 } } })).status).toBe(404);
    const base = `/api/3.0/mlflow/traces/${traceId}/assessments`;
    for (const assessment of [
      { assessment_name: "x", source: { source_type: "ROBOT" }, feedback: { value: 1 } },
      { assessment_name: "", source: { source_type: "HUMAN" }, feedback: { value: 1 } },
      { assessment_name: "x", source: { source_type: "HUMAN" }, expectation: { serialized_value: { serialization_format: "PICKLE", value: "x" } } },
      { assessment_name: "x", source: { source_type: "HUMAN" }, expectation: { serialized_value: { serialization_format: "JSON_FORMAT", value: "{" } } },
      { assessment_name: "x", source: { source_type: "HUMAN" }, feedback: { value: 1 }, expectation: { value: 2 } },
      { assessment_name: "x", source: { source_type: "HUMAN" }, feedback: { value: 1 }, overrides: "a-nope" },
    ]) {
      const answer = await postJson(server, base, { assessment });
      expect([400, 404], JSON.stringify(assessment)).toContain(answer.status);
    }
    const info = await server.fetch(`/api/3.0/mlflow/traces/${traceId}`).then((r) => r.json() as Promise<{ trace: { trace_info: { assessments: unknown[] } } }>);
    expect(info.trace.trace_info.assessments).toEqual([]);
    const created = await postJson(server, base, { assessment: { assessment_name: "ok", source: { source_type: "HUMAN" }, feedback: { value: 1 } } });
    const id = (created.body.assessment as { assessment_id: string }).assessment_id;
    for (const update_mask of ["valid", "assessment_name", "nope", 5, { paths: [1] }]) {
      const answer = await postJson(server, `${base}/${id}`, { assessment: { assessment_name: "y" }, update_mask }, "PATCH");
      expect(answer.status, JSON.stringify(update_mask)).toBe(400);
    }
  });

  it("OTLP bodies that are not OTLP, and oversized ones", async () => {
    const post = (body: BodyInit, headers: Record<string, string> = {}) =>
      server.fetch("/v1/traces", { method: "POST", headers: { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId, ...headers }, body });
    const garbage = [Buffer.from("not protobuf at all"), Buffer.alloc(64, 0xff), Buffer.from([0x0a, 0x05, 0x12, 0x03, 0x0a, 0x01])];
    for (const body of garbage) expect((await post(body)).status).toBeLessThan(500);
    expect((await post(Buffer.from("x"), { "content-encoding": "gzip" })).status).toBe(400);
    expect((await post(Buffer.from("x"), { "content-encoding": "br" })).status).toBe(415);
    expect((await post(Buffer.alloc(33 * 1024 * 1024))).status).toBe(413);
    const json = (o: unknown) => post(JSON.stringify(o), { "content-type": "application/json" });
    for (const body of [[], { resourceSpans: 5 }, { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "zz", spanId: "b7ad6b7169203331" }] }] }] }, { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad", startTimeUnixNano: "x" }] }] }] }]) {
      const answer = await json(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 200; i += 1) cur = (cur.kvlistValue = { values: [{ key: "k", value: {} }] }).values[0]!.value as Record<string, unknown>;
    const nested = await json({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "deep", startTimeUnixNano: "1", attributes: [{ key: "d", value: deep }] }] }] }] });
    expect(nested.status).toBeLessThan(500);
  });
});
