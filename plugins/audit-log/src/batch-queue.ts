import type { AuditEntry } from "./audit-entry.js";

/** Options of a {@link BatchQueue}. */
export interface BatchQueueOptions {
  /** Longest time an entry waits before its batch is written. */
  readonly flushIntervalMs: number;
  /** Entries held while the target is slow or down; beyond it new entries are dropped and counted. */
  readonly maxQueue: number;
}

/** What a {@link BatchQueue} reports on `/health?detail`. */
export interface BatchQueueStats {
  readonly queued: number;
  readonly written: number;
  readonly dropped: number;
  readonly error?: string;
}

// A queue this long is written at once rather than at the next tick of the timer.
const BATCH = 2_000;
const RETRY_MS = 1_000;

/**
 * The queue in front of a target: `push` only appends to an array (a request never waits for a
 * disk or a database); a timer writes what is queued in one batch, one batch at a time; a failed
 * batch stays queued and is retried every second, bounded by `maxQueue`.
 *
 * @example
 * const queue = new BatchQueue((batch) => appendLines(batch), { flushIntervalMs: 200, maxQueue: 100_000 });
 * queue.push(entry);
 * await queue.close();
 */
export class BatchQueue {
  private queue: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private written = 0;
  private dropped = 0;
  private lastError: string | undefined;
  private closed = false;

  constructor(
    private readonly writeBatch: (batch: readonly AuditEntry[]) => Promise<void>,
    private readonly options: BatchQueueOptions,
  ) {}

  push(entry: AuditEntry): void {
    if (this.closed || this.queue.length >= this.options.maxQueue) {
      this.dropped += 1;
      return;
    }
    this.queue.push(entry);
    if (this.queue.length === BATCH) this.schedule(0);
    else if (!this.timer) this.schedule(this.options.flushIntervalMs);
  }

  /** Writes everything queued so far (a failure stays queued and shows in {@link stats}). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // One batch at a time; a flush that finds one running waits for it, then writes what is left.
    while (this.running) await this.running;
    if (this.queue.length === 0) return;
    // What is queued now is one batch; what comes while it is written waits for the next tick of
    // the timer, so a busy server writes a few large batches a second, not a stream of small ones.
    const batch = this.queue;
    this.queue = [];
    this.running = this.write(batch).finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 && !this.timer && !this.closed) this.schedule(this.options.flushIntervalMs);
    });
    await this.running;
  }

  /** Stops taking entries and writes the queued ones; rejects when some could not be written. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    clearTimeout(this.timer);
    if (this.queue.length) throw new Error(`${this.queue.length} audit entries could not be written: ${this.lastError}`);
  }

  stats(): BatchQueueStats {
    return { queued: this.queue.length, written: this.written, dropped: this.dropped, ...(this.lastError ? { error: this.lastError } : {}) };
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
    // The server's own handles keep the process alive; close() writes what is queued.
    this.timer.unref();
  }

  private async write(batch: AuditEntry[]): Promise<void> {
    try {
      await this.writeBatch(batch);
      this.written += batch.length;
      this.lastError = undefined;
    } catch (error) {
      // Kept for the next attempt, bounded like the queue, and reported on /health.
      this.lastError = String((error as Error)?.message ?? error).slice(0, 300);
      const kept = batch.concat(this.queue);
      this.dropped += Math.max(0, kept.length - this.options.maxQueue);
      this.queue = kept.slice(0, this.options.maxQueue);
      if (!this.closed) this.schedule(RETRY_MS);
    }
  }
}
