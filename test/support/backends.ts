import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** The PostgreSQL URL `.ci/run` sets; the PostgreSQL suites skip, saying why, without it. */
export const POSTGRES_URL = process.env.MLFLOW_TS_TEST_POSTGRES_URL;

if (!POSTGRES_URL) {
  console.warn("PostgreSQL suites skipped: MLFLOW_TS_TEST_POSTGRES_URL is not set (.ci/run sets it to postgresql://postgres@127.0.0.1:5432/test)");
}

/** A fresh, empty database for one test file, and how to drop it. */
export interface TestDatabase {
  readonly dialect: "sqlite" | "postgres";
  readonly uri: string;
  readonly dir: string;
  drop(): Promise<void>;
}

/**
 * A fresh SQLite file in a temp directory, or a fresh PostgreSQL schema (selected through
 * `search_path` in the URI), so test files run in parallel and leave nothing behind.
 */
export async function createTestDatabase(dialect: "sqlite" | "postgres"): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-test-"));
  if (dialect === "sqlite") {
    return { dialect, dir, uri: `sqlite:///${path.join(dir, "mlflow.db")}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (!POSTGRES_URL) throw new Error("MLFLOW_TS_TEST_POSTGRES_URL is not set");
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = POSTGRES_URL.includes("?") ? "&" : "?";
  return {
    dialect,
    dir,
    uri: `${POSTGRES_URL}${sep}options=-c%20search_path%3D${schema}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The dialects to run a storage suite on: SQLite always, PostgreSQL when its URL is set. */
export const DIALECTS = [
  { dialect: "sqlite" as const, skip: false },
  { dialect: "postgres" as const, skip: !POSTGRES_URL },
];
