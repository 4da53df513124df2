import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import mysql from "mysql2/promise";
import { QUICK } from "./quick.js";

/** The PostgreSQL URL `.ci/run` sets; the PostgreSQL suites skip, saying why, without it. */
export const POSTGRES_URL = QUICK ? undefined : process.env.MLFLOW_TS_TEST_POSTGRES_URL;

/** The MySQL/MariaDB URL `.ci/run` sets; the MySQL suites skip, saying why, without it. */
export const MYSQL_URL = QUICK ? undefined : process.env.MLFLOW_TS_TEST_MYSQL_URL;

/** The backends a storage suite runs on. */
export type TestDialect = "sqlite" | "postgres" | "mysql";

/** A fresh, empty database for one test file, and how to drop it. */
export interface TestDatabase {
  readonly dialect: TestDialect;
  readonly uri: string;
  readonly dir: string;
  drop(): Promise<void>;
}

/**
 * A fresh SQLite file in a temp directory, a fresh PostgreSQL schema (selected through
 * `search_path` in the URI), or a fresh MySQL database, so test files run in parallel and leave
 * nothing behind.
 */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-test-"));
  if (dialect === "sqlite") {
    return { dialect, dir, uri: `sqlite:///${path.join(dir, "mlflow.db")}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === "mysql") {
    if (!MYSQL_URL) throw new Error("MLFLOW_TS_TEST_MYSQL_URL is not set");
    const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = await mysql.createConnection(MYSQL_URL);
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(MYSQL_URL);
    url.pathname = `/${name}`;
    return {
      dialect,
      dir,
      uri: url.toString(),
      drop: async () => {
        const c = await mysql.createConnection(MYSQL_URL);
        await c.query(`drop database if exists ${name}`);
        await c.end();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!POSTGRES_URL) throw new Error("MLFLOW_TS_TEST_POSTGRES_URL is not set");
  // Inside a `vitest run`, the name carries the run's id and the schema is dropped when the run ends
  // (global-setup.ts), not when the file closes: Kysely's migrator introspects every schema of the
  // database (has_schema_privilege(nspname, ...)), and a schema another file drops in the middle of
  // that query fails it with "schema ... does not exist". Files run in parallel, so none drops one.
  const run = process.env.MLFLOW_TS_TEST_RUN_ID;
  const schema = `t_${run ? `${run}_` : ""}${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
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
      if (!run) {
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The dialects to run a storage suite on: SQLite always, PostgreSQL and MySQL when their URLs are set. */
export const DIALECTS = [
  { dialect: "sqlite" as const, skip: false },
  { dialect: "postgres" as const, skip: !POSTGRES_URL },
  { dialect: "mysql" as const, skip: !MYSQL_URL },
];
