import fs from "node:fs/promises";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { HealthReport } from "@mlflow-ts/plugin-api";
import type { AuditEntry } from "./audit-entry.js";
import type { AuditPage, AuditSink } from "./audit-sink.js";
import { decodePageToken, encodePageToken, matchesQuery, type AuditQuery } from "./audit-query.js";
import { readLinesBackward } from "./read-lines-backward.js";
import { RotationLock } from "./rotation-lock.js";
import { BatchQueue } from "./batch-queue.js";

// How often the file at the path is compared with the one open (rotation by another process).
const CHECK_MS = 1_000;

/** Options of {@link FileSink.open}. */
export interface FileSinkOptions {
  /** The log file, absolute. */
  readonly file: string;
  /** Size at which the file is rotated. */
  readonly maxBytes: number;
  /** Rotated files kept (`<file>.1` newest); 0 keeps none. */
  readonly keep: number;
  readonly flushIntervalMs: number;
  readonly maxQueue: number;
}

/**
 * The `file` target: JSON lines appended to a file, rotated by size (`<file>` → `<file>.1` →
 * … → `<file>.<keep>`, the oldest dropped). Entries are queued and written in batches from a timer,
 * never while a request waits; a batch never straddles a rotation, so no file grows past
 * `maxBytes` unless one line does. Several processes (`--workers`) may append to one file: each
 * write is one `write(2)` of whole lines in append mode, a rotation is made by one of them under a
 * lock file, and the others follow it to the new file within a second.
 *
 * @example
 * const sink = await FileSink.open({ file: "/var/log/mlflow-audit.log", maxBytes: 10 << 20, keep: 5, flushIntervalMs: 200, maxQueue: 100_000 });
 * sink.write(entry);
 * await sink.close();
 */
export class FileSink implements AuditSink {
  private readonly queue: BatchQueue;
  private handle: fs.FileHandle | undefined;
  private ino = 0;
  private size = 0;
  private checkedAt = 0;
  private readonly lock: RotationLock;

  private constructor(private readonly options: FileSinkOptions) {
    this.lock = new RotationLock(`${options.file}.lock`);
    this.queue = new BatchQueue((batch) => this.append(batch), options);
  }

