import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { context, trace, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { DIALECTS } from "./support/backends.js";
import { getJson, postJson, startTestServer, type TestServer } from "./support/test-server.js";

// Issue 20: MLflow's trace API v2 and v3, OTLP ingest from a real OpenTelemetry exporter, spans
// read back from the database or traces.json, searches, tags, assessments and deletes — on every
// dialect, over real HTTP.

/** A tracer whose spans a real OTLP/HTTP protobuf exporter sends to the server, span by span (as MLflow's client does). */
function tracerFor(server: TestServer, experimentId: string): { tracer: Tracer; provider: BasicTracerProvider } {
  const exporter = new OTLPTraceExporter({ url: `${server.url}/v1/traces`, headers: { "x-mlflow-experiment-id": experimentId } });
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer("mlflow-ts-test"), provider };
}

/** Python's way of setting span attributes: every value dumped as JSON text. */
const dumped = (attrs: Record<string, unknown>) => Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, JSON.stringify(v)]));

async function tracedCall(tracer: Tracer): Promise<string> {
  // Explicit times: the SDK's clock here ticks in milliseconds, and spans started in one tick tie.
  const t0 = Date.now();
  const root = tracer.startSpan("predict", { startTime: t0, attributes: dumped({ "mlflow.spanType": "CHAIN", "mlflow.spanInputs": { question: "What is MLflow?" } }) });
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan("retrieve", { startTime: t0 + 1, attributes: dumped({ "mlflow.spanType": "RETRIEVER", "mlflow.spanInputs": { q: "MLflow" }, "mlflow.spanOutputs": ["doc1", "doc2"] }) }, ctx);
  child.addEvent("cache-miss", { key: "MLflow" });
  child.end(t0 + 2);
  const llm = tracer.startSpan(
    "llm",
    { startTime: t0 + 3, attributes: { ...dumped({ "mlflow.spanType": "LLM" }), "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5, "input.value": "prompt text" } },
    ctx,
  );
  llm.setStatus({ code: SpanStatusCode.OK });
  llm.end(t0 + 4);
  root.setAttribute("mlflow.spanOutputs", JSON.stringify("MLflow is a platform"));
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(t0 + 5);
  return `tr-${root.spanContext().traceId}`;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`traces on ${dialect}`, () => {
    let server: TestServer;
    let experimentId: string;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
      experimentId = await server.client.createExperiment(`traces-${dialect}`);
    });
    afterAll(async () => server?.close());

    it("answers /version with the MLflow release it implements (≥ 3.4: 3.x clients send OTLP)", async () => {
      const res = await server.fetch("/version");
      expect(await res.text()).toBe("3.6.0");
      const info = await getJson(server, "/api/3.0/mlflow/server-info");
      expect(info.body.mlflow_ts_version).toBe("0.1.0");
    });

    it("stores spans a real OTLP exporter sends, derives the trace info, then merges StartTraceV3", async () => {
      const { tracer, provider } = tracerFor(server, experimentId);
      const traceId = await tracedCall(tracer);
      await provider.forceFlush();
      const info = await getJson(server, `/api/3.0/mlflow/traces/${traceId}`);
      expect(info.status).toBe(200);
      const ti = (info.body.trace as { trace_info: Record<string, unknown> }).trace_info;
      expect(ti).toMatchObject({ trace_id: traceId, state: "OK", request_preview: '{"question":"What is MLflow?"}', response_preview: '"MLflow is a platform"' });
      expect(ti.tags).toMatchObject({ "mlflow.trace.spansLocation": "TRACKING_STORE", "mlflow.artifactLocation": `mlflow-artifacts:/${experimentId}/traces/${traceId}/artifacts` });
      expect(JSON.parse((ti.trace_metadata as Record<string, string>)["mlflow.trace.tokenUsage"]!)).toEqual({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });

      // The client's StartTraceV3 when the root ends: merged into the row the spans made.
      const started = await postJson(server, "/api/3.0/mlflow/traces", {
        trace: {
          trace_info: {
            trace_id: traceId,
            trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
            request_time: "2025-11-03T10:15:30.123Z",
            execution_duration: "0.850s",
            state: "OK",
            trace_metadata: { "mlflow.trace_schema.version": "3", "mlflow.trace.sizeStats": JSON.stringify({ num_spans: 3 }) },
            tags: { "mlflow.traceName": "predict", env: "test" },
          },
        },
      });
      expect(started.status).toBe(200);
      const merged = (started.body.trace as { trace_info: Record<string, unknown> }).trace_info;
      expect(merged.tags).toMatchObject({ "mlflow.traceName": "predict", env: "test", "mlflow.trace.spansLocation": "TRACKING_STORE" });
      expect(merged.request_time).toBe("2025-11-03T10:15:30.123Z");

      const batch = await getJson(server, `/api/3.0/mlflow/traces/batchGet?trace_ids=${traceId}`);
      const [got] = batch.body.traces as { spans: Record<string, unknown>[] }[];
      expect(got!.spans.map((s) => s.name), JSON.stringify(got!.spans.map((s) => [s.name, s.start_time_unix_nano]))).toEqual(["predict", "retrieve", "llm"]);
      const retrieve = got!.spans[1]!;
      expect(retrieve.parent_span_id).toBe(got!.spans[0]!.span_id);
      expect(Buffer.from(retrieve.span_id as string, "base64")).toHaveLength(8);
      const attrs = Object.fromEntries((retrieve.attributes as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));
      expect(attrs["mlflow.spanType"]).toEqual({ string_value: "RETRIEVER" });
      expect(attrs["mlflow.spanInputs"]).toEqual({ kvlist_value: { values: [{ key: "q", value: { string_value: "MLflow" } }] } });
      // As MLflow: a list sent as JSON text is stored dumped once more, and read back as that text.
      expect(attrs["mlflow.spanOutputs"]).toEqual({ string_value: '["doc1","doc2"]' });
      expect(attrs["mlflow.traceRequestId"]).toEqual({ string_value: traceId });
      expect((retrieve.events as { name: string }[])[0]!.name).toBe("cache-miss");
      // Nanoseconds are exact (they exceed 2^53).
      expect(String(retrieve.start_time_unix_nano)).toMatch(/^\d{19}$/);
      // The LLM span's inputs came from OpenInference's input.value.
      const llm = Object.fromEntries((got!.spans[2]!.attributes as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));
      expect(llm["mlflow.spanInputs"]).toEqual({ string_value: "prompt text" });

      const artifact = await server.fetch(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`);
      expect(artifact.status).toBe(200);
      const file = (await artifact.json()) as { spans: { name: string }[] };
      expect(file.spans.map((s) => s.name)).toEqual(["predict", "retrieve", "llm"]);

      // MLflow's TypeScript SDK reads spans only from traces.json: served from the database where
      // no client uploaded one, attribute values decoded as that SDK writes them.
      const proxied = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/${traceId}/artifacts/traces.json`);
      expect(proxied.status).toBe(200);
      const synthesized = (await proxied.json()) as { spans: { name: string; attributes: Record<string, unknown> }[] };
      expect(synthesized.spans[1]!.attributes["mlflow.spanInputs"]).toEqual({ q: "MLflow" });
      expect((await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/tr-${"9".repeat(32)}/artifacts/traces.json`)).status).toBe(404);
    });

    it("accepts OTLP/JSON and gzip, and refuses bad OTLP input with MLflow's statuses", async () => {
      const hexTrace = "0af7651916cd43dd8448eb211c80319c";
      const body = {
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: hexTrace, spanId: "b7ad6b7169203331", name: "json-root", startTimeUnixNano: "1730000000123456789", endTimeUnixNano: "1730000000223456789", status: { code: 1 } }] }] }],
      };
      const gz = gzipSync(Buffer.from(JSON.stringify(body)));
      const ok = await server.fetch("/v1/traces", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip", "x-mlflow-experiment-id": experimentId }, body: gz });
      expect(ok.status).toBe(200);
      const info = await getJson(server, `/api/3.0/mlflow/traces/tr-${hexTrace}`);
      expect((info.body.trace as { trace_info: Record<string, unknown> }).trace_info).toMatchObject({ state: "OK", execution_duration: "0.100s", request_time: new Date(1730000000123).toISOString() });

      const post = (headers: Record<string, string>, data: BodyInit) => server.fetch("/v1/traces", { method: "POST", headers, body: data });
      expect((await post({ "content-type": "application/x-protobuf" }, new Uint8Array([1]))).status).toBe(422);
      const badType = await post({ "content-type": "text/plain", "x-mlflow-experiment-id": experimentId }, "x");
      expect(badType.status).toBe(400);
      expect(((await badType.json()) as { detail: string }).detail).toContain("Invalid Content-Type");
      expect((await post({ "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId }, new Uint8Array([0xff, 0xff, 0xff]))).status).toBe(400);
      expect((await post({ "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId }, new Uint8Array([]))).status).toBe(400);
      const unknown = await post({ "content-type": "application/json", "x-mlflow-experiment-id": "987654" }, JSON.stringify(body));
      expect(unknown.status).toBe(422);
      // The trace exists in this experiment: spans for it cannot be sent to another one.
      const other = await server.client.createExperiment(`other-${dialect}`);
      const moved = await post({ "content-type": "application/json", "x-mlflow-experiment-id": other }, JSON.stringify(body));
      expect(moved.status).toBe(422);
      expect(((await moved.json()) as { detail: string }).detail).toContain(`belongs to experiment ${experimentId}`);
    });

    it("serves the v2 API of 2.14–2.22 clients, spans in traces.json through the artifact proxy", async () => {
      const start = await postJson(server, "/api/2.0/mlflow/traces", {
        experiment_id: experimentId,
        timestamp_ms: 1730000000000,
        request_metadata: [{ key: "mlflow.trace_schema.version", value: "2" }],
        tags: [{ key: "mlflow.traceName", value: "v2-root" }],
      });
      expect(start.status).toBe(200);
      const info = start.body.trace_info as { request_id: string; status: string; tags: { key: string; value: string }[] };
      expect(info.request_id).toMatch(/^[0-9a-f]{32}$/);
      expect(info.status).toBe("IN_PROGRESS");
      const location = info.tags.find((t) => t.key === "mlflow.artifactLocation")!.value;
      expect(location).toBe(`mlflow-artifacts:/${experimentId}/traces/${info.request_id}/artifacts`);
      const v2File = {
        spans: [
          {
            name: "v2-root",
            context: { span_id: "0x1234567890abcdef", trace_id: "0x0af7651916cd43dd8448eb211c80319d" },
            parent_id: null,
            start_time: 1730000000000000000,
            end_time: 1730000000500000000,
            status_code: "OK",
            status_message: "",
            attributes: { "mlflow.traceRequestId": JSON.stringify(info.request_id), "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": '{"x": 1}' },
            events: [],
          },
        ],
        request: '{"x": 1}',
        response: "2",
      };
      const upload = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${location.replace("mlflow-artifacts:/", "")}/traces.json`, { method: "PUT", body: JSON.stringify(v2File) });
      expect(upload.status).toBe(200);
      const end = await postJson(server, `/api/2.0/mlflow/traces/${info.request_id}`, { timestamp_ms: 1730000000500, status: "OK", tags: [{ key: "k", value: "v" }] }, "PATCH");
      expect(end.body.trace_info).toMatchObject({ execution_time_ms: 500, status: "OK" });
      const got = await getJson(server, `/api/2.0/mlflow/traces/${info.request_id}/info`);
      expect(got.body.trace_info).toMatchObject({ request_id: info.request_id, status: "OK" });
      const search = await getJson(server, `/api/2.0/mlflow/traces?experiment_ids=${experimentId}&filter=${encodeURIComponent("tags.k = 'v'")}`);
      expect((search.body.traces as { request_id: string }[]).map((t) => t.request_id)).toEqual([info.request_id]);
      // The v3 reads find the spans in traces.json (MLflow 3.6 would answer 500 here).
      const batch = await getJson(server, `/api/3.0/mlflow/traces/batchGet?trace_ids=${info.request_id}`);
      const spans = (batch.body.traces as { spans: Record<string, unknown>[] }[])[0]!.spans;
      expect(spans[0]).toMatchObject({ name: "v2-root", span_id: Buffer.from("1234567890abcdef", "hex").toString("base64"), status: { code: "STATUS_CODE_OK" } });
      const artifact = await server.fetch(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${info.request_id}`);
      expect(((await artifact.json()) as typeof v2File).request).toBe('{"x": 1}');
    });

    it("keeps spansLocation off a trace whose spans did not come over OTLP (MLflow's TypeScript SDK), so the client uploads traces.json", async () => {
      const traceId = "tr-11111111111111111111111111111111";
      const started = await postJson(server, "/api/3.0/mlflow/traces", {
        trace: { trace_info: { trace_id: traceId, trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }, request_time: new Date().toISOString(), execution_duration: "0.010s", state: "OK", trace_metadata: {}, tags: {} } },
      });
      const tags = (started.body.trace as { trace_info: { tags: Record<string, string> } }).trace_info.tags;
      expect(tags["mlflow.trace.spansLocation"]).toBeUndefined();
      expect((await getJson(server, `/api/3.0/mlflow/traces/batchGet?trace_ids=${traceId}`)).body.traces).toEqual([]);
      const tsFile = { spans: [{ trace_id: "EREREREREREREREREREREQ==", span_id: "AAAAAAAAAAE=", parent_span_id: "", name: "ts-root", start_time_unix_nano: 1730000000000000000, end_time_unix_nano: 1730000000010000000, attributes: { "mlflow.spanType": "LLM", "mlflow.traceRequestId": traceId, "mlflow.spanInputs": { a: 1 } }, events: [], status: { code: "STATUS_CODE_OK" } }] };
      await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/${traceId}/artifacts/traces.json`, { method: "PUT", body: JSON.stringify(tsFile) });
      const [got] = (await getJson(server, `/api/3.0/mlflow/traces/batchGet?trace_ids=${traceId}`)).body.traces as { spans: Record<string, unknown>[] }[];
      const attrs = Object.fromEntries((got!.spans[0]!.attributes as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));
      expect(attrs["mlflow.spanType"]).toEqual({ string_value: "LLM" });
      expect(attrs["mlflow.spanInputs"]).toEqual({ kvlist_value: { values: [{ key: "a", value: { int_value: 1 } }] } });
      expect(got!.spans[0]!.parent_span_id).toBeUndefined();
    });

    it("searches with MLflow's grammar, pages, tags, assessments and deletes", async () => {
      const exp = await server.client.createExperiment(`search-${dialect}`);
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const id = `tr-${String(i).padStart(32, "a")}`;
        ids.push(id);
        await postJson(server, "/api/3.0/mlflow/traces", {
          trace: {
            trace_info: {
              trace_id: id,
              trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } },
              request_time: new Date(1730000000000 + i * 1000).toISOString(),
              execution_duration: `${i}.000s`,
              state: i === 4 ? "ERROR" : "OK",
              trace_metadata: { "mlflow.sourceRun": i % 2 === 0 ? "run-even" : "run-odd" },
              tags: { "mlflow.traceName": `t${i}`, parity: i % 2 === 0 ? "even" : "odd" },
            },
          },
        });
      }
      const search = async (body: Record<string, unknown>) => postJson(server, "/api/3.0/mlflow/traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }], ...body });
      const names = (r: { body: Record<string, unknown> }) => ((r.body.traces ?? []) as { tags: Record<string, string> }[]).map((t) => t.tags["mlflow.traceName"]);
      expect(names(await search({}))).toEqual(["t4", "t3", "t2", "t1", "t0"]);
      expect(names(await search({ filter: "tags.parity = 'even' AND trace.status = 'OK'" }))).toEqual(["t2", "t0"]);
      expect(names(await search({ filter: "trace.execution_time_ms > 2000" }))).toEqual(["t4", "t3"]);
      expect(names(await search({ filter: "name = 't1'" }))).toEqual(["t1"]);
      expect(names(await search({ filter: "metadata.mlflow.sourceRun = 'run-odd'" }))).toEqual(["t3", "t1"]);
      expect(names(await search({ filter: "trace.status IN ('ERROR')" }))).toEqual(["t4"]);
      expect(names(await search({ filter: "tags.mlflow.traceName RLIKE '^t[12]$'" }))).toEqual(["t2", "t1"]);
      expect(names(await search({ filter: "tags.parity ILIKE 'EV%'", order_by: ["timestamp_ms ASC"] }))).toEqual(["t0", "t2", "t4"]);
      expect(names(await search({ order_by: ["tag.mlflow.traceName ASC"] }))).toEqual(["t0", "t1", "t2", "t3", "t4"]);
      const page1 = await search({ max_results: 2 });
      expect(names(page1)).toEqual(["t4", "t3"]);
      expect(names(await search({ max_results: 2, page_token: page1.body.next_page_token }))).toEqual(["t2", "t1"]);
      for (const [filter, fragment] of [
        ["tags.x = 'a' OR tags.y = 'b'", "AND"],
        ["trace.nope = 'x'", "Invalid attribute key"],
        ["trace.timestamp_ms > 'abc'", "numeric"],
        ["tags.x RLIKE '(a+)+'", "nested quantifiers"],
      ] as const) {
        const bad = await search({ filter });
        expect(bad.status, filter).toBe(400);
        expect(String(bad.body.message), filter).toContain(fragment);
      }
      expect((await search({ max_results: 501 })).status).toBe(400);
      const correlation = await postJson(server, "/api/3.0/mlflow/traces/calculate-filter-correlation", { experiment_ids: [exp], filter_string1: "tags.parity = 'even'", filter_string2: "trace.status = 'OK'" });
      expect(correlation.body).toMatchObject({ filter1_count: 3, filter2_count: 4, joint_count: 2, total_count: 5 });
      // MLflow's NPMI of that table: n11=2, n10=1, n01=2, n00=0.
      expect(correlation.body.npmi as number).toBeCloseTo((Math.log(2) + Math.log(5) - Math.log(3) - Math.log(4)) / -(Math.log(2) - Math.log(5)), 10);
      const none = await postJson(server, "/api/3.0/mlflow/traces/calculate-filter-correlation", { experiment_ids: [exp], filter_string1: "tags.parity = 'none'", filter_string2: "trace.status = 'OK'" });
      expect(none.body).toMatchObject({ npmi: "NaN", filter1_count: 0 });
      expect((await search({ order_by: ["timestamp_ms", "timestamp_ms DESC"] })).status).toBe(400);

      // Tags.
      expect((await postJson(server, `/api/2.0/mlflow/traces/${ids[0]}/tags`, { key: "reviewed", value: "yes" }, "PATCH")).status).toBe(200);
      expect(names(await search({ filter: "tags.reviewed = 'yes'" }))).toEqual(["t0"]);
      expect((await postJson(server, `/api/2.0/mlflow/traces/${ids[0]}/tags`, { key: "bad key!", value: "x" }, "PATCH")).status).toBe(400);
      expect((await server.fetch(`/ajax-api/3.0/mlflow/traces/${ids[0]}/tags?key=reviewed`, { method: "DELETE" })).status).toBe(200);
      const missingTag = await postJson(server, `/api/2.0/mlflow/traces/${ids[0]}/tags`, { key: "reviewed" }, "DELETE");
      expect(missingTag.status).toBe(404);
      expect((await postJson(server, `/api/2.0/mlflow/traces/tr-nope/tags`, { key: "a", value: "b" }, "PATCH")).status).toBe(404);

      // Assessments: feedback, expectation, override, update, delete.
      const base = `/api/3.0/mlflow/traces/${ids[1]}/assessments`;
      const fb = await postJson(server, base, { assessment: { assessment_name: "correct", trace_id: "ignored", source: { source_type: "HUMAN", source_id: "alice" }, feedback: { value: true }, rationale: "looks right" } });
      expect(fb.status).toBe(200);
      const feedback = fb.body.assessment as Record<string, unknown>;
      expect(feedback).toMatchObject({ assessment_name: "correct", trace_id: ids[1], source: { source_type: "HUMAN", source_id: "alice" }, feedback: { value: true }, rationale: "looks right", valid: true });
      expect(feedback.assessment_id).toMatch(/^a-[0-9a-f]{32}$/);
      const ex = await postJson(server, base, { assessment: { assessment_name: "expected", source: { source_type: "HUMAN" }, expectation: { value: { answer: 42 } } } });
      expect((ex.body.assessment as Record<string, unknown>).expectation).toEqual({ serialized_value: { serialization_format: "JSON_FORMAT", value: '{"answer":42}' } });
      const override = await postJson(server, base, { assessment: { assessment_name: "correct", source: { source_type: "LLM_JUDGE" }, feedback: { value: false }, overrides: feedback.assessment_id } });
      expect(override.status).toBe(200);
      const withAssessments = await getJson(server, `/api/3.0/mlflow/traces/${ids[1]}`);
      const list = (withAssessments.body.trace as { trace_info: { assessments: { assessment_id: string; valid: boolean }[] } }).trace_info.assessments;
      expect(list).toHaveLength(3);
      expect(list.find((a) => a.assessment_id === feedback.assessment_id)!.valid).toBe(false);
      expect(names(await search({ filter: "feedback.correct = 'false'" }))).toEqual(["t1"]);
      const updated = await postJson(server, `${base}/${feedback.assessment_id}`, { assessment: { assessment_name: "correctness", feedback: { value: 0.5 }, rationale: "partly" }, update_mask: "assessmentName,feedback,rationale" }, "PATCH");
      expect(updated.body.assessment).toMatchObject({ assessment_name: "correctness", feedback: { value: 0.5 }, rationale: "partly", valid: false });
      const wrongKind = await postJson(server, `${base}/${feedback.assessment_id}`, { assessment: { expectation: { value: 1 } }, update_mask: "expectation" }, "PATCH");
      expect(wrongKind.status).toBe(400);
      expect((await postJson(server, base, { assessment: { assessment_name: "x", source: { source_type: "HUMAN" } } })).status).toBe(400);
      expect((await postJson(server, base, { assessment: { assessment_name: "x", source: { source_type: "HUMAN" }, feedback: {} } })).status).toBe(400);
      expect((await postJson(server, `${base}/${(override.body.assessment as { assessment_id: string }).assessment_id}`, {}, "DELETE")).status).toBe(200);
      const restored = await getJson(server, `${base}/${feedback.assessment_id}`);
      expect((restored.body.assessment as { valid: boolean }).valid).toBe(true);
      expect((await postJson(server, `${base}/a-missing`, {}, "DELETE")).status).toBe(200);
      expect((await getJson(server, `${base}/a-missing`)).status).toBe(404);
      expect((await getJson(server, `/api/3.0/mlflow/traces/tr-nope/assessments/a-1`)).status).toBe(404);

      // Links to a run make `run_id = …` match.
      const run = await server.client.createRun(exp);
      expect((await postJson(server, "/api/2.0/mlflow/traces/link-to-run", { trace_ids: [ids[3]], run_id: run.info.run_id })).status).toBe(200);
      expect(names(await search({ filter: `run_id = '${run.info.run_id}'` }))).toEqual(["t3"]);
      expect((await postJson(server, "/api/2.0/mlflow/traces/link-to-run", { trace_ids: [ids[3]], run_id: "f".repeat(32) })).status).toBe(404);

      // Deletes: validation, by IDs (only in the experiment named), by age.
      const del = (body: Record<string, unknown>) => postJson(server, "/api/2.0/mlflow/traces/delete-traces", { experiment_id: exp, ...body });
      expect((await del({})).status).toBe(400);
      expect((await del({ max_timestamp_millis: 1, request_ids: [ids[0]] })).status).toBe(400);
      expect((await del({ max_timestamp_millis: 1, max_traces: 0 })).status).toBe(400);
      expect((await postJson(server, "/api/2.0/mlflow/traces/delete-traces", { experiment_id: experimentId, request_ids: [ids[0]] })).body.traces_deleted).toBe(0);
      expect((await del({ request_ids: [ids[0], "tr-unknown"] })).body.traces_deleted).toBe(1);
      expect((await getJson(server, `/api/3.0/mlflow/traces/${ids[0]}`)).status).toBe(404);
      // MLflow deletes every trace for max_timestamp_millis 0; here it means "at or before the epoch".
      expect((await del({ max_timestamp_millis: 0 })).body.traces_deleted).toBe(0);
      expect((await del({ max_timestamp_millis: 1730000002000, max_traces: 1 })).body.traces_deleted).toBe(1);
      expect(names(await search({}))).toEqual(["t4", "t3", "t2"]);
      expect((await postJson(server, "/api/3.0/mlflow/traces/delete-traces", { experiment_id: exp, max_timestamp_millis: 1830000000000 })).body.traces_deleted).toBe(3);
      expect((await getJson(server, `${base}/${feedback.assessment_id}`)).status).toBe(404);
    });

    it("refuses bad StartTrace input with 400/404 and changes nothing", async () => {
      const start = (trace_info: Record<string, unknown>) => postJson(server, "/api/3.0/mlflow/traces", { trace: { trace_info } });
      const loc = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } };
      expect((await postJson(server, "/api/3.0/mlflow/traces", {})).status).toBe(400);
      expect((await start({ trace_location: loc })).status).toBe(400);
      expect((await start({ trace_id: "x".repeat(51), trace_location: loc })).status).toBe(400);
      expect((await start({ trace_id: "tr-x", trace_location: loc, request_time: "yesterday" })).status).toBe(400);
      expect((await start({ trace_id: "tr-x", trace_location: loc, state: "DONE" })).status).toBe(400);
      expect((await start({ trace_id: "tr-x", trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "424242" } } })).status).toBe(404);
      expect((await start({ trace_id: "tr-x", trace_location: loc, tags: { k: 5 } })).status).toBe(400);
      expect((await getJson(server, "/api/3.0/mlflow/traces/tr-x")).status).toBe(404);
      expect((await postJson(server, "/api/2.0/mlflow/traces", { experiment_id: "424242" })).status).toBe(404);
      expect((await postJson(server, "/api/2.0/mlflow/traces/nope", { timestamp_ms: 1, status: "OK" }, "PATCH")).status).toBe(404);
      expect((await postJson(server, "/api/2.0/mlflow/traces/nope", { timestamp_ms: 1, status: "FINE" }, "PATCH")).status).toBe(400);
      expect((await getJson(server, "/api/3.0/mlflow/traces/get?trace_id=tr-nope")).status).toBe(404);
    });
  });
}
