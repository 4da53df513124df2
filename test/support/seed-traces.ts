import { context, trace, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";

/** What {@link seedTraces} made, for the tests to find it. */
export interface SeededTraces {
  /** Traces with spans sent over OTLP, newest first; their `env` tag alternates prod, dev. */
  readonly chatIds: string[];
  /** The one chat trace whose tool span failed (state ERROR). */
  readonly failedId: string;
  /** A 1,000-span trace over OTLP. */
  readonly bigId: string;
  /** A trace as MLflow's TypeScript SDK logs it: StartTraceV3, spans only in traces.json. */
  readonly tsSdkId: string;
  /** A trace as MLflow 2.x logs it: StartTrace v2, a v2 traces.json, EndTrace. */
  readonly v2Id: string;
  /** Span-less traces (StartTraceV3 only), older than the rest, to page through. */
  readonly bulkIds: string[];
}

const T0 = Date.UTC(2025, 10, 3, 9, 0, 0);

/** Python's way of setting span attributes: every value dumped as JSON text. */
const dumped = (attrs: Record<string, unknown>) => Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, JSON.stringify(v)]));

async function call(url: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method, headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** StartTraceV3 as MLflow's Python client sends it when a root span ends. */
function startTraceV3(url: string, experimentId: string, info: { traceId: string; time: number; durationMs: number; state: string; name: string; tags?: Record<string, string>; request?: string; response?: string }) {
  return call(url, "POST", "/api/3.0/mlflow/traces", {
    trace: {
      trace_info: {
        trace_id: info.traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
        request_time: new Date(info.time).toISOString(),
        execution_duration: `${info.durationMs / 1000}s`,
        state: info.state,
        request_preview: info.request,
        response_preview: info.response,
        trace_metadata: { "mlflow.trace_schema.version": "3" },
        tags: { "mlflow.traceName": info.name, ...info.tags },
      },
    },
  });
}

/** One question answered by retrieval and a chat model; `fail` makes its tool call raise. */
function chat(tracer: Tracer, start: number, question: string, fail: boolean): { traceId: string; answer: string } {
  const answer = fail ? "" : `Answer to: ${question}`;
  const root = tracer.startSpan("chat", { startTime: start, attributes: dumped({ "mlflow.spanType": "CHAIN", "mlflow.spanInputs": { question } }) });
  const ctx = trace.setSpan(context.active(), root);
  const child = (name: string, type: string, at: number, ms: number, inputs: unknown, outputs?: unknown, then?: (s: Span) => void) => {
    const s = tracer.startSpan(name, { startTime: start + at, attributes: dumped({ "mlflow.spanType": type, "mlflow.spanInputs": inputs, ...(outputs === undefined ? {} : { "mlflow.spanOutputs": outputs }) }) }, ctx);
    then?.(s);
    s.end(start + at + ms);
  };
  child("retrieve", "RETRIEVER", 5, 40, { query: question }, [{ id: "doc-1", text: "MLflow tracks experiments." }, { id: "doc-2", text: "Traces record spans." }]);
  if (fail) {
    child("lookup_weather", "TOOL", 50, 20, { city: "Paris" }, undefined, (s) => {
      s.recordException({ name: "TimeoutError", message: "weather service timed out" }, start + 60);
      s.setStatus({ code: SpanStatusCode.ERROR, message: "weather service timed out" });
    });
  } else {
    child("llm", "CHAT_MODEL", 50, 180, { messages: [{ role: "user", content: question }] }, { choices: [{ message: { role: "assistant", content: answer } }] });
  }
  if (!fail) root.setAttribute("mlflow.spanOutputs", JSON.stringify(answer));
  root.setStatus({ code: fail ? SpanStatusCode.ERROR : SpanStatusCode.OK });
  root.end(start + 240);
  return { traceId: `tr-${root.spanContext().traceId}`, answer };
}

/** An agent run with 1,000 spans: 27 steps of 36 calls each under one root. */
function bigAgent(tracer: Tracer, start: number): string {
  const root = tracer.startSpan("agent", { startTime: start, attributes: dumped({ "mlflow.spanType": "AGENT", "mlflow.spanInputs": { task: "plan a trip" } }) });
  const rootCtx = trace.setSpan(context.active(), root);
  for (let i = 0; i < 27; i += 1) {
    const stepStart = start + 1 + i * 37;
    const step = tracer.startSpan(`step-${i}`, { startTime: stepStart, attributes: dumped({ "mlflow.spanType": "CHAIN", "mlflow.spanInputs": { step: i } }) }, rootCtx);
    const stepCtx = trace.setSpan(context.active(), step);
    for (let j = 0; j < 36; j += 1) {
      const type = ["LLM", "TOOL", "RETRIEVER"][j % 3]!;
      const leaf = tracer.startSpan(`${type.toLowerCase()}-${i}-${j}`, { startTime: stepStart + j, attributes: dumped({ "mlflow.spanType": type, "mlflow.spanInputs": { i, j }, "mlflow.spanOutputs": `out ${i}.${j}` }) }, stepCtx);
      leaf.end(stepStart + j + 0.8);
    }
    step.end(stepStart + 36.5);
  }
  root.end(start + 1 + 27 * 37);
  return `tr-${root.spanContext().traceId}`;
}

/**
 * A GenAI experiment's traces, logged the ways real clients log them: chat traces whose spans a
 * real OpenTelemetry OTLP/protobuf exporter sends before StartTraceV3 (MLflow 3's Python client), a
 * 1,000-span agent trace, a TypeScript-SDK trace (spans in traces.json), a 2.x trace (v2 API and
 * v2 traces.json), and `bulk` span-less traces to page through.
 *
 * @example
 * const seeded = await seedTraces(server.url, experimentId, { chats: 6, bulk: 240 });
 */
export async function seedTraces(url: string, experimentId: string, options: { chats: number; bulk: number }): Promise<SeededTraces> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { "x-mlflow-experiment-id": experimentId } });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 1000, maxQueueSize: 4000, scheduledDelayMillis: 20 })] });
  const tracer = provider.getTracer("mlflow-ts-ui-test");
  const chats: { traceId: string; time: number; question: string; answer: string; fail: boolean }[] = [];
  for (let i = 0; i < options.chats; i += 1) {
    const time = T0 + (options.chats - i) * 60_000;
    const question = `What does MLflow trace #${i}?`;
    const fail = i === 3;
    chats.push({ ...chat(tracer, time, question, fail), time, question, fail });
  }
  const bigTime = T0 - 60_000;
  const bigId = bigAgent(tracer, bigTime);
  await provider.forceFlush();
  await provider.shutdown();
  for (const [i, c] of chats.entries()) {
    await startTraceV3(url, experimentId, { traceId: c.traceId, time: c.time, durationMs: 240, state: c.fail ? "ERROR" : "OK", name: "chat", tags: { env: i % 2 ? "dev" : "prod" }, request: JSON.stringify({ question: c.question }), response: c.fail ? "" : JSON.stringify(c.answer) });
  }
  await startTraceV3(url, experimentId, { traceId: bigId, time: bigTime, durationMs: 1 + 27 * 37, state: "OK", name: "agent", request: '{"task":"plan a trip"}' });

  // MLflow's TypeScript SDK: StartTraceV3, then traces.json with decoded attribute values.
  const tsSdkId = "tr-5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d";
  const tsTime = T0 - 120_000;
  await call(url, "POST", "/api/3.0/mlflow/traces", { trace: { trace_info: { trace_id: tsSdkId, trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }, request_time: new Date(tsTime).toISOString(), execution_duration: "0.030s", state: "OK", request_preview: '{"city":"Oslo"}', trace_metadata: { "mlflow.trace_schema.version": "3" }, tags: {} } } });
  const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
  const ns = (ms: number) => BigInt(tsTime + ms) * 1_000_000n;
  // json-bigint's output: ns as bare integers beyond 2^53.
  const tsFile = `{"spans":[${[
    `{"trace_id":"${b64("5d".repeat(16))}","span_id":"${b64("00000000000000a1")}","parent_span_id":"","name":"ts-weather","start_time_unix_nano":${ns(0)},"end_time_unix_nano":${ns(30)},"attributes":{"mlflow.traceRequestId":"${tsSdkId}","mlflow.spanType":"AGENT","mlflow.spanInputs":{"city":"Oslo"},"mlflow.spanOutputs":{"forecast":"snow"}},"events":[],"status":{"code":"STATUS_CODE_OK"}}`,
    `{"trace_id":"${b64("5d".repeat(16))}","span_id":"${b64("00000000000000a2")}","parent_span_id":"${b64("00000000000000a1")}","name":"ts-fetch","start_time_unix_nano":${ns(5)},"end_time_unix_nano":${ns(25)},"attributes":{"mlflow.traceRequestId":"${tsSdkId}","mlflow.spanType":"TOOL","mlflow.spanInputs":{"url":"https://weather.example/oslo"}},"events":[],"status":{"code":"STATUS_CODE_OK"}}`,
  ].join(",")}]}`;
  await call(url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/${tsSdkId}/artifacts/traces.json`, tsFile);

  // MLflow 2.x: StartTrace v2 (the server names the trace), traces.json v2, EndTrace.
  const v2Time = T0 - 180_000;
  const started = (await call(url, "POST", "/api/2.0/mlflow/traces", { experiment_id: experimentId, timestamp_ms: v2Time, request_metadata: [{ key: "mlflow.trace_schema.version", value: "2" }], tags: [{ key: "mlflow.traceName", value: "v2-predict" }] })).trace_info as { request_id: string };
  const v2Id = started.request_id;
  const v2File = {
    spans: [
      { name: "v2-predict", context: { span_id: "0x00000000000000b1", trace_id: `0x${"b".repeat(32)}` }, parent_id: null, start_time: v2Time * 1e6, end_time: (v2Time + 50) * 1e6, status_code: "OK", status_message: "", attributes: { "mlflow.traceRequestId": JSON.stringify(v2Id), "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": '{"x": 2}', "mlflow.spanOutputs": "4" }, events: [] },
    ],
    request: '{"x": 2}',
    response: "4",
  };
  await call(url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/${v2Id}/artifacts/traces.json`, JSON.stringify(v2File));
  await call(url, "PATCH", `/api/2.0/mlflow/traces/${v2Id}`, { timestamp_ms: v2Time + 50, status: "OK", request_metadata: [{ key: "mlflow.traceInputs", value: '{"x": 2}' }], tags: [] });

  // Span-less traces, older than everything else, a few at a time.
  const bulkIds = Array.from({ length: options.bulk }, (_, i) => `tr-${(0xb000 + i).toString(16).padStart(32, "0")}`);
  for (let i = 0; i < bulkIds.length; i += 8) {
    await Promise.all(
      bulkIds.slice(i, i + 8).map((traceId, k) => startTraceV3(url, experimentId, { traceId, time: T0 - 3_600_000 - (i + k) * 1000, durationMs: 10 + ((i + k) % 50), state: "OK", name: "bulk", tags: { env: "bulk" }, request: `{"n":${i + k}}`, response: `"ok ${i + k}"` })),
    );
  }
  return { chatIds: chats.map((c) => c.traceId), failedId: chats.find((c) => c.fail)!.traceId, bigId, tsSdkId, v2Id, bulkIds };
}
