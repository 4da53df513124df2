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
 * const sink = await DatabaseSink.open(await openAuditDatabase(uri, cwd), { flushIntervalMs: 200, maxQueue: 100_000 });
 * sink.write(entry);
 * await sink.close();
 */
export class DatabaseSink implements AuditSink {
  private readonly queue: BatchQueue;

  private constructor(
    private readonly database: AuditDatabase,
    options: BatchQueueOptions,
  ) {
    this.queue = new BatchQueue((batch) => this.insert(batch), options);
  }

  /** Creates the table and its indexes when missing, then takes entries. */
  static async open(database: AuditDatabase, options: BatchQueueOptions): Promise<DatabaseSink> {
    await createAuditTable(database);
    return new DatabaseSink(database, options);
  }

  write(entry: AuditEntry): void {
    this.queue.push(entry);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  async close(): Promise<void> {
    try {
      await this.queue.close();
    } finally {
      await this.database.close();
    }
  }

  health(): HealthReport {
    const stats = this.queue.stats();
    return { ok: stats.error === undefined, detail: { target: "database", database: this.database.displayUri, ...stats } };
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
