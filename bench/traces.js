// GenAI traces (issue #20): OTLP span ingest, trace search over 100,000 traces, a 1,000-span trace.
// Baseline for ingest: MLflow's own server (MLFLOW_TS_BENCH_PYTHON_MLFLOW, a 3.4+ build with its
// FastAPI app, which serves /v1/traces), same machine, same run, same requests; the search and
// fetch targets are absolute (issue #20).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import SQLite from "better-sqlite3";
import { createDatabase, SqlTrackingStore } from "@mlflow-ts/store";
import { EXPORT_TRACE_REQUEST } from "../packages/server/dist/otlp/otlp-schema.js";
import { CLIENT_CPUS, SERVER_CPUS, percentile, pin, report, startPythonMlflow, startServer, timeSequential } from "./lib.js";

const TRACES = 100_000;
const SPANS_PER_REQUEST = 10;
const hex = (n, width) => n.toString(16).padStart(width, "0");

/** One OTLP protobuf request: the 10 spans of trace number `t` (a root and 9 children). */
function otlpBody(t, spans = SPANS_PER_REQUEST, firstSpan = 0) {
  const traceId = Buffer.from(hex(t + 1, 32), "hex");
  const start = 1_730_000_000_000_000_000n + BigInt(t) * 1_000_000n;
  const list = [];
  for (let s = firstSpan; s < firstSpan + spans; s += 1) {
    list.push({
      traceId,
      spanId: Buffer.from(hex(s + 1, 16), "hex"),
      parentSpanId: s === 0 ? undefined : Buffer.from(hex(1, 16), "hex"),
      name: s === 0 ? "agent" : `tool-${s}`,
      startTimeUnixNano: (start + BigInt(s) * 1000n).toString(),
      endTimeUnixNano: (start + BigInt(s) * 1000n + 500_000n).toString(),
      status: { code: 1 },
      attributes: [
        { key: "mlflow.spanType", value: { stringValue: s === 0 ? '"AGENT"' : '"TOOL"' } },
        { key: "mlflow.spanInputs", value: { stringValue: JSON.stringify({ query: `question ${t}`, step: s }) } },
        { key: "mlflow.spanOutputs", value: { stringValue: JSON.stringify({ answer: `answer ${t}.${s}`, tokens: [1, 2, 3] }) } },
      ],
    });
  }
  return Buffer.from(EXPORT_TRACE_REQUEST.encode(EXPORT_TRACE_REQUEST.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: list }] }] })).finish());
}

/** OTLP ingest at 16 connections: spans/s, each request a new trace's 10 spans. */
function ingest(url, experimentId, offset) {
  const bodies = Array.from({ length: 4000 }, (_, i) => otlpBody(offset + i));
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: 16,
        duration: 6,
        requests: [
          {
            method: "POST",
            path: "/v1/traces",
            headers: { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId },
            setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on("error", reject);
  });
}

async function createExperiment(url, name) {
  const r = await fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  return (await r.json()).experiment_id;
}

/** 100,000 traces as MLflow's tables hold them (a tenth tagged env=prod), written straight into SQLite. */
async function seed(file) {
  const database = await createDatabase(`sqlite:///${file}`);
  await SqlTrackingStore.open(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
  await database.close();
  const db = new SQLite(file);
  db.prepare("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (1, 'traces', 'mlflow-artifacts:/1', 'active', 0, 0)").run();
  const info = db.prepare("INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, request_preview, response_preview) VALUES (?, 1, ?, ?, 'OK', ?, ?)");
  const tag = db.prepare("INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)");
  const meta = db.prepare("INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < TRACES; i += 1) {
      const id = `tr-${hex(i + 1_000_000, 32)}`;
      info.run(id, 1_730_000_000_000 + i * 10, 100 + (i % 900), `question ${i}`, `answer ${i}`);
      tag.run("mlflow.traceName", "agent", id);
      tag.run("env", i % 10 === 0 ? "prod" : "dev", id);
      tag.run("mlflow.artifactLocation", `mlflow-artifacts:/1/traces/${id}/artifacts`, id);
      meta.run("mlflow.trace_schema.version", "3", id);
      meta.run("mlflow.sourceRun", hex(i % 50, 32), id);
    }
  })();
  db.close();
}

