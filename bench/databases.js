// The databases the benchmark runs on: a SQLite file always; PostgreSQL and MySQL where the URLs
// `.ci/run` sets for the tests are present (a fresh schema or database each, dropped afterwards).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import mysql from "mysql2/promise";

const POSTGRES_URL = process.env.MLFLOW_TS_TEST_POSTGRES_URL;
const MYSQL_URL = process.env.MLFLOW_TS_TEST_MYSQL_URL;

/** The backends to measure, with the reason each absent one is skipped. */
export function benchBackends() {
  return [
    { name: "SQLite", dialect: "sqlite" },
    { name: "PostgreSQL", dialect: "postgres", skip: POSTGRES_URL ? undefined : "MLFLOW_TS_TEST_POSTGRES_URL is not set" },
    { name: "MySQL", dialect: "mysql", skip: MYSQL_URL ? undefined : "MLFLOW_TS_TEST_MYSQL_URL is not set" },
  ];
}

/**
 * A fresh, empty database of one dialect: `{ uri, dir, drop }`. PostgreSQL gets its own schema
 * (chosen through `search_path` in the URI), MySQL its own database, SQLite a file in a temp dir.
 */
export async function freshDatabase(dialect) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-"));
  const name = `bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const rmDir = () => fs.rmSync(dir, { recursive: true, force: true });
  if (dialect === "sqlite") return { dir, uri: `sqlite:///${path.join(dir, "bench.db")}`, drop: async () => rmDir() };
  if (dialect === "mysql") {
    const admin = await mysql.createConnection(MYSQL_URL);
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(MYSQL_URL);
    url.pathname = `/${name}`;
    return {
      dir,
      uri: url.toString(),
      drop: async () => {
        const c = await mysql.createConnection(MYSQL_URL);
        await c.query(`drop database if exists ${name}`);
        await c.end();
        rmDir();
      },
    };
  }
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  await admin.end();
  return {
    dir,
    uri: `${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}options=-c%20search_path%3D${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema if exists ${name} cascade`);
      await c.end();
      rmDir();
    },
  };
}
