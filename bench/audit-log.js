// audit-log benchmark (issue #22): log-metric as a non-admin with an EDIT grant, 16 keep-alive
// connections, on `--app-name basic-auth` against `--app-name basic-auth,audit-log` (the file
// target, default settings but for `keep`, so the check that every request got its line finds
// them all), both up at once, measured in alternating and in side-by-side rounds of the same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLIENT_CPUS, HAS_TASKSET, SERVER_CPUS, load, pin, report, startServer } from "./lib.js";

const ADMIN = "Basic " + Buffer.from("admin:admin-password-123").toString("base64");
const USER = "Basic " + Buffer.from("bench:bench-password-123").toString("base64");
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS) || 7;
const SIDE_BY_SIDE_ROUNDS = Number(process.env.BENCH_AUDIT_SIDE_ROUNDS) || 9;

async function call(url, method, p, body, auth) {
  const response = await fetch(`${url}${p}`, { method, headers: { "content-type": "application/json", authorization: auth }, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${p}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function prepareRun(url) {
  await call(url, "POST", "/api/2.0/mlflow/users/create", { username: "bench", password: "bench-password-123" }, ADMIN);
  const experiment = (await call(url, "POST", "/api/2.0/mlflow/experiments/create", { name: `bench-${Date.now()}` }, ADMIN)).experiment_id;
  await call(url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: experiment, username: "bench", permission: "EDIT" }, ADMIN);
  return (await call(url, "POST", "/api/2.0/mlflow/runs/create", { experiment_id: experiment }, USER)).run.info.run_id;
}

/** CPU time a process has used (user + system, all threads), in clock ticks (Linux). */
function cpuTicks(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

let step = 0;
async function logMetric(url, runId, connections = 16) {
  const result = await load({
    url,
    connections,
    duration: 3,
    path: "/api/2.0/mlflow/runs/log-metric",
    setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: USER }, body: JSON.stringify({ run_id: runId, key: "m", value: Math.random(), timestamp: Date.now(), step: step++ }) }),
  });
  if (result.non2xx || result.errors) throw new Error(`log-metric had ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result;
}

export async function benchAuditLog() {
  console.log(
    `\n# audit-log (issue #22)  baseline: the same server with basic-auth alone, same run; identical requests to both; medians of ${ROUNDS} alternating rounds after a warm-up${HAS_TASKSET ? `; client on CPU ${CLIENT_CPUS}, servers on CPUs ${SERVER_CPUS}` : ""}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-audit-"));
  const file = path.join(dir, "audit.log");
  try {
    const env = (name) => {
      fs.writeFileSync(path.join(dir, `${name}.ini`), `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(dir, `${name}-auth.db`)}\nadmin_username = admin\nauth_cache_ttl_seconds = 60\n`);
      return { MLFLOW_AUTH_CONFIG_PATH: path.join(dir, `${name}.ini`), MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123", MLFLOW_AUDIT_LOG_FILE: file, MLFLOW_AUDIT_LOG_KEEP: "1000" };
    };
    const plain = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "plain.db")}`, "--app-name", "basic-auth"], { cwd: dir, env: env("plain") });
    const audited = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "audited.db")}`, "--app-name", "basic-auth,audit-log"], { cwd: dir, env: env("audited") });
    pin(process.pid, CLIENT_CPUS);
    for (const server of [plain, audited]) pin(server.child.pid, SERVER_CPUS);
    const plainRates = [];
    const auditRates = [];
    const ratios = [];
    const sideBySide = [];
    // CPU time per request: what the audit log costs the server, whatever else the machine runs.
    const cpu = { plain: { ticks: 0, requests: 0 }, audited: { ticks: 0, requests: 0 } };
    let auditedRequests = 0;
    let p50 = 0;
    try {
      const plainRun = await prepareRun(plain.url);
      const auditRun = await prepareRun(audited.url);
      await logMetric(plain.url, plainRun);
      auditedRequests += (await logMetric(audited.url, auditRun)).requests.total;
      const measure = async (server, run, into) => {
        const before = cpuTicks(server.child.pid);
        const result = await logMetric(server.url, run);
        into.ticks += cpuTicks(server.child.pid) - before;
        into.requests += result.requests.total;
        return result;
      };
      for (let round = 0; round < ROUNDS; round += 1) {
        const measurePlain = async () => plainRates.push((await measure(plain, plainRun, cpu.plain)).requests.average);
        const measureAudit = async () => {
          const result = await measure(audited, auditRun, cpu.audited);
          auditRates.push(result.requests.average);
          auditedRequests += result.requests.total;
          p50 = result.latency.p50;
        };
        // The order flips every round, so neither server always runs second.
        if (round % 2 === 0) {
          await measurePlain();
          await measureAudit();
        } else {
          await measureAudit();
          await measurePlain();
        }
        // Each round's pair ran back to back: its ratio drifts less with the machine's load than a ratio of medians.
        ratios.push(auditRates.at(-1) / plainRates.at(-1));
      }
      // Side by side: both servers loaded at once, on the same CPU(s), 8 connections each. Whatever
      // else the machine runs slows both alike, and the scheduler shares the CPU between them, so
      // the ratio of their rates is the ratio of their costs per request.
      for (let round = 0; round < SIDE_BY_SIDE_ROUNDS; round += 1) {
        const [p, a] = await Promise.all([logMetric(plain.url, plainRun, 8), logMetric(audited.url, auditRun, 8)]);
        auditedRequests += a.requests.total;
        sideBySide.push({ plain: p.requests.total / p.duration, audited: a.requests.total / a.duration });
      }
    } finally {
      await plain.stop();
      // SIGTERM: the audit log writes what it still holds before the process exits.
      await audited.stop();
    }
    // The current file and the rotated ones (10 MiB each by default: a run fills several).
    const lines = fs
      .readdirSync(dir)
      .filter((f) => f === "audit.log" || /^audit\.log\.\d+$/.test(f))
      .reduce((n, f) => n + fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter((l) => l.includes('"endpoint":"/api/2.0/mlflow/runs/log-metric"')).length, 0);
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    if (process.env.BENCH_AUDIT_DEBUG) console.log(JSON.stringify({ sideBySide }));
    report(`log-metric @16, basic-auth (req/s, median of ${ROUNDS})`, median(plainRates), "req/s", undefined, "baseline");
    report(`log-metric @16, basic-auth,audit-log (req/s, median of ${ROUNDS})`, median(auditRates), "req/s", undefined, `p50 ${p50} ms`);
    report("basic-auth,audit-log / basic-auth, alternating rounds", median(ratios), "x", undefined, `median of per-round ratios ${ratios.map((r) => r.toFixed(2)).join("/")}; rounds: basic-auth ${plainRates.map(Math.round).join("/")}, with audit-log ${auditRates.map(Math.round).join("/")}`);
    const sideRatios = sideBySide.map((r) => r.audited / r.plain);
    const ratio = median(sideRatios);
    report(`basic-auth,audit-log / basic-auth, side by side @8+8 (median of ${SIDE_BY_SIDE_ROUNDS})`, ratio, "x", [">=", 0.95], `cost ≤ 5 %; rounds ${sideBySide.map((r) => `${Math.round(r.audited)}/${Math.round(r.plain)}`).join(", ")} req/s`);
    const perRequest = (c) => (c.ticks * 10_000) / c.requests; // µs, at 100 ticks/s
    report("server CPU per log-metric, basic-auth,audit-log / basic-auth", perRequest(cpu.audited) / perRequest(cpu.plain), "x", ["<=", 1.05], `${perRequest(cpu.plain).toFixed(0)} vs ${perRequest(cpu.audited).toFixed(0)} µs per request`);
    report("audit lines written / log-metric requests served", lines / auditedRequests, "x", [">=", 1], `${lines} lines for ${auditedRequests} requests`);
    return ratio;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `node bench/audit-log.js` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) await benchAuditLog();