  /** Opens (creates) the log file; its directory must exist, as a typo must not log somewhere unexpected. */
  static async open(options: FileSinkOptions): Promise<FileSink> {
    const dir = path.dirname(options.file);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`audit-log: cannot write ${options.file}: the directory ${dir} does not exist`);
    const sink = new FileSink(options);
    await sink.reopen();
    return sink;
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
      await this.handle?.close();
      this.handle = undefined;
    }
  }

  health(): HealthReport {
    const stats = this.queue.stats();
    return { ok: stats.error === undefined, detail: { target: "file", file: this.options.file, ...stats } };
  }

  async search(query: AuditQuery): Promise<AuditPage> {
    await this.flush();
    const files = await this.files();
    let first = 0;
    let end = files[0]?.size ?? 0;
    if (query.pageToken) {
      const token = decodePageToken<{ ino: number; offset: number }>(query.pageToken, ["ino", "offset"]);
      first = files.findIndex((f) => f.ino === token.ino);
      // The page's file was rotated out of the kept ones since: nothing older is left.
      if (first < 0) return { entries: [] };
      end = token.offset;
    }
    const entries: AuditEntry[] = [];
    const needles = needlesOf(query);
    let last = { ino: 0, offset: 0 };
    for (let i = first; i < files.length; i += 1) {
      const file = files[i]!;
      for await (const { line, offset } of readLinesBackward(file.path, i === first ? end : file.size)) {
        if (!needles.every((n) => line.includes(n))) continue;
        let entry: AuditEntry;
        try {
          entry = JSON.parse(line) as AuditEntry;
        } catch {
          continue; // a line another process is still writing
        }
        if (!matchesQuery(entry, query)) continue;
        if (entries.length === query.maxResults) return { entries, nextPageToken: encodePageToken(last) };
        entries.push(entry);
        last = { ino: file.ino, offset };
      }
    }
    return { entries };
  }

  /** The current file and the rotated ones that exist, newest first. */
  private async files(): Promise<{ path: string; ino: number; size: number }[]> {
    const names = [this.options.file, ...Array.from({ length: this.options.keep }, (_, i) => `${this.options.file}.${i + 1}`)];
    const stats = await Promise.all(names.map((name) => fs.stat(name).catch(() => undefined)));
    return names.flatMap((name, i) => (stats[i] ? [{ path: name, ino: stats[i]!.ino, size: stats[i]!.size }] : []));
  }

  private async append(batch: readonly AuditEntry[]): Promise<void> {
    await this.followRotation();
    const lines = batch.map((entry) => `${JSON.stringify(entry)}\n`);
    const text = lines.join("");
    const bytes = Buffer.byteLength(text);
    if (this.size + bytes <= this.options.maxBytes) return this.put(text, bytes);
    // The batch crosses the limit: cut it at line boundaries, rotating in between.
    let segment = "";
    let segmentBytes = 0;
    for (const line of lines) {
      const lineBytes = Buffer.byteLength(line);
      if (this.size + segmentBytes + lineBytes > this.options.maxBytes && this.size + segmentBytes > 0) {
        if (segmentBytes) await this.put(segment, segmentBytes);
        [segment, segmentBytes] = ["", 0];
        await this.rotate();
      }
      segment += line;
      segmentBytes += lineBytes;
    }
    if (segmentBytes) await this.put(segment, segmentBytes);
  }

  private async put(text: string, bytes: number): Promise<void> {
    // One write(2) of whole lines in the usual case; a short write (a full disk) goes on from where it stopped.
    const buffer = Buffer.from(text);
    for (let done = 0; done < buffer.length; ) done += (await this.handle!.write(buffer, done)).bytesWritten;
    this.size += bytes;
  }

  /**
   * Another process rotated (or someone moved or deleted the file): write to the file now at the
   * path. Looked at once a second at most — one `stat` — not for every batch; until then writes go
   * to the file this process has open, and other writers' lines count towards the size from then on.
   */
  private async followRotation(): Promise<void> {
    if (!this.handle) return this.reopen();
    const now = Date.now();
    if (now - this.checkedAt < CHECK_MS) return;
    this.checkedAt = now;
    const atPath = await fs.stat(this.options.file).catch(() => undefined);
    if (!atPath || atPath.ino !== this.ino) return this.reopen();
    this.size = atPath.size;
  }

  private async rotate(): Promise<void> {
    const { file, keep } = this.options;
    if (await this.lock.acquire()) {
      try {
        const atPath = await fs.stat(file).catch(() => undefined);
        // Unless another process rotated meanwhile, shift <file>.<n> → <file>.<n+1>, then <file> → <file>.1.
        if (atPath && atPath.ino === this.ino) {
          for (let n = keep - 1; n >= 1; n -= 1) await fs.rename(`${file}.${n}`, `${file}.${n + 1}`).catch(ignoreMissing);
          if (keep > 0) await fs.rename(file, `${file}.1`);
          else await fs.unlink(file);
        }
      } finally {
        await this.lock.release();
      }
    }
    await this.reopen();
  }

  private async reopen(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    this.handle = await fs.open(this.options.file, "a", 0o640);
    const stat = await this.handle.stat();
    this.ino = stat.ino;
    this.size = stat.size;
    this.checkedAt = Date.now();
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}

/** Literal pieces every matching line contains, checked before a line is parsed. */
function needlesOf(query: AuditQuery): string[] {
  const out: string[] = [];
  if (query.user !== undefined) out.push(`"user":${JSON.stringify(query.user)}`);
  if (query.kind !== undefined) out.push(`"kind":"${query.kind}"`);
  if (query.outcome !== undefined) out.push(`"outcome":"${query.outcome}"`);
  return out;
}
