import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<AbortSignal>();
let active = false;

/**
 * Runs `fn` with a cancellation signal that the database layer sees in every query `fn` starts,
 * however deep: when the signal aborts (the client went away), PostgreSQL queries still running for
 * it are cancelled on the server, and queries not yet sent fail at once, so an abandoned request
 * stops holding a pooled connection.
 *
 * @example
 * const controller = new AbortController();
 * res.on("close", () => res.writableFinished || controller.abort());
 * await withQueryCancellation(controller.signal, () => store.searchRuns(input));
 */
export function withQueryCancellation<T>(signal: AbortSignal, fn: () => T): T {
  return current.run(signal, fn);
}

/**
 * The cancellation signal of the request the calling code serves, if any.
 *
 * @example
 * if (currentQuerySignal()?.aborted) throw new Error("client gone");
 */
export function currentQuerySignal(): AbortSignal | undefined {
  return current.getStore();
}

/**
 * Whether any database of this process can cancel queries (PostgreSQL). Callers skip
 * {@link withQueryCancellation} otherwise: on Node 20 an AsyncLocalStorage in use slows every
 * promise, which SQLite's synchronous queries would pay for nothing (≈8% of log-metric throughput).
 *
 * @example
 * if (queryCancellationActive()) withQueryCancellation(signal, run); else run();
 */
export function queryCancellationActive(): boolean {
  return active;
}

/** Marks that a database which honours cancellation was opened (called by `createDatabase`). */
export function enableQueryCancellation(): void {
  active = true;
}

/**
 * Runs `fn` outside any request's cancellation signal: for work shared by several requests (a
 * group commit), which no single client going away may cancel.
 *
 * @example
 * await withoutQueryCancellation(() => writeGroup(jobs));
 */
export function withoutQueryCancellation<T>(fn: () => T): T {
  return current.exit(fn);
}
