/** The failed-login limits: per (client address, username), per address, over one window. */
export interface LoginLimits {
  /** Failed logins allowed for one username from one address. */
  readonly perUser: number;
  /** Failed logins allowed from one address, whatever the usernames (stops username floods). */
  readonly perAddress: number;
  readonly windowMs: number;
}

/**
 * Counts failed logins in a sliding window, per (client address, username) and per address; past
 * either limit the caller answers 429 with `Retry-After` instead of checking the password, which
 * also keeps the KDF from being a CPU-exhaustion lever. A success clears its (address, username)
 * count. Who may skip the limit (a credential that already succeeded) is the caller's decision.
 *
 * @example
 * const limiter = new LoginLimiter({ perUser: 10, perAddress: 100, windowMs: 300_000 });
 * const wait = limiter.blockedFor(ip, user); if (wait) return tooMany(wait);
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.limits.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  private wait(key: string, limit: number): number {
    const list = this.recent(key);
    if (list.length < limit) return 0;
    // The window frees up once the oldest failure that counts towards the limit leaves it.
    return Math.max(1, Math.ceil((list[list.length - limit]! + this.limits.windowMs - this.now()) / 1000));
  }

  /** Seconds to wait before trying again, or 0 when allowed. */
  blockedFor(address: string, username: string): number {
    return Math.max(this.wait(`u\u0000${address}\u0000${username}`, this.limits.perUser), this.wait(`a\u0000${address}`, this.limits.perAddress));
  }

  /** Records a failed login. */
  fail(address: string, username: string): void {
    for (const [key, limit] of [
      [`u\u0000${address}\u0000${username}`, this.limits.perUser],
      [`a\u0000${address}`, this.limits.perAddress],
    ] as const) {
      const list = this.recent(key);
      list.push(this.now());
      // Only the newest `limit` failures decide anything.
      if (list.length > limit) list.splice(0, list.length - limit);
      this.failures.set(key, list);
    }
    // Bound memory under a flood of distinct keys.
    while (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Records a successful login: that username's failures from that address are forgotten. */
  succeed(address: string, username: string): void {
    this.failures.delete(`u\u0000${address}\u0000${username}`);
  }
}
