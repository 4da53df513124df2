import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import type pg from "pg";
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql, type PostgresPool } from "kysely";
import { MlflowError } from "@mlflow-ts/protocol";
import { parseDatabaseUri } from "./database-uri.js";
import { currentQuerySignal, enableQueryCancellation } from "./query-cancellation.js";
import { withStatementName } from "./prepared-statements.js";
import { guardQueries } from "./guard-queries.js";

/** The SQL dialects the store speaks. */
export type DialectName = "sqlite" | "postgres" | "mysql";

/**
 * An open database: the Kysely instance, which dialect it speaks, and how to close it.
 * Everything above this file is written once for every dialect.
 */
export interface Database {
  // The schema is owned by several migrators (tracking, auth apps), so the instance is untyped here
  // and each repository declares the rows it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly dialect: DialectName;
  /** The URI it was opened from, with any password removed (safe to log). */
  readonly displayUri: string;
  /**
   * Subscribes to a notification channel shared by every process on this database (PostgreSQL
   * `LISTEN` on a dedicated connection); resolves with an unsubscribe function. A lost connection
   * (database restart, killed session) is re-established by itself, with `onGap` called once it
   * is, since notifications sent meanwhile are lost. Undefined on SQLite, where processes share no
   * channel.
   */
  readonly listen?: (channel: string, onMessage: (payload: string) => void, onGap?: () => void) => Promise<() => Promise<void>>;
  /**
   * Resolves when the database answers a trivial query within `timeoutMs`; rejects otherwise
   * (`/health` tells "up" from "up, but the database is down" with it).
   */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createDatabase}. */
export interface CreateDatabaseOptions {
  /** Directory that relative SQLite paths are resolved against. */
  readonly cwd?: string;
  /** Milliseconds a SQLite writer waits for another process's lock. */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL/MySQL pool size; undefined: {@link defaultPoolSize} of the database's `max_connections`. */
  readonly poolSize?: number | undefined;
  /** Server processes that open this database with the same settings (`--workers`); 1 by default. */
  readonly processes?: number;
  /**
   * PostgreSQL's `statement_timeout` for every query of this database, in milliseconds (0 or
   * absent: none). Serving sets it, so one pathological query cannot hold a connection for minutes;
   * migrations run without it.
   */
  readonly statementTimeoutMs?: number;
}

// int8 (bigint) and numeric come back from pg as strings; timestamps and steps fit a double.
function pgTypes(driver: typeof pg) {
  return {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === 20) return (v: string) => Number(v);
      if (oid === 1700) return (v: string) => Number(v);
      return driver.types.getTypeParser(oid, format as "text");
    },
  };
}

/**
 * Opens the database a backend-store URI names: SQLite (WAL, busy timeout, case-sensitive LIKE),
 * a PostgreSQL pool, or a MySQL/MariaDB pool.
 *
 * @example
 * const database = await createDatabase("sqlite:///mlflow.db");
 * await database.db.selectFrom("experiments").selectAll().execute();
 * await database.close();
 */
