// Capacity benchmark (issue #14): for each hot endpoint on each backend, requests per second at 16
// connections, the CPU the server process spends per request (so requests per second per core) and
// the CPU the rest of the machine — the database server — spends per request (what bounds N replicas on one database); then
// --workers 2, and two replicas on one database sharing the load. Baselines in the same run: a
// do-nothing Node server reading the same body, and ours before the change as the issue measured it.
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import pg from "pg";
import { MlflowClient } from "@mlflow-ts/client";
import { load, report, startServer } from "./lib.js";
import { benchBackends, freshDatabase } from "./databases.js";

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0; // the process ended between the listing and the read
  }
}

/** The pids of a server and its cluster workers. */
function processTree(pid) {
  const out = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  const pairs = out.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
  const tree = [pid];
  for (const [child, parent] of pairs) if (parent === pid) tree.push(child);
  return tree;
}

/** CPU seconds the whole machine has been busy (all cores), from /proc/stat. */
function machineBusySeconds() {
  const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS;
}

/** CPU seconds this process (the load generator) has used. */
function ownCpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const sum = (pids) => pids.reduce((total, pid) => total + cpuSeconds(pid), 0);

const ENDPOINTS = {
  "log-metric": (run, i) => ({ run_id: run, key: "m", value: i / 7, timestamp: 1_700_000_000_000 + i, step: i }),
  "log-parameter": (run, i) => ({ run_id: run, key: `p${i}`, value: String(i) }),
  "set-tag": (run, i) => ({ run_id: run, key: `t${i % 100}`, value: String(i) }),
  get: undefined, // GET runs/get of a typical run
  "log-batch": (run, i) => ({ run_id: run, metrics: Array.from({ length: 10 }, (_, k) => ({ key: `b${k}`, value: k, timestamp: 1_700_000_000_000 + i, step: i })) }),
};

