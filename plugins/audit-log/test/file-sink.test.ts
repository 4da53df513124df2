import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSink, type AuditEntry } from "../dist/app.js";

// The file target on real files: rotation by size with `keep` files, search and paging across
// rotated files, two writers on one file (as --workers has), close() flushing, a target that
// fails and recovers.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-file-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const entry = (n: number, user = "alice"): AuditEntry => ({
  time: new Date(1_800_000_000_000 + n).toISOString(),
  kind: "request",
  user,
  method: "POST",
  endpoint: "/api/2.0/mlflow/runs/log-metric",
  path: "/api/2.0/mlflow/runs/log-metric",
  status: 200,
  outcome: "success",
  resource: { run_id: `run-${String(n).padStart(5, "0")}`, key: "loss" },
  ms: 1.5,
});
const seqOf = (e: AuditEntry) => Number(String(e.resource!.run_id).slice(4));
const linesOf = (file: string) =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);
const open = (file: string, maxBytes: number, keep: number) => FileSink.open({ file, maxBytes, keep, flushIntervalMs: 5, maxQueue: 100_000 });

describe("FileSink", () => {
  it("rotates by size: <file>, <file>.1 … <file>.<keep>, none past maxBytes, the oldest dropped", async () => {
    const file = path.join(dir, "audit.log");
    const sink = await open(file, 2048, 2);
    for (let n = 0; n < 100; n += 1) {
      sink.write(entry(n));
      if (n % 9 === 0) await sink.flush();
    }
    await sink.close();
    expect(fs.readdirSync(dir).sort()).toEqual(["audit.log", "audit.log.1", "audit.log.2"]);
    for (const f of ["audit.log", "audit.log.1", "audit.log.2"]) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(2048);
    const kept = [...linesOf(`${file}.2`), ...linesOf(`${file}.1`), ...linesOf(file)].map(seqOf);
    // The newest entries, consecutive, ending with the last one written.
    expect(kept.at(-1)).toBe(99);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i));
    expect(kept.length).toBeLessThan(100);
  });

  it("searches newest first across the rotated files and pages through them", async () => {
    const file = path.join(dir, "audit.log");
    const sink = await open(file, 2048, 3);
    for (let n = 0; n < 80; n += 1) sink.write(entry(n, n % 3 === 0 ? "bob" : "alice"));
    const seen: AuditEntry[] = [];
    let token: string | undefined;
    do {
      const page = await sink.search({ maxResults: 5, ...(token ? { pageToken: token } : {}) });
      seen.push(...page.entries);
      token = page.nextPageToken;
    } while (token);
    const onDisk = [3, 2, 1].flatMap((n) => (fs.existsSync(`${file}.${n}`) ? linesOf(`${file}.${n}`) : [])).concat(linesOf(file));
    expect(seen.map(seqOf)).toEqual(onDisk.map(seqOf).reverse());
    const bobs = await sink.search({ user: "bob", maxResults: 1000 });
    expect(bobs.entries.length).toBeGreaterThan(0);
    expect(bobs.entries.every((e) => e.user === "bob" && seqOf(e) % 3 === 0)).toBe(true);
    await sink.close();
  });

  it("keeps no rotated file with keep = 0", async () => {
    const file = path.join(dir, "audit.log");
    const sink = await open(file, 1024, 0);
    for (let n = 0; n < 40; n += 1) {
      sink.write(entry(n));
      await sink.flush();
    }
    await sink.close();
    expect(fs.readdirSync(dir)).toEqual(["audit.log"]);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(1024);
    expect(linesOf(file).map(seqOf).at(-1)).toBe(39);
  });

  it("lets two writers share one file (as --workers does): every line once, whole, across rotations", async () => {
    const file = path.join(dir, "audit.log");
    const a = await open(file, 4096, 50);
    const b = await open(file, 4096, 50);
    for (let n = 0; n < 300; n += 1) {
      (n % 2 ? a : b).write(entry(n, n % 2 ? "a" : "b"));
      if (n % 25 === 0) await Promise.all([a.flush(), b.flush()]);
    }
    await Promise.all([a.close(), b.close()]);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith("audit.log"));
    expect(files.length).toBeGreaterThan(3);
    expect(files).not.toContain("audit.log.lock");
    const all = files.flatMap((f) => linesOf(path.join(dir, f))).map(seqOf);
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it("writes what is queued on close, and drops (and counts) what comes after", async () => {
    const file = path.join(dir, "audit.log");
    const sink = await FileSink.open({ file, maxBytes: 1 << 20, keep: 1, flushIntervalMs: 60_000, maxQueue: 1000 });
    for (let n = 0; n < 10; n += 1) sink.write(entry(n));
    expect(fs.readFileSync(file, "utf8")).toBe("");
    await sink.close();
    expect(linesOf(file).map(seqOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    sink.write(entry(10));
    expect(sink.health().detail).toMatchObject({ written: 10, dropped: 1, queued: 0 });
  });

  it("keeps entries while the file cannot be written, says so on health, and writes them once it can", async () => {
    const sub = path.join(dir, "logs");
    fs.mkdirSync(sub);
    const file = path.join(sub, "audit.log");
    const sink = await open(file, 1 << 20, 1);
    sink.write(entry(0));
    await sink.flush();
    fs.rmSync(sub, { recursive: true });
    // The sink looks at the path once a second.
    await new Promise((r) => setTimeout(r, 1100));
    sink.write(entry(1));
    await sink.flush();
    expect(sink.health()).toMatchObject({ ok: false, detail: { queued: 1 } });
    expect(String((sink.health().detail as { error: string }).error)).toMatch(/ENOENT/);
    fs.mkdirSync(sub);
    await expect.poll(() => sink.health().ok, { timeout: 5000 }).toBe(true);
    expect(linesOf(file).map(seqOf)).toEqual([1]);
    await sink.close();
  });

  it("refuses a file whose directory does not exist", async () => {
    await expect(open(path.join(dir, "nope", "audit.log"), 1024, 1)).rejects.toThrow(/the directory .*nope does not exist/);
  });
});
