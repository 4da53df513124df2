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
  // Migrations may legitimately run long on a big database: they get a connection without the
  // statement timeout that serving uses.
  if (options.migrate) {
    for (const uri of new Set([config.backendStoreUri, config.registryStoreUri])) {
      const migrating = await createDatabase(uri, { cwd: config.cwd });
      try {
        await new SqlTrackingStore(migrating, { defaultArtifactRoot: config.defaultArtifactRoot }).migrate();
      } finally {
        await migrating.close();
      }
    }
  }
  const serving = { cwd: config.cwd, statementTimeoutMs: config.statementTimeoutSeconds * 1000 };
  const database = await createDatabase(config.backendStoreUri, serving);
  const opened: Database[] = [database];
  const closeAll = async () => {
    for (const d of opened) await d.close();
  };
  try {
    const tracking = new SqlTrackingStore(database, {
      defaultArtifactRoot: config.defaultArtifactRoot,
      truncateLongValues: config.truncateLongValues,
    });
    // A separate registry URI gets its own connection, with the same schema.
    let registryDatabase = database;
    if (config.registryStoreUri !== config.backendStoreUri) {
      registryDatabase = await createDatabase(config.registryStoreUri, serving);
      opened.push(registryDatabase);
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
