/**
 * Resolves with the first SIGINT or SIGTERM the process receives, then stops listening for them
 * (a second signal gets Node's default: the process ends).
 *
 * @example
 * const signal = await waitForSignal();
 * logger.info("shutting down", { signal });
 */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
