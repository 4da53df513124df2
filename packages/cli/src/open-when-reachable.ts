import http from "node:http";
import type { AddressInfo } from "node:net";
import { isMlflowError } from "@mlflow-ts/protocol";
import type { Logger, ServerConfig } from "@mlflow-ts/plugin-api";

const UNAVAILABLE = JSON.stringify({ error_code: "TEMPORARILY_UNAVAILABLE", message: "The database is unavailable; retry the request" });

function isUnreachable(error: unknown): boolean {
  return isMlflowError(error) && error.code === "TEMPORARILY_UNAVAILABLE";
}

// What the address answers until the database is reachable: MLflow's retryable 503 JSON for the
// API (its clients retry 5xx), 503 "database unavailable" at /health.
function placeholder(config: ServerConfig): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    const path = (req.url ?? "/").split("?")[0];
    if (path === `${config.staticPrefix}/health`) {
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("database unavailable");
      return;
    }
    res.writeHead(503, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(UNAVAILABLE), "Retry-After": "1" });
    res.end(UNAVAILABLE);
  });
}

/**
 * Runs `open` (connect, check the schema); while the database cannot be reached, listens on the
 * server's address answering 503 and retries every second or so, so a server started before its
 * database — or during a database restart — comes up by itself. Resolves with what `open` gave and,
 * when a placeholder listened, the port it had (the real server takes the same one). Any other
 * failure is thrown at once.
 *
 * @example
 * const { value: opened, port } = await openWhenReachable(config, logger, () => openStores(config, { create: true }));
 */
export async function openWhenReachable<T>(config: ServerConfig, logger: Logger, open: () => Promise<T>): Promise<{ value: T; port?: number }> {
  try {
    return { value: await open() };
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    logger.warn("the database is unreachable; answering 503 until it is", { error: (error as Error).message });
  }
  const server = placeholder(config);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  logger.info(`mlflow-ts listening on http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port} (database unreachable: 503 until it answers)`, { pid: process.pid });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  let lastWarning = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    await new Promise((r) => setTimeout(r, Math.min(1_000 * attempt, 5_000)));
    try {
      const value = await open();
      await stop();
      logger.info("the database is reachable", { attempts: attempt + 1 });
      return { value, port };
    } catch (error) {
      if (!isUnreachable(error)) {
        await stop();
        throw error;
      }
      if (Date.now() - lastWarning > 30_000) {
        lastWarning = Date.now();
        logger.warn("the database is still unreachable", { error: (error as Error).message });
      }
    }
  }
}