/** PostgreSQL's count of committed transactions in the whole cluster (a standalone statement is one). */
async function postgresCommits() {
  const client = new pg.Client({ connectionString: process.env.MLFLOW_TS_TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query("select sum(xact_commit)::bigint as n from pg_stat_database");
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/** One endpoint's load against servers (several: replicas share the connections), with CPU per request. */
async function measureEndpoint(servers, dialect, endpoint, runId, connections = 16) {
  let i = 0;
  const read = endpoint === "get";
  const setupRequest = read ? undefined : (req) => ({ ...req, body: JSON.stringify(ENDPOINTS[endpoint](runId, i++)) });
  const path = read ? `/api/2.0/mlflow/runs/get?run_id=${runId}` : `/api/2.0/mlflow/runs/${endpoint}`;
  const commitsBefore = dialect === "postgres" ? await postgresCommits() : 0;
  const serverPids = servers.flatMap((s) => processTree(s.child.pid));
  const serverBefore = sum(serverPids);
  const machineBefore = machineBusySeconds();
  const ownBefore = ownCpuSeconds();
  const results = await Promise.all(servers.map((s) => load({ url: s.url, connections: connections / servers.length, duration: 5, path, method: read ? "GET" : "POST", ...(setupRequest ? { setupRequest } : {}) })));
  const ok = results.reduce((t, r) => t + r["2xx"], 0);
  const bad = results.reduce((t, r) => t + r.non2xx + r.errors, 0);
  if (bad) throw new Error(`${endpoint} on ${dialect}: ${bad} failed requests`);
  const seconds = results[0].duration;
  const server = sum(serverPids) - serverBefore;
  // The database's processes come and go with their connections: its share is what the machine
  // did that neither the server nor the load generator did (SQLite runs inside the server).
  const rest = machineBusySeconds() - machineBefore - server - (ownCpuSeconds() - ownBefore);
  const commits = dialect === "postgres" ? ((await postgresCommits()) - commitsBefore - 2) / ok : undefined;
  return { rate: ok / seconds, serverCpuPerRequest: server / ok, dbCpuPerRequest: dialect === "sqlite" ? 0 : Math.max(0, rest) / ok, commits };
}

async function withServers(dialect, args, count, fn) {
  const db = await freshDatabase(dialect);
  const servers = [];
  try {
    for (let k = 0; k < count; k += 1) servers.push(await startServer(["--backend-store-uri", db.uri, ...args], { cwd: db.dir }));
    const client = new MlflowClient(servers[0].url);
    const experimentId = await client.createExperiment("capacity");
    const runId = (await client.createRun(experimentId)).info.run_id;
    // What runs/get reads: a typical run (10 metrics, 20 params, 10 tags), not the one written to.
    const typical = (await client.createRun(experimentId)).info.run_id;
    await client.logBatch(typical, {
      metrics: Array.from({ length: 10 }, (_, k) => ({ key: `m${k}`, value: k, timestamp: 1_700_000_000_000, step: 0 })),
      params: Array.from({ length: 20 }, (_, k) => ({ key: `p${k}`, value: String(k) })),
      tags: Array.from({ length: 10 }, (_, k) => ({ key: `t${k}`, value: String(k) })),
    });
    return await fn(servers, runId, typical);
  } finally {
    for (const s of servers) await s.stop();
    await db.drop();
  }
}

// Ours on PostgreSQL before this issue, as it measured (log-metric @16, wrk, 10 s).
const ISSUE_14_PG_WORKERS_2 = 360;

/** Runs the capacity figures; returns them for the capacity model. */
export async function benchCapacity() {
  console.log("\n# capacity (issue #14)  16 connections, 5 s each; CPU per request from /proc: the server's processes; the database = the machine's busy time less the server's and the load generator's");
  const figures = [];
  for (const backend of benchBackends()) {
    if (backend.skip) {
      console.log(`  (${backend.name} skipped: ${backend.skip})`);
      continue;
    }
    await withServers(backend.dialect, [], 1, async (servers, runId, typical) => {
      for (const endpoint of Object.keys(ENDPOINTS)) {
        const target = endpoint === "get" ? typical : runId;
        await measureEndpoint(servers, backend.dialect, endpoint, target); // warm-up
        const m = await measureEndpoint(servers, backend.dialect, endpoint, target);
        figures.push({ backend: backend.name, endpoint, ...m });
        const perCore = 1 / m.serverCpuPerRequest;
        const commits = m.commits === undefined ? "" : `; ${m.commits.toFixed(2)} commits/req`;
        report(`${endpoint === "get" ? "runs/get" : endpoint} @16 — ${backend.name}`, m.rate, "req/s", undefined, `server ${(m.serverCpuPerRequest * 1e3).toFixed(2)} ms CPU/req (${perCore.toFixed(0)} req/s per core); database ${(m.dbCpuPerRequest * 1e3).toFixed(2)} ms CPU/req${commits}`);
      }
    });
    if (backend.dialect === "sqlite") continue;
    const two = await withServers(backend.dialect, ["--workers", "2"], 1, async (servers, runId) => {
      await measureEndpoint(servers, backend.dialect, "log-metric", runId);
      return measureEndpoint(servers, backend.dialect, "log-metric", runId);
    });
    report(`log-metric @16, --workers 2 — ${backend.name}`, two.rate, "req/s", backend.dialect === "postgres" ? [">=", 2 * ISSUE_14_PG_WORKERS_2] : undefined, backend.dialect === "postgres" ? `2× the issue's ${ISSUE_14_PG_WORKERS_2} req/s` : "");
    const replicas = await withServers(backend.dialect, [], 2, async (servers, runId) => {
      await measureEndpoint(servers, backend.dialect, "log-metric", runId);
      return measureEndpoint(servers, backend.dialect, "log-metric", runId);
    });
    report(`log-metric @16, two replicas on one database — ${backend.name}`, replicas.rate, "req/s", undefined, `8 connections each; database ${(replicas.dbCpuPerRequest * 1e3).toFixed(2)} ms CPU/req`);
    figures.push({ backend: backend.name, endpoint: "log-metric, 2 replicas", ...replicas }, { backend: backend.name, endpoint: "log-metric, --workers 2", ...two });
  }
  return figures;
}
