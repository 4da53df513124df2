// Searches filtered by grants (issue #19): the caller's readable experiments and models go into the
// SQL, so a non-admin's search should cost what the same search costs an admin. One basic-auth
// server (SQLite, default_permission NO_PERMISSIONS) with 200 experiments × 100 runs = 20,000 runs
// and 10,000 registered models; the non-admin created (so holds MANAGE on) half of each. Baseline:
// the admin sending the same request to the same server, in alternating rounds of the same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile, report, startServer, timeSequential } from "./lib.js";

const ADMIN = "Basic " + Buffer.from("admin:admin-password-123").toString("base64");
const USER = "Basic " + Buffer.from("bench:bench-password-123").toString("base64");
const EXPERIMENTS = 200;
const RUNS_PER_EXPERIMENT = 100;
const MODELS = 10_000;

async function call(url, method, p, body, auth) {
  const response = await fetch(`${url}${p}`, { method, headers: { "content-type": "application/json", authorization: auth }, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${p}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Runs `count` calls of `fn` with at most `width` in flight. */
async function pool(count, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

export async function benchAuthzSearch() {
  console.log("\n# searches filtered by grants (issue #19)  baseline: the same search by an admin, same server, same run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-authz-"));
  const ini = path.join(dir, "basic_auth.ini");
  fs.writeFileSync(ini, `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(dir, "auth.db")}\nadmin_username = admin\nauth_cache_ttl_seconds = 60\n`);
  const server = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "basic-auth"], {
    cwd: dir,
    env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123" },
  });
  try {
    const url = server.url;
    await call(url, "POST", "/api/2.0/mlflow/users/create", { username: "bench", password: "bench-password-123" }, ADMIN);
    const started = Date.now();
    const experiments = [];
    await pool(EXPERIMENTS, 8, async (i) => {
      const auth = i % 2 === 0 ? USER : ADMIN;
      experiments[i] = (await call(url, "POST", "/api/2.0/mlflow/experiments/create", { name: `exp-${i}` }, auth)).experiment_id;
    });
    await pool(EXPERIMENTS * RUNS_PER_EXPERIMENT, 16, async (i) => {
      const e = Math.floor(i / RUNS_PER_EXPERIMENT);
      await call(url, "POST", "/api/2.0/mlflow/runs/create", { experiment_id: experiments[e], start_time: i, tags: [{ key: "t", value: String(i % 7) }] }, e % 2 === 0 ? USER : ADMIN);
    });
    await pool(MODELS, 16, async (i) => {
      await call(url, "POST", "/api/2.0/mlflow/registered-models/create", { name: `model-${String(i).padStart(5, "0")}` }, i % 2 === 0 ? USER : ADMIN);
    });
    console.log(`  (seeded ${EXPERIMENTS * RUNS_PER_EXPERIMENT} runs, ${MODELS} models in ${((Date.now() - started) / 1000).toFixed(0)} s; the non-admin holds ${EXPERIMENTS / 2} experiment and ${MODELS / 2} model grants)`);

    const searches = [
      { name: "experiments/search (max 1000)", method: "POST", path: "/api/2.0/mlflow/experiments/search", body: { max_results: 1000 } },
      { name: "runs/search, all 200 experiments (max 1000)", method: "POST", path: "/api/2.0/mlflow/runs/search", body: { experiment_ids: experiments, max_results: 1000 } },
      { name: "runs/search with a filter (max 1000)", method: "POST", path: "/api/2.0/mlflow/runs/search", body: { experiment_ids: experiments, filter: "tags.t = '3'", max_results: 1000 } },
      { name: "registered-models/search (max 1000)", method: "GET", path: "/api/2.0/mlflow/registered-models/search?max_results=1000&filter=name%20LIKE%20%27model-%25%27" },
    ];
    for (const search of searches) {
      const send = (auth) => call(url, search.method, search.path, search.body, auth);
      // Warm-up of each (JIT, page cache, grant cache), then alternating rounds.
      await send(ADMIN);
      await send(USER);
      const admin = [];
      const user = [];
      for (let round = 0; round < 6; round += 1) {
        const order = round % 2 === 0 ? [ADMIN, USER] : [USER, ADMIN];
        for (const auth of order) (auth === ADMIN ? admin : user).push(...(await timeSequential(5, () => send(auth))));
      }
      admin.sort((a, b) => a - b);
      user.sort((a, b) => a - b);
      const adminP50 = percentile(admin, 50);
      const userP50 = percentile(user, 50);
      report(`${search.name}: admin p50`, adminP50, "ms", undefined, "baseline");
      report(`${search.name}: non-admin p50`, userP50, "ms", undefined, "");
      report(`${search.name}: non-admin / admin`, userP50 / adminP50, "x", ["<=", 1.2], "");
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
