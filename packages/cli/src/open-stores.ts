import { createDatabase, prepareSchema, LocalArtifactStore, SqlRegistryStore, SqlTrackingStore, type Database } from "@mlflow-ts/store";
import type { ServerConfig } from "@mlflow-ts/plugin-api";
import type { ServerStores } from "@mlflow-ts/server";

/** Opened stores and how to close them. */
export interface OpenStores {
  readonly stores: ServerStores;
  readonly displayUri: string;
  /** Set when the tracking database is too big for the chart index to be added at start-up. */
  readonly unindexedMetricRows?: number;
  /** Resolves when every database the stores use answers (for `/health`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the backend store the configuration names, in place at its revision. An empty database is
 * given MLflow's schema, unless told not to (cluster workers, whose primary already did it); an
 * existing one is never upgraded here (that is `mlflow db upgrade`).
 *
 * @example
 * const { stores, close } = await openStores(config, { create: true });
 */
export async function openStores(config: ServerConfig, options: { create: boolean }): Promise<OpenStores> {
  const serving = { cwd: config.cwd, statementTimeoutMs: config.statementTimeoutSeconds * 1000, poolSize: config.dbPoolSize, processes: config.workers };
  const database = await createDatabase(config.backendStoreUri, serving);
  const opened: Database[] = [database];
  const closeAll = async () => {
    for (const d of opened) await d.close();
  };
  try {
    const tracking = await SqlTrackingStore.open(database, {
      defaultArtifactRoot: config.defaultArtifactRoot,
      truncateLongValues: config.truncateLongValues,
      cwd: config.cwd,
      create: options.create,
    });
    // A separate registry URI gets its own connection, with MLflow's schema too.
    let registryDatabase = database;
    let registrySchema = tracking.schema;
    if (config.registryStoreUri !== config.backendStoreUri) {
      registryDatabase = await createDatabase(config.registryStoreUri, serving);
      opened.push(registryDatabase);
      registrySchema = await prepareSchema(registryDatabase, { create: options.create, defaultArtifactRoot: config.defaultArtifactRoot });
    }
    const registry = new SqlRegistryStore(registryDatabase, registrySchema, {
      cwd: config.cwd,
      ...(registryDatabase === database ? {} : { runArtifactUriOf: async (runId: string) => (await tracking.getRun(runId)).info.artifact_uri }),
    });
    const artifacts = new LocalArtifactStore(config.artifactsDestination);
    const ping = async () => {
      for (const d of opened) await d.ping();
    };
    return { stores: { tracking, registry, artifacts, traces: tracking.traces, datasets: tracking.datasets, scorers: tracking.scorers }, displayUri: database.displayUri, unindexedMetricRows: tracking.schema.metricRowsUnindexed, ping, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
