// Tracking-server benchmark (issue #2): log-metric throughput, log-batch and search-runs latency,
// the server's peak RSS; against a do-nothing Node http server measured in the same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createDatabase, SqlTrackingStore, withTransaction } from "@mlflow-ts/store";
import { MlflowClient } from "@mlflow-ts/client";
import { load, peakRssMb, percentile, postJson, report, startBareServer, startServer, timeSequential } from "./lib.js";

const SEARCH_RUNS = 20_000;

/** Writes 20,000 runs with metrics, params and tags straight into the database the server uses. */
async function seedRuns(uri, experimentId) {
  const database = await createDatabase(uri);
  const store = new SqlTrackingStore(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
  await store.migrate();
  const rows = { runs: [], tags: [], params: [], latest_metrics: [], metrics: [] };
  for (let i = 0; i < SEARCH_RUNS; i += 1) {
    const id = randomUUID().replace(/-/g, "");
    rows.runs.push({ run_uuid: id, name: `run-${i}`, experiment_id: Number(experimentId), user_id: "bench", status: "FINISHED", start_time: 1_700_000_000_000 + i, end_time: 1_700_000_100_000 + i, deleted_time: null, lifecycle_stage: "active", artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts` });
    rows.tags.push({ run_uuid: id, key: "mlflow.runName", value: `run-${i}` }, { run_uuid: id, key: "mlflow.user", value: "bench" }, { run_uuid: id, key: "team", value: i % 3 ? "vision" : "nlp" });
    rows.params.push({ run_uuid: id, key: "lr", value: String((i % 10) / 100) }, { run_uuid: id, key: "optimizer", value: i % 2 ? "adam" : "sgd" }, { run_uuid: id, key: "epochs", value: "10" });
    for (const [key, value] of [["acc", (i * 7919) % 20000 / 20000], ["loss", 1 - ((i * 7919) % 20000) / 20000], ["f1", (i % 100) / 100]]) {
      const metric = { run_uuid: id, key, value, timestamp: 1_700_000_000_000 + i, step: 10, is_nan: 0 };
      rows.latest_metrics.push(metric);
      rows.metrics.push(metric);
    }
  }
  await withTransaction(database, async (trx) => {
    for (const [table, list] of Object.entries(rows)) {
      for (let i = 0; i < list.length; i += 500) await trx.insertInto(table).values(list.slice(i, i + 500)).execute();
    }
  });
  await database.close();
}

export async function benchTracking() {
  console.log("\n# tracking (issue #2)  figures: this run; baseline: a do-nothing Node http server, same run, same machine");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-"));
  const uri = `sqlite:///${path.join(dir, "bench.db")}`;
  const server = await startServer(["--backend-store-uri", uri], { cwd: dir });
  const client = new MlflowClient(server.url);
  const bare = await startBareServer();
  try {
    const experimentId = await client.createExperiment("bench");
    const runId = (await client.createRun(experimentId)).info.run_id;
    let step = 0;
    const metricBody = () => JSON.stringify({ run_id: runId, key: "m", value: Math.random(), timestamp: Date.now(), step: step++ });
    const setupRequest = (req) => ({ ...req, body: metricBody() });

    const bare16 = await load({ url: bare.url, connections: 16, path: "/", body: metricBody() });
    const one = await load({ url: server.url, connections: 1, path: "/api/2.0/mlflow/runs/log-metric", setupRequest });
    const sixteen = await load({ url: server.url, connections: 16, path: "/api/2.0/mlflow/runs/log-metric", setupRequest });
    for (const r of [one, sixteen]) if (r.non2xx || r.errors) throw new Error(`log-metric load had ${r.non2xx} non-2xx and ${r.errors} errors`);
    report("log-metric, 1 connection (req/s)", one.requests.average, "req/s", undefined, `p50 ${one.latency.p50} ms`);
    report("log-metric, 16 connections (req/s)", sixteen.requests.average, "req/s", [">=", 2000], `p50 ${sixteen.latency.p50} ms, p99 ${sixteen.latency.p99} ms`);
    report("do-nothing Node http server, 16 connections (req/s)", bare16.requests.average, "req/s", undefined, "baseline");
    report("server peak RSS after the log-metric load", peakRssMb(server.child.pid), "MB");
    report("log-metric @16 / do-nothing Node server", sixteen.requests.average / bare16.requests.average, "x", undefined, "MLflow's Python server: ~70-80 req/s on this machine kind (issue #2)");

    const batchRun = (await client.createRun(experimentId)).info.run_id;
    const batchTimes = await timeSequential(60, (i) =>
      postJson(server.url, "/api/2.0/mlflow/runs/log-batch", {
        run_id: batchRun,
        metrics: Array.from({ length: 1000 }, (_, k) => ({ key: `m${k % 10}`, value: Math.random(), timestamp: 1_700_000_000_000 + i, step: i * 1000 + k })),
      }),
    );
    report("log-batch of 1000 metrics, p50", percentile(batchTimes, 50), "ms", ["<=", 50], `p90 ${percentile(batchTimes, 90).toFixed(1)} ms`);


    const searchExperiment = await client.createExperiment("search-bench");
    await seedRuns(uri, searchExperiment);
    const searchBody = { experiment_ids: [searchExperiment], filter: "metrics.acc > 0.5", order_by: ["metrics.acc DESC"], max_results: 1000 };
    const first = await postJson(server.url, "/api/2.0/mlflow/runs/search", searchBody);
    if (first.runs.length !== 1000) throw new Error(`search returned ${first.runs.length} runs`);
    const searchTimes = await timeSequential(30, () => postJson(server.url, "/api/2.0/mlflow/runs/search", searchBody));
    report(`search-runs: 1000 of ${SEARCH_RUNS} runs, metric filter + order, p50`, percentile(searchTimes, 50), "ms", ["<=", 150], `p90 ${percentile(searchTimes, 90).toFixed(1)} ms`);

    report("server peak RSS over this section", peakRssMb(server.child.pid), "MB", ["<=", 200]);
  } finally {
    await server.stop();
    await bare.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
