import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import mysql from "mysql2/promise";
import SQLite from "better-sqlite3";
import { openAuditDatabase, redactUri, type AuditEntry } from "../dist/app.js";
import { DIALECTS, createTestDatabase, type TestDatabase, type TestDialect } from "../../../test/support/backends.js";
import { spawnServer, type SpawnedServer } from "../../../test/support/spawn-server.js";

// The database target on the real server (`bin/mlflow.js server --app-name audit-log`): by default
// the table `audit_log` of the tracking database itself, created next to MLflow's tables without
// touching them. SQLite always; PostgreSQL and MariaDB when MLFLOW_TS_TEST_POSTGRES_URL /
// MLFLOW_TS_TEST_MYSQL_URL are set (the run says so when they are not).

async function tablesOf(dialect: TestDialect, uri: string): Promise<string[]> {
  if (dialect === "sqlite") {
    const db = new SQLite(uri.replace(/^sqlite:\/\/\//, ""), { readonly: true });
    try {
      return (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map((r) => r.name).sort();
    } finally {
      db.close();
    }
  }
  if (dialect === "postgres") {
    const client = new pg.Client({ connectionString: uri });
    await client.connect();
    try {
      return (await client.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = current_schema()")).rows.map((r) => r.name).sort();
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection(uri);
  try {
    const [rows] = await connection.query("select table_name as name from information_schema.tables where table_schema = database()");
    return (rows as { name: string }[]).map((r) => r.name).sort();
  } finally {
    await connection.end();
  }
}

describe.each(DIALECTS)("database target on $dialect (skipped without its MLFLOW_TS_TEST_*_URL)", ({ dialect, skip }) => {
  let database: TestDatabase;
  let server: SpawnedServer | undefined;
  let mlflowTables: string[];

  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase(dialect);
    // The tracking schema as the server makes it without the audit log…
    const plain = await spawnServer(["--backend-store-uri", database.uri], { cwd: database.dir });
    await plain.stop();
    mlflowTables = await tablesOf(dialect, database.uri);
    // …then with it, writing to that same database.
    server = await spawnServer(["--backend-store-uri", database.uri, "--app-name", "audit-log"], { cwd: database.dir, env: { MLFLOW_AUDIT_LOG_TARGET: "database", MLFLOW_AUDIT_LOG_FLUSH_INTERVAL_MS: "20" } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it.skipIf(skip)("adds the table audit_log to the tracking database and touches no other table", async () => {
    const post = (p: string, body: unknown) => fetch(`${server!.url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("/api/2.0/mlflow/experiments/create", { name: "db-exp" })).status).toBe(200);
    const tables = await tablesOf(dialect, database.uri);
    expect(tables.filter((t) => !mlflowTables.includes(t))).toEqual(["audit_log"]);
    expect(mlflowTables.every((t) => tables.includes(t))).toBe(true);
  });

  it.skipIf(skip)("inserts every write in batches and searches the table newest first, filtered and paged", async () => {
    const post = (p: string, body: unknown) => fetch(`${server!.url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const experiment = (await post("/api/2.0/mlflow/experiments/create", { name: "db-exp-2" })).experiment_id as string;
    const run = ((await post("/api/2.0/mlflow/runs/create", { experiment_id: experiment })).run as { info: { run_id: string } }).info.run_id;
    await Promise.all(Array.from({ length: 60 }, (_, i) => post("/api/2.0/mlflow/runs/log-metric", { run_id: run, key: `m${i}`, value: 0.123456789, timestamp: Date.now(), step: i })));
    await post("/api/2.0/mlflow/runs/search", { experiment_ids: [experiment] });
    await post("/api/2.0/mlflow/experiments/create", { name: "db-exp-2" }); // 400: an error line
    const search = async (query: string) => {
      const response = await fetch(`${server!.url}/api/2.0/audit-log/search?${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as { entries: AuditEntry[]; next_page_token?: string };
    };
    const all = (await search("max_results=1000")).entries;
    expect(all.map((e) => e.endpoint).slice(0, 2)).toEqual(["/api/2.0/mlflow/experiments/create", "/api/2.0/mlflow/runs/log-metric"]);
    expect(all[0]).toMatchObject({ status: 400, outcome: "error", user: null, resource: { name: "db-exp-2" } });
    expect(all.filter((e) => e.endpoint === "/api/2.0/mlflow/runs/log-metric")).toHaveLength(60);
    expect(all.some((e) => (e.endpoint ?? "").includes("/search"))).toBe(false);
    expect(JSON.stringify(all)).not.toContain("0.123456789");
    const metricKeys = new Set(all.filter((e) => e.resource?.key).map((e) => e.resource!.key));
    expect(metricKeys.size).toBe(60);
    // Filters and pages run in SQL.
    const errors = (await search("outcome=error")).entries;
    expect(errors).toHaveLength(1);
    const paged: AuditEntry[] = [];
    let token: string | undefined;
    do {
      const page = await search(`endpoint=Log-Metric&max_results=25${token ? `&page_token=${token}` : ""}`);
      paged.push(...page.entries);
      token = page.next_page_token;
    } while (token);
    expect(paged).toEqual(all.filter((e) => e.endpoint === "/api/2.0/mlflow/runs/log-metric"));
    expect((await search(`since=${encodeURIComponent(all[0]!.time)}`)).entries.every((e) => e.time >= all[0]!.time)).toBe(true);
    expect((await search("endpoint=%25")).entries).toEqual([]);
    const health = (await (await fetch(`${server!.url}/health?detail`)).json()) as { checks: Record<string, { ok: boolean; detail: { target: string; database: string } }> };
    expect(health.checks["audit-log"]).toMatchObject({ ok: true, detail: { target: "database" } });
  });

  it.skipIf(skip)("with keepDays, a server deletes the rows older than that as it starts, in batches, and keeps the rest", async () => {
    // 12,000 rows from 2020 (more than one delete batch) and one from yesterday, written straight
    // into the table beside what the running server wrote.
    const audit = await openAuditDatabase(database.uri, database.dir);
    const row = (time: string, endpoint: string) => ({ time, kind: "request", username: null, outcome: "ok", endpoint, entry: JSON.stringify({ time, kind: "request", user: null, outcome: "ok", endpoint }) });
    const count = async (where: string) => Number((await audit.db.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).where("endpoint", "=", where).executeTakeFirstOrThrow()).n);
    let before: number;
    try {
      for (let i = 0; i < 12_000; i += 500) {
        await audit.db.insertInto("audit_log").values(Array.from({ length: 500 }, (_, j) => row(new Date(Date.UTC(2020, 0, 1) + (i + j) * 1000).toISOString(), "/old"))).execute();
      }
      await audit.db.insertInto("audit_log").values(row(new Date(Date.now() - 86_400_000).toISOString(), "/yesterday")).execute();
      before = Number((await audit.db.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
      expect(await count("/old")).toBe(12_000);
    } finally {
      await audit.close();
    }
    const pruning = await spawnServer(["--backend-store-uri", database.uri, "--app-name", "audit-log"], { cwd: database.dir, env: { MLFLOW_AUDIT_LOG_TARGET: "database", MLFLOW_AUDIT_LOG_KEEP_DAYS: "30" } });
    try {
      let retention: { keepDays: number; lastPrune?: { deleted?: number; error?: string } } | undefined;
      for (let i = 0; i < 200 && !retention?.lastPrune; i += 1) {
        const health = (await (await fetch(`${pruning.url}/health?detail`)).json()) as { checks: Record<string, { detail: { retention?: typeof retention } }> };
        retention = health.checks["audit-log"]!.detail.retention;
        if (!retention?.lastPrune) await new Promise((r) => setTimeout(r, 50));
      }
      expect(retention).toEqual({ keepDays: 30, lastPrune: { at: expect.any(String), deleted: 12_000 } });
    } finally {
      await pruning.stop();
    }
    const after = await openAuditDatabase(database.uri, database.dir);
    try {
      const total = Number((await after.db.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
      expect(Number((await after.db.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).where("endpoint", "=", "/old").executeTakeFirstOrThrow()).n)).toBe(0);
      expect(Number((await after.db.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).where("endpoint", "=", "/yesterday").executeTakeFirstOrThrow()).n)).toBe(1);
      // Everything else stayed (the running server's rows, and whatever the two servers wrote since).
      expect(total).toBeGreaterThanOrEqual(before! - 12_000);
    } finally {
      await after.close();
    }
  }, 120_000);
});

describe("redactUri", () => {
  it("hides a database password", () => {
    expect(redactUri("postgresql://audit:s3cret@db:5432/audit")).toBe("postgresql://audit:***@db:5432/audit");
    expect(redactUri("mysql+pymysql://root:pw@127.0.0.1/test")).toBe("mysql+pymysql://root:***@127.0.0.1/test");
    expect(redactUri("sqlite:////srv/mlflow.db")).toBe("sqlite:////srv/mlflow.db");
  });
});
