import { createDatabase, SqlTrackingStore } from "@mlflow-ts/store";
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
  try {
    const tracking = new SqlTrackingStore(database, {
      defaultArtifactRoot: config.defaultArtifactRoot,
      truncateLongValues: config.truncateLongValues,
    });
    if (options.migrate) await tracking.migrate();
    return { stores: { tracking }, displayUri: database.displayUri, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}
