import fs from "node:fs/promises";

// A lock older than this was left by a process that died mid-rotation.
const STALE_MS = 30_000;

/**
 * A lock file (`open(…, "wx")`) that lets one of several processes appending to a log rotate it
 * while the others wait for the next batch. Advisory only: it guards the renames, not the writes.
 *
 * @example
 * const lock = new RotationLock("/var/log/mlflow-audit.log.lock");
 * if (await lock.acquire()) try { await rotate(); } finally { await lock.release(); }
 */
export class RotationLock {
  constructor(private readonly file: string) {}

  /** Takes the lock; false when another process holds it (a stale one is broken once). */
  async acquire(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await (await fs.open(this.file, "wx")).close();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const stat = await fs.stat(this.file).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs < STALE_MS) return false;
        await fs.unlink(this.file).catch(() => {});
      }
    }
    return false;
  }

  async release(): Promise<void> {
    await fs.unlink(this.file).catch(() => {});
  }
}
