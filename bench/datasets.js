// Evaluation datasets (issue #23): upserting 10,000 records into a dataset (one UpsertDatasetRecords
// request, as `mlflow.genai` datasets' merge_records sends them), then reading all 10,000 back
// with GetDatasetRecords — the records "search" of a dataset MLflow serves (ordered by creation
// time, cursor-paged): the target is on one request reading all 10,000 (max_results=10,000); the
// first default page of 1,000 and a full read in ten such pages are reported beside it.
// Absolute targets (issue #23), SQLite, over HTTP.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile, report, startServer, timeSequential } from "./lib.js";

const RECORDS = 10_000;

/** Records as a GenAI evaluation set holds them: a question, an expected answer, tags. */
function records(round) {
  return Array.from({ length: RECORDS }, (_, i) => ({
    inputs: { question: `What is item ${i} of the benchmark set, round ${round}?`, context: { doc: `doc-${i % 97}`, score: (i % 13) / 10 } },
    expectations: { expected_response: `Item ${i} is a benchmark record.`, facts: [`fact ${i}`, `fact ${i + 1}`] },
    tags: { split: i % 5 === 0 ? "test" : "train" },
  }));
}

async function call(url, method, p, body) {
  const res = await fetch(`${url}${p}`, { method, headers: { "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

export async function benchDatasets() {
  console.log("\n# Evaluation datasets (issue #23)  absolute targets, SQLite, over HTTP");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-datasets-"));
  const server = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`], { cwd: dir });
  try {
    const url = server.url;
    const experimentId = (await call(url, "POST", "/api/2.0/mlflow/experiments/create", { name: "datasets-bench" })).experiment_id;
    // Five fresh datasets: the p50 of five inserts of 10,000 records each.
    const bodies = Array.from({ length: 5 }, (_, r) => JSON.stringify(records(r)));
    const ids = [];
    for (let r = 0; r < 5; r += 1) ids.push((await call(url, "POST", "/api/3.0/mlflow/datasets/create", { name: `bench-${r}`, experiment_ids: [experimentId] })).dataset.dataset_id);
    const inserts = await timeSequential(5, async (r) => {
      const result = await call(url, "POST", `/api/3.0/mlflow/datasets/${ids[r]}/records`, { records: bodies[r] });
      if (result.inserted_count !== RECORDS) throw new Error(`inserted ${result.inserted_count}`);
    });
    report("datasets: upsert 10,000 new records (one request), p50", percentile(inserts, 50), "ms", ["<=", 1000], `${(bodies[0].length / 1e6).toFixed(1)} MB of records`);
    // The same 10,000 again: every record merged into the stored one.
    const merges = await timeSequential(3, async () => {
      const result = await call(url, "POST", `/api/3.0/mlflow/datasets/${ids[0]}/records`, { records: bodies[0] });
      if (result.updated_count !== RECORDS) throw new Error(`updated ${result.updated_count}`);
    });
    report("datasets: upsert 10,000 existing records (all merged), p50", percentile(merges, 50), "ms", ["<=", 1000]);
    const readAll = await timeSequential(10, async () => {
      const page = await call(url, "GET", `/api/3.0/mlflow/datasets/${ids[1]}/records?max_results=${RECORDS}`);
      if (page.records.length < 1000 || page.next_page_token) throw new Error("short page");
    });
    report("datasets: read all 10,000 records (one GetDatasetRecords), p50", percentile(readAll, 50), "ms", ["<=", 100], "max_results=10000");
    const firstPage = await timeSequential(20, async () => {
      const page = await call(url, "GET", `/api/3.0/mlflow/datasets/${ids[1]}/records`);
      if (!page.next_page_token) throw new Error("no next page");
    });
    report("datasets: GetDatasetRecords, first page (1,000 of 10,000), p50", percentile(firstPage, 50), "ms", ["<=", 100], "MLflow's default page");
    const paged = await timeSequential(10, async () => {
      let token;
      let n = 0;
      do {
        const page = await call(url, "GET", `/api/3.0/mlflow/datasets/${ids[2]}/records${token ? `?page_token=${encodeURIComponent(token)}` : ""}`);
        n += JSON.parse(page.records).length;
        token = page.next_page_token;
      } while (token);
      if (n !== RECORDS) throw new Error(`read ${n}`);
    });
    report("datasets: read all 10,000 records in pages of 1,000, p50", percentile(paged, 50), "ms", undefined, "10 requests");
    const searches = await timeSequential(20, () => call(url, "POST", "/api/3.0/mlflow/datasets/search", { experiment_ids: [experimentId], filter_string: "name LIKE 'bench-%'" }));
    report("datasets: SearchEvaluationDatasets, p50", percentile(searches, 50), "ms", ["<=", 100]);
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDatasets();
