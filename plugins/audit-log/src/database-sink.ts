import { sql, type Insertable } from "kysely";
import type { HealthReport } from "@mlflow-ts/plugin-api";
import type { AuditEntry } from "./audit-entry.js";
import type { AuditPage, AuditSink } from "./audit-sink.js";
import { decodePageToken, encodePageToken, endpointText, type AuditQuery } from "./audit-query.js";
import { BatchQueue, type BatchQueueOptions } from "./batch-queue.js";
import type { AuditDatabase, AuditRow } from "./open-audit-database.js";
import { createAuditTable } from "./create-audit-table.js";

// Rows per INSERT: 6 parameters each stays far below every driver's limit.
const ROWS_PER_INSERT = 500;
// Rows per DELETE of the retention: short transactions, so writers are never held up for long.
const ROWS_PER_DELETE = 5_000;
const DAY_MS = 86_400_000;

/** How long rows are kept (the `keepDays` setting) and how often older ones are deleted. */
export interface RetentionOptions {
  /** Rows older than this many days are deleted; 0 keeps every row. */
  readonly keepDays: number;
  /** Time between two prunes (the first runs as the sink opens); an hour by default. */
  readonly pruneIntervalMs?: number;
}

/** The last prune, on `/health?detail`. */
interface PruneReport {
  readonly at: string;
  readonly deleted?: number;
  readonly error?: string;
}

/** `%`, `_` and the escape character itself, escaped for `LIKE … ESCAPE '!'` (the same on every dialect). */
function likeEscaped(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * The `database` target: entries as rows of the table `audit_log` (created if missing; no other
 * table is touched), inserted in batches from a queue, never while a request waits. The columns a
 * search filters on (time, kind, username, outcome, endpoint) are columns; the whole entry is the
 * JSON text `entry`. SQLite, PostgreSQL and MySQL/MariaDB.
 *
 * @example
 * const sink = await DatabaseSink.open(await openAuditDatabase(uri, cwd), { flushIntervalMs: 200, maxQueue: 100_000, keepDays: 90 });
 * sink.write(entry);
 * await sink.close();
 */
export class DatabaseSink implements AuditSink {
  private readonly queue: BatchQueue;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<number> | undefined;
  private lastPrune: PruneReport | undefined;

  private constructor(
    private readonly database: AuditDatabase,
    options: BatchQueueOptions,
    private readonly retention: RetentionOptions,
  ) {
    this.queue = new BatchQueue((batch) => this.insert(batch), options);
  }

  /**
   * Creates the table and its indexes when missing, then takes entries. With `keepDays`, rows
   * older than that are deleted now (in the background) and every `pruneIntervalMs` after.
   */
  static async open(database: AuditDatabase, options: BatchQueueOptions & Partial<RetentionOptions>): Promise<DatabaseSink> {
    await createAuditTable(database);
    const sink = new DatabaseSink(database, options, { keepDays: options.keepDays ?? 0, pruneIntervalMs: options.pruneIntervalMs ?? 3_600_000 });
    if (sink.retention.keepDays > 0) {
      // Not awaited: a large first prune must not hold the server's start; its outcome is on /health.
      void sink.prune();
      sink.pruneTimer = setInterval(() => void sink.prune(), sink.retention.pruneIntervalMs);
      sink.pruneTimer.unref();
    }
    return sink;
  }

  /**
   * Deletes the rows older than `keepDays` before `now`, a batch at a time, and resolves with how
   * many went (0 when retention is off). Several server processes may prune at once: each
   * batch deletes by id what it found, so they only share the work. One prune at a time here.
   *
   * @example
   * const deleted = await sink.prune(); // rows older than keepDays, gone
   */
  prune(now: number = Date.now()): Promise<number> {
    if (this.retention.keepDays <= 0) return Promise.resolve(0);
    if (this.pruning) return this.pruning;
    const cutoff = new Date(now - this.retention.keepDays * DAY_MS).toISOString();
    const at = new Date(now).toISOString();
    this.pruning = this.deleteBefore(cutoff)
      .then(
        (deleted) => {
          this.lastPrune = { at, deleted };
          return deleted;
        },
        (error: unknown) => {
          this.lastPrune = { at, error: error instanceof Error ? error.message : String(error) };
          return 0;
        },
      )
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  write(entry: AuditEntry): void {
    this.queue.push(entry);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    try {
      await this.pruning;
      await this.queue.close();
    } finally {
      await this.database.close();
    }
  }

  health(): HealthReport {
    const stats = this.queue.stats();
    const retention = this.retention.keepDays > 0 ? { keepDays: this.retention.keepDays, ...(this.lastPrune ? { lastPrune: this.lastPrune } : {}) } : undefined;
    return { ok: stats.error === undefined, detail: { target: "database", database: this.database.displayUri, ...stats, ...(retention ? { retention } : {}) } };
  }

  async search(query: AuditQuery): Promise<AuditPage> {
    await this.flush();
    let select = this.database.db.selectFrom("audit_log").select(["id", "entry"]).orderBy("id", "desc").limit(query.maxResults + 1);
    if (query.pageToken) select = select.where("id", "<", decodePageToken<{ id: number }>(query.pageToken, ["id"]).id);
    if (query.user !== undefined) select = select.where("username", "=", query.user);
    if (query.kind !== undefined) select = select.where("kind", "=", query.kind);
    if (query.outcome !== undefined) select = select.where("outcome", "=", query.outcome);
    if (query.since !== undefined) select = select.where("time", ">=", query.since);
    if (query.until !== undefined) select = select.where("time", "<=", query.until);
    if (query.endpoint !== undefined) select = select.where(sql<boolean>`lower(endpoint) like ${`%${likeEscaped(query.endpoint.toLowerCase())}%`} escape '!'`);
    const rows = await select.execute();
    const page = rows.slice(0, query.maxResults);
    const entries = page.map((row) => JSON.parse(row.entry) as AuditEntry);
    return rows.length > query.maxResults ? { entries, nextPageToken: encodePageToken({ id: Number(page[page.length - 1]!.id) }) } : { entries };
  }

  /** Deletes rows whose time is before `cutoff` (ISO 8601 UTC, which sorts as text), by id, in batches. */
  private async deleteBefore(cutoff: string): Promise<number> {
    const { db } = this.database;
    let deleted = 0;
    for (;;) {
      const ids = (await db.selectFrom("audit_log").select("id").where("time", "<", cutoff).orderBy("id").limit(ROWS_PER_DELETE).execute()).map((r) => r.id);
      if (ids.length === 0) break;
      const result = await db.deleteFrom("audit_log").where("id", "in", ids).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      if (ids.length < ROWS_PER_DELETE) break;
    }
    return deleted;
  }

  private async insert(batch: readonly AuditEntry[]): Promise<void> {
    const rows: Insertable<AuditRow>[] = batch.map((entry) => ({
      time: entry.time,
      kind: entry.kind,
      username: entry.user === null ? null : entry.user.slice(0, 255),
      outcome: entry.outcome,
      endpoint: endpointText(entry).slice(0, 1024),
      entry: JSON.stringify(entry),
    }));
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await this.database.db.insertInto("audit_log").values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
    }
  }
}
