/**
 * Bounds concurrent password checks. A KDF check costs ≈50 ms of a thread-pool thread; a flood of
 * logins (random usernames, never limited by name) would otherwise queue every fresh login behind
 * it for seconds. At most `concurrency` checks run; up to `queue` more wait; past that a check is
 * refused at once (the caller answers 429). `priority` checks — credentials that already
 * succeeded once — may always wait, and go first.
 *
 * @example
 * const gate = new HashGate(2, 16);
 * const ok = gate.run(() => verifyPassword(pw, hash), false);
 * if (ok === undefined) return tooMany(1);
 */
export class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly urgent: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  /** Runs `check` when a slot is free; undefined when it was refused (too many waiting). */
  run<T>(check: () => Promise<T>, priority: boolean): Promise<T> | undefined {
    if (this.running < this.concurrency) return this.start(check);
    if (!priority && this.waiting.length + this.urgent.length >= this.queue) return undefined;
    return new Promise<void>((resolve) => (priority ? this.urgent : this.waiting).push(resolve)).then(() => this.start(check));
  }

  private async start<T>(check: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await check();
    } finally {
      this.running -= 1;
      (this.urgent.shift() ?? this.waiting.shift())?.();
    }
  }
}
