import { createDatabase, LocalArtifactStore, SqlRegistryStore, SqlTrackingStore, type Database } from "@mlflow-ts/store";
import type { ServerConfig } from "@mlflow-ts/plugin-api";
import type { ServerStores } from "@mlflow-ts/server";

/** Opened stores and how to close them. */
export interface OpenStores {
  readonly stores: ServerStores;
  readonly displayUri: string;
  close(): Promise<void>;
}

/**
 * Opens the backend store the configuration names and, unless told not to (cluster workers,
 * whose primary already did it), brings its schema up to date.
 *
 * @example
 * const { stores, close } = await openStores(config, { migrate: true });
 */
export async function openStores(config: ServerConfig, options: { migrate: boolean }): Promise<OpenStores> {
  const database = await createDatabase(config.backendStoreUri, { cwd: config.cwd });
  const opened: Database[] = [database];
  const closeAll = async () => {
    for (const d of opened) await d.close();
  };
  try {
    const tracking = new SqlTrackingStore(database, {
      defaultArtifactRoot: config.defaultArtifactRoot,
      truncateLongValues: config.truncateLongValues,
    });
    if (options.migrate) await tracking.migrate();
    // A separate registry URI gets its own connection, with the same schema.
    let registryDatabase = database;
    if (config.registryStoreUri !== config.backendStoreUri) {
      registryDatabase = await createDatabase(config.registryStoreUri, { cwd: config.cwd });
      opened.push(registryDatabase);
      if (options.migrate) await new SqlTrackingStore(registryDatabase, { defaultArtifactRoot: config.defaultArtifactRoot }).migrate();
    }
    const registry = new SqlRegistryStore(registryDatabase, {
      ...(registryDatabase === database ? {} : { runArtifactUriOf: async (runId: string) => (await tracking.getRun(runId)).info.artifact_uri }),
    });
    const artifacts = new LocalArtifactStore(config.artifactsDestination);
    return { stores: { tracking, registry, artifacts }, displayUri: database.displayUri, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