export async function createDatabase(uri: string, options: CreateDatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUri(uri, options.cwd ?? process.cwd());
  if (typeof target === "string") throw new MlflowError("INVALID_PARAMETER_VALUE", target);
  if (target.dialect === "sqlite") {
    // A typo in a path must not quietly make a new, empty database somewhere else: as MLflow, the
    // directory has to exist.
    if (target.file !== ":memory:" && !fs.existsSync(path.dirname(target.file))) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Cannot open ${uri}: the directory ${path.dirname(target.file)} does not exist`);
    }
    const connection = new SQLite(target.file);
    connection.pragma("journal_mode = WAL");
    connection.pragma("synchronous = NORMAL");
    connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 30_000}`);
    connection.pragma("foreign_keys = ON");
    // MLflow's LIKE is case-sensitive on every backend; ILIKE is written as lower() LIKE lower().
    connection.pragma("case_sensitive_like = ON");
    // RLIKE in trace searches (MLflow 3): SQLite has the REGEXP operator but no function behind it.
    // Patterns are checked before they get here (checkRegex); values are searched as Python's re.search.
    connection.function("regexp", { deterministic: true }, (pattern: unknown, value: unknown) =>
      typeof pattern === "string" && typeof value === "string" && new RegExp(pattern, "u").test(value) ? 1 : 0,
    );
    const db = new Kysely({ dialect: guardQueries(new SqliteDialect({ database: cachingStatements(connection) })) });
    return {
      db,
      dialect: "sqlite",
      displayUri: `sqlite:///${target.file}`,
      ping: (ms) => ping(db, ms),
      close: () => db.destroy(),
    };
  }
  // Each driver is loaded only for the database it serves: a SQLite server carries neither.
  if (target.dialect === "postgres") {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      max: options.poolSize ?? DEFAULT_POOL,
      types: pgTypes(pg),
      // While the database is away, a request waits at most this long for a connection (then 503).
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      ...(options.statementTimeoutMs
        ? // The server cancels a long query itself; the client-side bound covers a database that
          // stopped answering altogether (a dead host sends no reset).
          { statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs + CONNECT_TIMEOUT_MS }
        : {}),
    });
    // An idle connection that the database closes (restart, pg_terminate_backend) is dropped from
    // the pool, which reconnects on demand; without a listener the error would end the process.
    pool.on("error", () => {});
    const db = new Kysely({ dialect: guardQueries(new PostgresDialect({ pool: cancellable(pg, pool, target.connectionString) })) });
    enableQueryCancellation();
    try {
      await sql`select 1`.execute(db);
      if (options.poolSize === undefined) {
        const { rows } = await sql<{ max: number; reserved: number }>`select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved`.execute(db);
        pool.options.max = defaultPoolSize(rows[0]!.max - rows[0]!.reserved, options.processes ?? 1);
      }
    } catch (cause) {
      await db.destroy();
      throw new MlflowError("TEMPORARILY_UNAVAILABLE", `Cannot connect to ${redact(target.connectionString)}: ${(cause as Error).message}`, { cause });
    }
    const listen = async (channel: string, onMessage: (payload: string) => void, onGap?: () => void) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name '${channel}'`);
      let client: pg.Client | undefined;
      let closed = false;
      let retry: NodeJS.Timeout | undefined;
      const subscribe = async (): Promise<void> => {
        const next = new pg.Client({ connectionString: target.connectionString, keepAlive: true });
        next.on("notification", (message) => {
          if (message.channel === channel) onMessage(message.payload ?? "");
        });
        // A dropped listener must not crash the server: it is re-established, and until then the
        // caches' TTL bounds staleness.
        next.on("error", () => {});
        next.once("end", () => {
          if (!closed && client === next) reconnect(1);
        });
        try {
          await next.connect();
          await next.query(`LISTEN ${channel}`);
        } catch (error) {
          await next.end().catch(() => {});
          throw error;
        }
        if (closed) {
          await next.end().catch(() => {});
          return;
        }
        client = next;
      };
      const reconnect = (attempt: number): void => {
        client = undefined;
        retry = setTimeout(() => {
          subscribe().then(
            () => onGap?.(),
            () => reconnect(attempt + 1),
          );
        }, Math.min(500 * attempt, 5_000));
        retry.unref();
      };
      await subscribe();
      return async () => {
        closed = true;
        clearTimeout(retry);
        await client?.end().catch(() => {});
      };
    };
    return { db, dialect: "postgres", displayUri: redact(target.connectionString), listen, ping: (ms) => ping(db, ms), close: () => db.destroy() };
  }
  const { default: mysql } = await import("mysql2");
  const pool = mysql.createPool({
    uri: target.connectionString,
    connectionLimit: options.poolSize ?? DEFAULT_POOL,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableKeepAlive: true,
    // BIGINT epoch milliseconds fit a double; DECIMAL/DATE are not in MLflow's schema.
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  if (options.statementTimeoutMs) {
    const seconds = options.statementTimeoutMs / 1000;
    // MariaDB bounds every statement; MySQL only SELECTs (max_execution_time, in ms). Whichever the
    // server knows is set; the other is refused and ignored.
    pool.on("connection", (connection) => {
      connection.query(`SET SESSION max_statement_time = ${seconds}`, () => {});
      connection.query(`SET SESSION max_execution_time = ${options.statementTimeoutMs}`, () => {});
    });
  }
  // Known once the server has answered; until then (that first query) statements are not bounded.
  let maxAllowedPacket: number | undefined;
  const db = new Kysely({ dialect: guardQueries(new MysqlDialect({ pool }), { maxStatementBytes: () => maxAllowedPacket }) });
  try {
    const { rows: packet } = await sql<{ packet: number | string }>`select @@max_allowed_packet as packet`.execute(db);
    maxAllowedPacket = Number(packet[0]!.packet);
    if (options.poolSize === undefined) {
      const { rows } = await sql<{ max: number }>`select @@max_connections as max`.execute(db);
      (pool as unknown as { config: { connectionLimit: number } }).config.connectionLimit = defaultPoolSize(Number(rows[0]!.max), options.processes ?? 1);
    }
  } catch (cause) {
    await db.destroy();
    throw new MlflowError("TEMPORARILY_UNAVAILABLE", `Cannot connect to ${redact(target.connectionString)}: ${(cause as Error).message}`, { cause });
  }
  return { db, dialect: "mysql", displayUri: redact(target.connectionString), ping: (ms) => ping(db, ms), close: () => db.destroy() };
}

const DEFAULT_POOL = 10;

/**
 * Connections per server process when none is configured: 10 (enough to keep a database busy from
 * one Node process, whose group commits keep few in use at once), fewer when all the processes
 * together would take more than half of the connections the database accepts — the other half is
 * left to other replicas, migrations and people.
 *
 * @example
 * defaultPoolSize(97, 8); // 6
 */
export function defaultPoolSize(available: number, processes: number): number {
  return Math.max(2, Math.min(DEFAULT_POOL, Math.floor(available / 2 / processes)));
}

// How long a request may wait to connect while the database is away before it gets a 503.
const CONNECT_TIMEOUT_MS = 5_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ping(db: Kysely<any>, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const PATCHED = Symbol("mlflow.cancellable");

/**
 * The pool as Kysely sees it, with every client's queries tied to the request they serve
 * ({@link withQueryCancellation}): when that request's client goes away, a query still running is
 * cancelled on the server (`pg_cancel_backend`, from a connection of its own, since the pool may be
 * exhausted by exactly such queries) and one not yet sent fails at once.
 */
function cancellable(driver: typeof pg, pool: pg.Pool, connectionString: string): PostgresPool {
  const cancel = async (pid: number) => {
    const client = new driver.Client({ connectionString });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("select pg_cancel_backend($1)", [pid]);
    } catch {
      // The query may have finished, or the database be unreachable: nothing left to cancel.
    } finally {
      await client.end().catch(() => {});
    }
  };
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  return {
    async connect(): Promise<pg.PoolClient> {
      const client = (await connect()) as pg.PoolClient & { [PATCHED]?: true; processID?: number };
      if (!client[PATCHED]) {
        // A connection lost between two queries of a checked-out client (inside a transaction)
        // emits "error"; its query fails on its own, and the pool drops the client on release.
        client.on("error", () => {});
        const original = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...given: unknown[]) => {
          const args = withStatementName(given);
          const signal = currentQuerySignal();
          if (!signal) return original(...args);
          if (signal.aborted) return Promise.reject(Object.assign(new Error("canceling statement: the client went away"), { code: "57014" }));
          const result = original(...args) as Promise<unknown>;
          // A cursor (streamed rows) is not a promise; it ends with its connection.
          if (typeof result?.then !== "function") return result;
          const onAbort = () => void cancel(client.processID!);
          signal.addEventListener("abort", onAbort, { once: true });
          return result.finally(() => signal.removeEventListener("abort", onAbort));
        };
        client[PATCHED] = true;
      }
      return client;
    },
    end: () => pool.end(),
  };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Wraps a better-sqlite3 connection so that `prepare` reuses statements by SQL text. Kysely
 * prepares every query afresh, and preparing costs as much as running a small insert; the
 * statements of a hot path (log-metric) repeat exactly. Execution is synchronous, so a shared
 * statement is never used by two queries at once.
 */
function cachingStatements(connection: SQLite.Database): { prepare: SQLite.Database["prepare"]; close: () => void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(source: string) {
      let statement = cache.get(source);
      if (statement) {
        // Move to the back: the map's insertion order is the eviction order.
        cache.delete(source);
      } else {
        statement = connection.prepare(source);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(source, statement);
      return statement;
    },
    close: () => connection.close(),
  } as { prepare: SQLite.Database["prepare"]; close: () => void };
}

/**
 * Removes the password from a URI so it can be logged.
 *
 * @example
 * redact("postgresql://u:secret@h/db"); // "postgresql://u:***@h/db"
 */
export function redact(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
