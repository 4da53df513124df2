// basic-auth benchmark (issue #5): log-metric as a non-admin with an EDIT grant, 16 keep-alive
// connections, against the same server without auth, measured in the same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { load, postJson, report, startServer } from "./lib.js";

const ADMIN = "Basic " + Buffer.from("admin:admin-password-123").toString("base64");
const USER = "Basic " + Buffer.from("bench:bench-password-123").toString("base64");

async function call(url, method, p, body, auth) {
  const response = await fetch(`${url}${p}`, { method, headers: { "content-type": "application/json", authorization: auth }, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${p}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function prepareRun(url, auth) {
  // The admin owns the experiment; the bench user gets EDIT on it, nothing more.
  const experiment = (await call(url, "POST", "/api/2.0/mlflow/experiments/create", { name: `bench-${Date.now()}` }, ADMIN)).experiment_id;
  if (auth === USER) await call(url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: experiment, username: "bench", permission: "EDIT" }, ADMIN);
  return (await call(url, "POST", "/api/2.0/mlflow/runs/create", { experiment_id: experiment }, auth ?? ADMIN)).run.info.run_id;
}

let step = 0;
async function logMetricRate(url, runId) {
  // Both servers get byte-identical requests, credentials included (the server without auth
  // ignores them): the load generator, which shares the cores, does the same work for each.
  const headers = { authorization: USER };
  const result = await load({
    url,
    connections: 16,
    duration: 3,
    path: "/api/2.0/mlflow/runs/log-metric",
    setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...headers }, body: JSON.stringify({ run_id: runId, key: "m", value: Math.random(), timestamp: Date.now(), step: step++ }) }),
  });
  if (result.non2xx || result.errors) throw new Error(`log-metric had ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result;
}

export async function benchBasicAuth() {
  console.log("\n# basic-auth (issue #5)  baseline: the same server without auth, same run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-auth-"));
  try {
    const ini = path.join(dir, "basic_auth.ini");
    fs.writeFileSync(ini, `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(dir, "auth.db")}\nadmin_username = admin\nauth_cache_ttl_seconds = 60\n`);
    const authed = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "authed.db")}`, "--app-name", "basic-auth"], {
      cwd: dir,
      env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123" },
    });
    const plain = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "plain.db")}`], { cwd: dir });
    // Both servers up at once, measured in alternating rounds: the medians compare like with like
    // even as the machine's load drifts.
    const plainRates = [];
    const authRates = [];
    let p50 = 0;
    try {
      await call(authed.url, "POST", "/api/2.0/mlflow/users/create", { username: "bench", password: "bench-password-123" }, ADMIN);
      const plainRun = await prepareRun(plain.url, undefined);
      const authRun = await prepareRun(authed.url, USER);
      // A warm-up of each (JIT, caches), then five rounds, the order flipped every round, so neither
      // server always runs second.
      await logMetricRate(plain.url, plainRun);
      await logMetricRate(authed.url, authRun);
      for (let round = 0; round < 5; round += 1) {
        const measurePlain = async () => plainRates.push((await logMetricRate(plain.url, plainRun)).requests.average);
        const measureAuth = async () => {
          const result = await logMetricRate(authed.url, authRun);
          authRates.push(result.requests.average);
          p50 = result.latency.p50;
        };
        if (round % 2 === 0) {
          await measurePlain();
          await measureAuth();
        } else {
          await measureAuth();
          await measurePlain();
        }
      }
    } finally {
      await authed.stop();
      await plain.stop();
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    report("log-metric @16, no auth (req/s, median of 5 rounds)", median(plainRates), "req/s", undefined, "baseline");
    report("log-metric @16, basic-auth non-admin with EDIT (req/s, median of 5)", median(authRates), "req/s", undefined, `p50 ${p50} ms`);
    const ratio = median(authRates) / median(plainRates);
    report("basic-auth / no auth", ratio, "x", [">=", 0.9], `rounds: no auth ${plainRates.map(Math.round).join("/")}, auth ${authRates.map(Math.round).join("/")}`);
    console.log("  (MLflow's own server: ≈3 req/s with basic-auth, 25× slower than without — issue #5)");
    return ratio;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
