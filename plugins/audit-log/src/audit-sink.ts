import type { HealthReport } from "@mlflow-ts/plugin-api";
import type { AuditEntry } from "./audit-entry.js";
import type { AuditQuery } from "./audit-query.js";

/**
 * A page of search results, newest first; `nextPageToken` when there may be more.
 *
 * @example
 * const { entries, nextPageToken } = await sink.search({ maxResults: 100 });
 */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly nextPageToken?: string;
}

/**
 * Where entries go: a rotated file ({@link FileSink}) or a database table ({@link DatabaseSink}).
 * `write` queues and returns at once — a request never waits for the disk or the database; the
 * queue is written in batches, and flushed by `close`.
 *
 * @example
 * sink.write(entry);
 * const page = await sink.search({ user: "alice", maxResults: 50 });
 * await sink.close();
 */
export interface AuditSink {
  /** Queues an entry; never throws, never waits. Beyond the queue's bound the entry is dropped (and counted). */
  write(entry: AuditEntry): void;
  /** Entries matching the query, newest first (written ones, after flushing what is queued). */
  search(query: AuditQuery): Promise<AuditPage>;
  /** Writes what is queued. */
  flush(): Promise<void>;
  /** Flushes, then releases the file or the connections; later writes are dropped. */
  close(): Promise<void>;
  /** For `/health?detail`: whether entries are being written, and counters. */
  health(): HealthReport;
}
