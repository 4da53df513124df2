import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { UserRecord } from "./auth-store.js";

interface Entry {
  readonly mac: Buffer;
  readonly user: UserRecord;
  readonly expires: number;
}

/**
 * Remembers successful password checks so the KDF (≈50 ms of scrypt) runs once per user per TTL,
 * not once per request. Entries are keyed by username and an HMAC of the password under a
 * per-process random key (the password itself is never kept); a change of password, admin flag or
 * user drops the username at once ({@link invalidate}), here and — through the database's
 * notification channel — in every replica.
 *
 * @example
 * const cached = cache.get("alice", password) ?? (await verifyAndRemember());
 */
export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private mac(password: string): Buffer {
    return createHmac("sha256", this.key).update(password).digest();
  }

  /** The user, when this exact password was verified for them within the TTL. */
  get(username: string, password: string): UserRecord | undefined {
    const entry = this.entries.get(username);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(username);
      return undefined;
    }
    return timingSafeEqual(entry.mac, this.mac(password)) ? entry.user : undefined;
  }

  /** Records a successful check. */
  set(username: string, password: string, user: UserRecord): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(username, { mac: this.mac(password), user, expires: this.now() + this.ttlMs });
  }

  /** Forgets a user (or everyone). */
  invalidate(username?: string): void {
    if (username === undefined) this.entries.clear();
    else this.entries.delete(username);
  }
}
