import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import type { Database } from "./create-database.js";

const BEGIN = CompiledQuery.raw("begin immediate");
const SAVEPOINT = CompiledQuery.raw("savepoint group_write");
const RELEASE = CompiledQuery.raw("release group_write");
const ROLLBACK_TO = CompiledQuery.raw("rollback to group_write");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Work<T> = (trx: Kysely<any>) => Promise<T>;

interface Job {
  readonly fn: Work<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite. The one connection runs one transaction at a time, and its commit costs
 * more than a small request's statements; so the writes that arrive in the same turn of the event
 * loop share one transaction. Each runs under its own savepoint: a write that fails is rolled back
 * alone and answers its own error, the others go on; every promise settles only after the commit,
 * so nothing is acknowledged that is not stored (a failed commit fails every write of the group).
 */
class GroupCommit {
  private queue: Job[] = [];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(private readonly db: Kysely<any>) {}

  run<T>(fn: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // setImmediate runs after the poll phase has handed over every request that arrived with
      // this one: they all join the group.
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async flush(): Promise<void> {
    const jobs = this.queue;
    this.queue = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        // BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails at once with
        // SQLITE_BUSY (without the busy timeout) when another process wrote in between.
        await conn.executeQuery(BEGIN);
        try {
          if (jobs.length === 1) {
            outcomes.push({ ok: true, value: await jobs[0]!.fn(conn) });
          } else {
            for (const job of jobs) {
              await conn.executeQuery(SAVEPOINT);
              try {
                const value = await job.fn(conn);
                await conn.executeQuery(RELEASE);
                outcomes.push({ ok: true, value });
              } catch (error) {
                await conn.executeQuery(ROLLBACK_TO);
                await conn.executeQuery(RELEASE);
                outcomes.push({ ok: false, error });
              }
            }
          }
          await conn.executeQuery(COMMIT);
        } catch (error) {
          await conn.executeQuery(ROLLBACK).catch(() => {});
          throw error;
        }
      });
    } catch (error) {
      // The transaction as a whole failed (begin, commit, or a lone write): nothing was stored.
      jobs.forEach((job, i) => {
        const own = outcomes[i];
        job.reject(own && !own.ok ? own.error : error);
      });
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const groups = new WeakMap<Kysely<any>, GroupCommit>();

/**
 * Runs `fn` in one write transaction and returns its result; any throw rolls everything `fn`
 * wrote back. The promise settles once the transaction is committed.
 *
 * On SQLite, writes arriving together share one transaction, each under a savepoint
 * ({@link GroupCommit}): the same all-or-nothing per call, at a fraction of the commits.
 *
 * @example
 * await withTransaction(database, (trx) => trx.insertInto("tags").values(row).execute());
 */
export function withTransaction<T>(database: Database, fn: Work<T>): Promise<T> {
  if (database.dialect !== "sqlite") {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return database.db.transaction().execute((trx: Transaction<any>) => fn(trx));
  }
  let group = groups.get(database.db);
  if (!group) {
    group = new GroupCommit(database.db);
    groups.set(database.db, group);
  }
  return group.run(fn);
}

// PostgreSQL's deadlock and serialization failures, MySQL's deadlock and lock-wait timeout.
const CONFLICT_CODES = new Set(["40P01", "40001", "ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);

/**
 * Whether a transaction failed because it lost to a concurrent one (a deadlock, a serialization
 * failure, a lock wait): it was rolled back whole, so running it again is safe.
 *
 * @example
 * if (attempt < 3 && isTransactionConflict(error)) return retry();
 */
export function isTransactionConflict(error: unknown): boolean {
  return CONFLICT_CODES.has(String((error as { code?: unknown } | null)?.code));
}
