// Tracking-server benchmark (issues #2, #10): log-metric throughput, log-batch and search-runs
// latency and the server's peak RSS, on MLflow's schema, for SQLite and — where their URLs are set —
// PostgreSQL and MySQL, each figure printed beside the others. Baselines in the same run: a
// do-nothing Node http server, and MLflow's own server driven by the same load generator where
// MLFLOW_TS_BENCH_PYTHON_MLFLOW names a command that runs it.
import { randomUUID } from "node:crypto";
import { createDatabase, withTransaction } from "@mlflow-ts/store";
import { MlflowClient } from "@mlflow-ts/client";
import { load, peakRssMb, percentile, postJson, report, startBareServer, startPythonMlflow, startServer, timeSequential } from "./lib.js";
import { benchBackends, freshDatabase } from "./databases.js";

const SEARCH_RUNS = 20_000;

/**
 * Writes `count` runs (20,000 by default) with 3 metrics, 3 params and 3 tags each straight into
 * the database the server uses (MLflow's tables).
 */
export async function seedRuns(uri, experimentId, count = SEARCH_RUNS) {
  const database = await createDatabase(uri);
  const notNan = database.dialect === "postgres" ? false : 0;
  const rows = { runs: [], tags: [], params: [], latest_metrics: [], metrics: [] };
  for (let i = 0; i < count; i += 1) {
    const id = randomUUID().replace(/-/g, "");
    rows.runs.push({ run_uuid: id, name: `run-${i}`, experiment_id: Number(experimentId), user_id: "bench", status: "FINISHED", start_time: 1_700_000_000_000 + i, end_time: 1_700_000_100_000 + i, deleted_time: null, lifecycle_stage: "active", artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts` });
    rows.tags.push({ run_uuid: id, key: "mlflow.runName", value: `run-${i}` }, { run_uuid: id, key: "mlflow.user", value: "bench" }, { run_uuid: id, key: "team", value: i % 3 ? "vision" : "nlp" });
    rows.params.push({ run_uuid: id, key: "lr", value: String((i % 10) / 100) }, { run_uuid: id, key: "optimizer", value: i % 2 ? "adam" : "sgd" }, { run_uuid: id, key: "epochs", value: "10" });
    for (const [key, value] of [["acc", (i * 7919) % 20000 / 20000], ["loss", 1 - ((i * 7919) % 20000) / 20000], ["f1", (i % 100) / 100]]) {
      const metric = { run_uuid: id, key, value, timestamp: 1_700_000_000_000 + i, step: 10, is_nan: notNan };
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

/** A log-metric load at `connections` against one run of a server; answers per second that were 2xx. */
async function logMetricLoad(url, runId, connections) {
  let step = 0;
  const setupRequest = (req) => ({ ...req, body: JSON.stringify({ run_id: runId, key: "m", value: Math.random(), timestamp: Date.now(), step: step++ }) });
  const result = await load({ url, connections, path: "/api/2.0/mlflow/runs/log-metric", setupRequest });
  return { ...result, okRate: result["2xx"] / result.duration };
}

/** Every tracking figure of one server on one fresh database. */
async function measure(dialect) {
  const db = await freshDatabase(dialect);
  const server = await startServer(["--backend-store-uri", db.uri], { cwd: db.dir });
  const client = new MlflowClient(server.url);
  try {
    const experimentId = await client.createExperiment("bench");
    const runId = (await client.createRun(experimentId)).info.run_id;
    const one = await logMetricLoad(server.url, runId, 1);
    const sixteen = await logMetricLoad(server.url, runId, 16);
    for (const r of [one, sixteen]) if (r.non2xx || r.errors) throw new Error(`log-metric load on ${dialect} had ${r.non2xx} non-2xx and ${r.errors} errors`);
    const rssAfterLoad = peakRssMb(server.child.pid);

    const batchRun = (await client.createRun(experimentId)).info.run_id;
    const batchTimes = await timeSequential(60, (i) =>
      postJson(server.url, "/api/2.0/mlflow/runs/log-batch", {
        run_id: batchRun,
        metrics: Array.from({ length: 1000 }, (_, k) => ({ key: `m${k % 10}`, value: Math.random(), timestamp: 1_700_000_000_000 + i, step: i * 1000 + k })),
      }),
    );

    const searchExperiment = await client.createExperiment("search-bench");
    await seedRuns(db.uri, searchExperiment);
    const searchBody = { experiment_ids: [searchExperiment], filter: "metrics.acc > 0.5", order_by: ["metrics.acc DESC"], max_results: 1000 };
    const first = await postJson(server.url, "/api/2.0/mlflow/runs/search", searchBody);
    if (first.runs.length !== 1000) throw new Error(`search on ${dialect} returned ${first.runs.length} runs`);
    const searchTimes = await timeSequential(30, () => postJson(server.url, "/api/2.0/mlflow/runs/search", searchBody));
    return { one, sixteen, rssAfterLoad, batchTimes, searchTimes, rss: peakRssMb(server.child.pid) };
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** MLflow's own server under the same log-metric load at 16 connections, on a fresh database of one dialect. */
async function measureMlflow(dialect) {
  const db = await freshDatabase(dialect);
  try {
    const mlflow = await startPythonMlflow(db.uri, { cwd: db.dir });
    if (!mlflow) return undefined;
    try {
      const client = new MlflowClient(mlflow.url);
      const runId = (await client.createRun(await client.createExperiment("bench"))).info.run_id;
      return await logMetricLoad(mlflow.url, runId, 16);
    } finally {
      await mlflow.stop();
    }
  } finally {
    await db.drop();
  }
}

export async function benchTracking() {
  console.log("\n# tracking (issues #2, #10, #14)  on MLflow's schema; baselines: a do-nothing Node http server and MLflow's own server, same run, same load generator");
  const bare = await startBareServer();
  let bare16;
  try {
    bare16 = await load({ url: bare.url, connections: 16, path: "/", body: JSON.stringify({ run_id: "0".repeat(32), key: "m", value: 0.5, timestamp: Date.now(), step: 0 }) });
  } finally {
    await bare.stop();
  }
  const measured = [];
  for (const backend of benchBackends()) {
    if (backend.skip) {
      console.log(`  (${backend.name} skipped: ${backend.skip})`);
      continue;
    }
    const ours = await measure(backend.dialect);
    const mlflow = await measureMlflow(backend.dialect);
    measured.push({ ...backend, ours, mlflow });
  }
  if (!process.env.MLFLOW_TS_BENCH_PYTHON_MLFLOW) console.log("  (MLflow's own server not measured: MLFLOW_TS_BENCH_PYTHON_MLFLOW is not set, e.g. 'python3 -m mlflow')");

  // SQLite carries the targets; the other backends are printed beside it.
  const sqlite = (b) => b.dialect === "sqlite";
  for (const b of measured) report(`log-metric, 1 connection — ${b.name}`, b.ours.one.okRate, "req/s", undefined, `p50 ${b.ours.one.latency.p50} ms`);
  for (const b of measured) report(`log-metric, 16 connections — ${b.name}`, b.ours.sixteen.okRate, "req/s", sqlite(b) ? [">=", 2000] : undefined, `p50 ${b.ours.sixteen.latency.p50} ms, p99 ${b.ours.sixteen.latency.p99} ms`);
  report("do-nothing Node http server, 16 connections", bare16.requests.average, "req/s", undefined, "floor of any Node server");
  for (const b of measured) {
    if (!b.mlflow) continue;
    report(`MLflow's own server, log-metric @16 — ${b.name}`, b.mlflow.okRate, "req/s", undefined, `${b.mlflow.non2xx} non-2xx, ${b.mlflow.errors} errors; p50 ${b.mlflow.latency.p50} ms`);
    // Targets: issue #10 on SQLite (20×), issue #14 on PostgreSQL (10×; 2.1× before it).
    const target = sqlite(b) ? [">=", 20] : b.dialect === "postgres" ? [">=", 10] : undefined;
    report(`log-metric @16, mlflow-ts / MLflow — ${b.name}`, b.ours.sixteen.okRate / b.mlflow.okRate, "x", target);
  }
  for (const b of measured) report(`log-metric @16, share of the do-nothing server — ${b.name}`, b.ours.sixteen.okRate / bare16.requests.average, "x");
  for (const b of measured) report(`log-batch of 1000 metrics, p50 — ${b.name}`, percentile(b.ours.batchTimes, 50), "ms", sqlite(b) ? ["<=", 20] : undefined, `p90 ${percentile(b.ours.batchTimes, 90).toFixed(1)} ms`);
  for (const b of measured) report(`search-runs: 1000 of ${SEARCH_RUNS}, metric filter + order, p50 — ${b.name}`, percentile(b.ours.searchTimes, 50), "ms", sqlite(b) ? ["<=", 100] : undefined, `p90 ${percentile(b.ours.searchTimes, 90).toFixed(1)} ms`);
  for (const b of measured) report(`server peak RSS — ${b.name}`, b.ours.rss, "MB", sqlite(b) ? ["<=", 200] : undefined, `${b.ours.rssAfterLoad.toFixed(0)} MB after the log-metric load`);
}
