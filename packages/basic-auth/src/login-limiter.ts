/**
 * Counts failed logins per (client address, username) in a sliding window; past the limit the
 * caller answers 429 with `Retry-After` instead of checking the password at all, which also keeps
 * the KDF from being used as a CPU-exhaustion lever.
 *
 * @example
 * const wait = limiter.blockedFor(ip, user); if (wait) return tooMany(wait);
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Seconds to wait before trying again, or 0 when allowed. */
  blockedFor(address: string, username: string): number {
    const list = this.recent(`${address}\u0000${username}`);
    if (list.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now()) / 1000));
  }

  fail(address: string, username: string): void {
    const key = `${address}\u0000${username}`;
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    // Bound memory under a flood of distinct keys.
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(address: string, username: string): void {
    this.failures.delete(`${address}\u0000${username}`);
  }
}
