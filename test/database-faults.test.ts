import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import mysql from "mysql2/promise";
import { MlflowClient } from "@mlflow-ts/client";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";
import { OWNED_MARIADB_MISSING, OWNED_POSTGRES_MISSING, ownMariadb, ownPostgres, type OwnedDatabase } from "./support/owned-databases.js";

// The database goes away under load — stopped hard, its connections killed, absent at start — and
// comes back. The server must answer MLflow's retryable 503 JSON meanwhile (MLflow's clients retry
// 5xx), never hold a request past its timeout, reconnect by itself, stay up, and lose no write it
// acknowledged: every log-metric answered 200 is counted here and looked for in the database after.

const REQUEST_TIMEOUT_MS = 15_000;
// The server's own bounds: --db-statement-timeout 5 and a 5 s connect timeout.
const LONGEST_ANSWER_MS = 11_000;

interface LoadTally {
  acked: number[];
  unavailable: number;
  other: string[];
  slowest: number;
}

/** Concurrent log-metric writers, each point a unique step, until `stop()`; tallies every answer. */
function startLoad(url: string, runId: string, writers = 8) {
  const tally: LoadTally = { acked: [], unavailable: 0, other: [], slowest: 0 };
  let step = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      const mine = step++;
      const started = Date.now();
      try {
        const response = await fetch(`${url}/api/2.0/mlflow/runs/log-metric`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ run_id: runId, key: "loss", value: mine / 10, timestamp: 1_700_000_000_000 + mine, step: mine }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.text();
        if (response.status === 200) tally.acked.push(mine);
        else if (response.status === 503 && JSON.parse(body).error_code === "TEMPORARILY_UNAVAILABLE") tally.unavailable += 1;
        else tally.other.push(`${response.status} ${body.slice(0, 200)}`);
      } catch (error) {
        tally.other.push(`request failed: ${(error as Error).message}`);
      }
      tally.slowest = Math.max(tally.slowest, Date.now() - started);
      // While the database is away answers come at once: do not spin.
      if (tally.unavailable > 0 && tally.acked.length === 0) await new Promise((r) => setTimeout(r, 5));
    }
  };
  const loops = Array.from({ length: writers }, loop);
  return {
    tally,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function health(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, text: await response.text() };
}

interface Backend {
  readonly name: string;
  readonly missing: string | undefined;
  own(): Promise<OwnedDatabase>;
  /** The URI the server is given (a database of its own on the owned server). */
  prepare(db: OwnedDatabase): Promise<string>;
  /** Steps stored for a run's metric. */
  storedSteps(uri: string, runId: string): Promise<Set<number>>;
  /** Kills every connection of the server from the database's side. */
  killConnections(db: OwnedDatabase): Promise<number>;
}

const postgres: Backend = {
  name: "PostgreSQL",
  missing: OWNED_POSTGRES_MISSING,
  own: ownPostgres,
  prepare: async (db) => db.url,
  storedSteps: async (uri, runId) => {
    const client = new pg.Client({ connectionString: uri });
    await client.connect();
    try {
      const { rows } = await client.query("select step from metrics where run_uuid = $1 and key = 'loss'", [runId]);
      return new Set(rows.map((r) => Number(r.step)));
    } finally {
      await client.end();
    }
  },
  killConnections: async (db) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query("select pg_terminate_backend(pid) as killed from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'");
      return rows.filter((r) => r.killed).length;
    } finally {
      await client.end();
    }
  },
};

const mariadb: Backend = {
  name: "MariaDB",
  missing: OWNED_MARIADB_MISSING,
  own: ownMariadb,
  prepare: async (db) => {
    const admin = await mysql.createConnection(db.url);
    await admin.query("create database if not exists mlflow");
    await admin.end();
    return db.url.replace(/\/mysql$/, "/mlflow");
  },
  storedSteps: async (uri, runId) => {
    const client = await mysql.createConnection(uri);
    try {
      const [rows] = await client.query("select step from metrics where run_uuid = ? and `key` = 'loss'", [runId]);
      return new Set((rows as { step: number }[]).map((r) => Number(r.step)));
    } finally {
      await client.end();
    }
  },
  killConnections: async (db) => {
    const client = await mysql.createConnection(db.url);
    try {
      const [rows] = await client.query("select id from information_schema.processlist where id <> connection_id() and db = 'mlflow'");
      for (const { id } of rows as { id: number }[]) await client.query(`kill connection ${Number(id)}`).catch(() => {});
      return (rows as unknown[]).length;
    } finally {
      await client.end();
    }
  },
};

