import cluster from "node:cluster";
import type { Logger, MlflowApp, ServerConfig } from "@mlflow-ts/plugin-api";
import { AUTO_INDEX_MAX_ROWS } from "@mlflow-ts/store";
import { createLogger, createServer, startServer } from "@mlflow-ts/server";
import { webUiOptions } from "./web-ui-options.js";
import { applyServerApps, loadServerApps, type ServerApps } from "./load-server-apps.js";
import { WATCH_HANDOFF, handoff } from "./watch-server.js";
import { waitForSignal } from "./wait-for-signal.js";
import { openStores, type OpenStores } from "./open-stores.js";
import { openWhenReachable } from "./open-when-reachable.js";

// A big database MLflow made has no index on metrics (run_uuid, key, step): say once how to add it.
function warnIfUnindexed(logger: Logger, opened: OpenStores): void {
  if (opened.unindexedMetricRows === undefined) return;
  logger.warn(
    `metrics holds over ${AUTO_INDEX_MAX_ROWS.toLocaleString("en")} rows and no index on (run_uuid, key, step): charts of long histories read every point of their runs. Add the index (it takes a while on a big table) with: mlflow db upgrade ${opened.displayUri}`,
  );
}

async function serveOne(config: ServerConfig, migrateFirst: boolean, env: Env, loaded: ServerApps | undefined): Promise<number> {
  const logger = createLogger({ format: config.logFormat });
  // Under `--watch`, a spare server waits with its modules imported; on a change it loads the
  // apps' new code while the previous one still serves, then takes the port when told.
  const watched = env[WATCH_HANDOFF] === "1" && process.send !== undefined;
  if (watched) await handoff("idle", "load");
  const apps = loaded ?? (await loadServerApps(config, env));
  if (watched) await handoff("prepared", "listen");
  const { value: opened, port } = await openWhenReachable(config, logger, () => openStores(config, { create: migrateFirst, env, logger }));
  const { stores, close, displayUri, ping, rootArtifacts } = opened;
  if (migrateFirst) warnIfUnindexed(logger, opened);
  for (const warning of opened.warnings) logger.warn(warning);
  let running;
  try {
    const base = createServer(config, stores, { logger, webUi: webUiOptions(logger), databaseHealth: ping, ...(rootArtifacts ? { rootArtifacts } : {}) });
    // Apps are applied once the port is ours: a server that cannot listen must not have run an app
    // (basic-auth generates, prints and stores the first admin password while it is applied).
    const build = (app: MlflowApp): Promise<MlflowApp> => applyServerApps(app, apps, logger);
    running = await startServer(base, { host: config.host, port: port ?? config.port, onClose: close, build });
  } catch (error) {
    await close();
    throw error;
  }
  logger.info(`mlflow-ts listening on ${running.url}`, { url: running.url, backend: displayUri, pid: process.pid });
  const signal = await waitForSignal();
  logger.info("shutting down", { signal, pid: process.pid });
  await running.close();
  // A cluster worker stays alive while its IPC channel to the primary is open.
  if (cluster.isWorker) process.disconnect?.();
  return 0;
}

async function servePrimary(config: ServerConfig, env: Env, loaded: ServerApps | undefined): Promise<number> {
  const logger = createLogger({ format: config.logFormat });
  // The apps are checked here, before any worker starts (each worker loads its own).
  if (!loaded) await loadServerApps(config, env);
  // Migrate once, here, before any worker opens the database (answering 503 until it can).
  const { value: opened } = await openWhenReachable(config, logger, () => openStores(config, { create: true, env, logger }));
  warnIfUnindexed(logger, opened);
  await opened.close();
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.workers; i += 1) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error("worker died; starting another", { pid: worker.process.pid, code, signal });
    fork();
  });
  const signal = await waitForSignal();
  stopping = true;
  logger.info("shutting down workers", { signal });
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.once("exit", () => resolve());
          worker.process.kill("SIGTERM");
        }),
    ),
  );
  return 0;
}

/**
 * Serves until SIGINT/SIGTERM, then shuts down cleanly: in-flight requests finish, the database is
 * closed. With `workers > 1` the primary migrates, forks Node `cluster` workers that share the port,
 * restarts any that die, and stops them all on a signal. `apps`, when the caller has loaded and
 * checked them already (`checkServerApps`), are not loaded again.
 *
 * @example
 * process.exitCode = await runServer(config, process.env);
 */
export function runServer(config: ServerConfig, env: Env = {}, apps?: ServerApps): Promise<number> {
  if (config.workers > 1 && cluster.isPrimary) return servePrimary(config, env, apps);
  return serveOne(config, !cluster.isWorker, env, apps);
}

/** The environment artifact repositories read their settings from (the CLI's `process.env`). */
type Env = Readonly<Record<string, string | undefined>>;