export async function benchTraces() {
  console.log("\n# GenAI traces (issue #20)  baseline for ingest: MLflow's own server (MLFLOW_TS_BENCH_PYTHON_MLFLOW), same run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-traces-"));
  const file = path.join(dir, "mlflow.db");
  const seeded = Date.now();
  await seed(file);
  console.log(`  (seeded ${TRACES} traces in ${((Date.now() - seeded) / 1000).toFixed(1)} s)`);
  const server = await startServer(["--backend-store-uri", `sqlite:///${file}`], { cwd: dir });
  try {
    const url = server.url;
    const search = (pageToken) =>
      fetch(`${url}/api/3.0/mlflow/traces/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } }], filter: "tags.env = 'prod'", max_results: 500, ...(pageToken ? { page_token: pageToken } : {}) }),
      }).then((r) => r.json());
    // 1,000 traces: two pages of MLflow's largest page (500).
    const thousand = async () => {
      const first = await search();
      const second = await search(first.next_page_token);
      if (first.traces.length + second.traces.length !== 1000) throw new Error(`search returned ${first.traces.length + second.traces.length} traces`);
    };
    await thousand();
    const times = await timeSequential(20, thousand);
    report("traces/search: 1,000 of 100,000 traces, tag filter, p50", percentile(times, 50), "ms", ["<=", 100], "SQLite; two pages of 500");

    // A 1,000-span trace, sent as 100 OTLP requests of 10 spans, then fetched.
    const big = await createExperiment(url, "big-trace");
    for (let r = 0; r < 100; r += 1) {
      const response = await fetch(`${url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": big }, body: otlpBody(9_999_999, 10, r * 10) });
      if (!response.ok) throw new Error(`OTLP: ${response.status} ${await response.text()}`);
    }
    const bigId = `tr-${hex(10_000_000, 32)}`;
    const fetchBig = async () => {
      const json = await fetch(`${url}/api/3.0/mlflow/traces/batchGet?trace_ids=${bigId}`).then((r) => r.json());
      if (json.traces[0].spans.length !== 1000) throw new Error(`got ${json.traces[0].spans.length} spans`);
    };
    await fetchBig();
    const fetchTimes = await timeSequential(20, fetchBig);
    report("1,000-span trace fetched (batchGet), p50", percentile(fetchTimes, 50), "ms", ["<=", 50]);
  } finally {
    await server.stop();
  }

  // Ingest: a fresh database each, this server and MLflow's, pinned apart from the load generator.
  const ours = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "ingest.db")}`], { cwd: dir });
  let oursRate;
  try {
    pin(ours.child.pid, SERVER_CPUS);
    pin(process.pid, CLIENT_CPUS);
    const experiment = await createExperiment(ours.url, "ingest");
    await ingest(ours.url, experiment, 0);
    const result = await ingest(ours.url, experiment, 100_000);
    if (result.non2xx > 0) throw new Error(`ingest: ${result.non2xx} non-2xx answers`);
    oursRate = result.requests.average * SPANS_PER_REQUEST;
  } finally {
    await ours.stop();
  }
  const python = await startPythonMlflow(`sqlite:///${path.join(dir, "python-ingest.db")}`, { cwd: dir });
  if (!python) {
    report("OTLP ingest, 16 connections, 10 spans a request", oursRate, "span/s", undefined, "MLflow's server not available (set MLFLOW_TS_BENCH_PYTHON_MLFLOW): no ratio");
    return;
  }
  try {
    pin(python.child.pid, SERVER_CPUS);
    const experiment = await createExperiment(python.url, "ingest");
    await ingest(python.url, experiment, 0);
    const result = await ingest(python.url, experiment, 100_000);
    const theirs = (result.requests.average * SPANS_PER_REQUEST) || 1e-9;
    report("OTLP ingest, 16 connections, 10 spans a request", oursRate, "span/s", undefined, `MLflow: ${theirs.toFixed(0)} span/s (${result.non2xx} non-2xx)`);
    report("OTLP ingest: ratio to MLflow's server", oursRate / theirs, "x", [">=", 10]);
  } finally {
    await python.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTraces();