for (const backend of [postgres, mariadb]) {
  if (backend.missing) console.warn(`${backend.name} fault tests skipped: ${backend.missing}`);
  describe.skipIf(Boolean(backend.missing))(`the database goes away and comes back (${backend.name})`, () => {
    let db: OwnedDatabase;
    let uri: string;
    let dir: string;
    let server: SpawnedServer;
    let runId: string;

    beforeAll(async () => {
      db = await backend.own();
      uri = await backend.prepare(db);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-faults-"));
      server = await spawnServer(["--backend-store-uri", uri, "--db-statement-timeout", "5"], { cwd: dir, timeoutMs: 60_000 });
      const client = new MlflowClient(server.url);
      runId = (await client.createRun(await client.createExperiment("faults"))).info.run_id;
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await db?.destroy();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function expectNothingLost(tally: LoadTally): Promise<void> {
      const stored = await backend.storedSteps(uri, runId);
      const lost = tally.acked.filter((s) => !stored.has(s));
      expect(lost.length, `acknowledged but not stored: ${lost.slice(0, 10).join(", ")}`).toBe(0);
      expect(tally.other, "answers other than 200 and 503 TEMPORARILY_UNAVAILABLE").toEqual([]);
      expect(tally.slowest).toBeLessThan(LONGEST_ANSWER_MS);
      expect(server.child.exitCode, server.output().slice(-2000)).toBeNull();
    }

    it("survives a hard stop and restart: 503 while away, /health says so, reconnects, loses nothing acknowledged", async () => {
      const load = startLoad(server.url, runId);
      await sleep(1_000);
      const ackedBefore = load.tally.acked.length;
      expect(ackedBefore).toBeGreaterThan(0);
      await db.stopHard();
      await waitFor("503s while the database is down", async () => load.tally.unavailable > 20);
      const down = await health(server.url);
      expect(down.status).toBe(503);
      expect(down.text).toMatch(/database/i);
      await sleep(1_000);
      await db.start();
      const ackedAtRestart = load.tally.acked.length;
      await waitFor("writes acknowledged again after the restart", async () => load.tally.acked.length > ackedAtRestart + 50);
      expect(await health(server.url)).toEqual({ status: 200, text: "OK" });
      const tally = await load.stop();
      expect(tally.unavailable).toBeGreaterThan(0);
      await expectNothingLost(tally);
    }, 120_000);

    it("survives its connections being killed from the database's side", async () => {
      const load = startLoad(server.url, runId);
      await sleep(500);
      let killed = 0;
      for (let i = 0; i < 3; i += 1) {
        killed += await backend.killConnections(db);
        await sleep(400);
      }
      expect(killed).toBeGreaterThan(0);
      const ackedAfterKills = load.tally.acked.length;
      await waitFor("writes acknowledged after the kills", async () => load.tally.acked.length > ackedAfterKills + 50);
      const tally = await load.stop();
      await expectNothingLost(tally);
      expect(await health(server.url)).toEqual({ status: 200, text: "OK" });
    }, 120_000);

    it("starts while the database is unreachable, answers 503, and serves once it is back", async () => {
      await db.stopHard();
      const late = await spawnServer(["--backend-store-uri", uri, "--db-statement-timeout", "5"], { cwd: dir, timeoutMs: 30_000 });
      try {
        const down = await health(late.url);
        expect(down.status).toBe(503);
        expect(down.text).toMatch(/database/i);
        const refused = await fetch(`${late.url}/api/2.0/mlflow/experiments/search`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        expect(refused.status).toBe(503);
        expect((await refused.json()).error_code).toBe("TEMPORARILY_UNAVAILABLE");
        await db.start();
        await waitFor("the late server serving", async () => (await health(late.url)).status === 200);
        const client = new MlflowClient(late.url);
        expect((await client.getRun(runId)).info.run_id).toBe(runId);
        expect(late.child.exitCode).toBeNull();
      } finally {
        await late.stop();
      }
    }, 120_000);
  });
}

describe.skipIf(Boolean(OWNED_POSTGRES_MISSING))("a notification channel outlives its connection (PostgreSQL)", () => {
  let db: OwnedDatabase;
  beforeAll(async () => {
    db = await ownPostgres();
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
  });

  it("re-subscribes by itself after its connection is killed or the database restarts, and reports the gap", async () => {
    const { createDatabase } = await import("@mlflow-ts/store");
    const database = await createDatabase(db.url);
    const received: string[] = [];
    let gaps = 0;
    const stop = await database.listen!("mlflow_ts_test", (m) => received.push(m), () => (gaps += 1));
    const notify = async (message: string) => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query("select pg_notify('mlflow_ts_test', $1)", [message]);
      await client.end();
    };
    try {
      await notify("one");
      await waitFor("the first notification", async () => received.includes("one"));
      await postgres.killConnections(db);
      await waitFor("a re-subscription after the kill", async () => gaps === 1);
      await notify("two");
      await waitFor("a notification after the kill", async () => received.includes("two"));
      await db.stopHard();
      await db.start();
      await waitFor("a re-subscription after the restart", async () => gaps === 2);
      await notify("three");
      await waitFor("a notification after the restart", async () => received.includes("three"));
    } finally {
      await stop();
      await database.close();
    }
  }, 60_000);
});
