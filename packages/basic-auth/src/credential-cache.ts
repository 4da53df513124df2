import { hash, randomBytes } from "node:crypto";
import type { UserRecord } from "@mlflow-ts/authz";

/**
 * A verified caller: the username the header carried, and its record.
 *
 * @example
 * const hit: CachedCredential | undefined = cache.get(header);
 * if (hit) return { username: hit.username };
 */
export interface CachedCredential {
  readonly username: string;
  readonly user: UserRecord;
  readonly expires: number;
}

/**
 * Remembers successful password checks so the KDF (≈50 ms of scrypt) runs once per user per TTL,
 * not once per request. Entries are keyed by a SHA-256 of the whole `Authorization` header under a
 * per-process random secret, so neither the header nor the password is kept, and a hit needs the
 * exact header that was verified. (A one-shot hash, not an HMAC: it is checked on every request,
 * and costs about a fifth.) A change of password, admin flag or user drops the username's entries
 * at once ({@link invalidate}), here and — through the database's notification channel — in every
 * replica.
 *
 * @example
 * const hit = cache.get(req.get("authorization")!);
 * if (!hit) cache.set(header, "alice", await verifiedUser());
 */
export class CredentialCache {
  private readonly secret = randomBytes(32).toString("base64");
  private readonly entries = new Map<string, CachedCredential>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key(header: string): string {
    return hash("sha256", this.secret + header, "base64");
  }

  /** The caller, when this exact header was verified within the TTL. */
  get(header: string): CachedCredential | undefined {
    if (this.ttlMs <= 0) return undefined;
    const key = this.key(header);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Records a successful check of `header`, which named `username`. */
  set(header: string, username: string, user: UserRecord): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(this.key(header), { username, user, expires: this.now() + this.ttlMs });
  }

  /** Forgets a user (or everyone). */
  invalidate(username?: string): void {
    if (username === undefined) return this.entries.clear();
    for (const [key, entry] of this.entries) if (entry.username === username) this.entries.delete(key);
  }
}
