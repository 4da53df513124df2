import { createDatabase, prepareSchema, SqlRegistryStore, SqlTrackingStore, type Database } from "@mlflow-ts/store";
import type { ArtifactRepository, ArtifactStore, Logger, ServerConfig } from "@mlflow-ts/plugin-api";
import { isPluginHostError } from "@mlflow-ts/plugin-host";
import { repositoryArtifactStore, type ServerStores } from "@mlflow-ts/server";
import { namesStorage, openArtifactRepository } from "./open-artifact-repository.js";

/** Opened stores and how to close them. */
export interface OpenStores {
  readonly stores: ServerStores;
  readonly displayUri: string;
  /** Set when the tracking database is too big for the chart index to be added at start-up. */
  readonly unindexedMetricRows?: number;
  /** The store of a `--default-artifact-root` on storage (`s3://…`), for direct-mode reads. */
  readonly rootArtifacts?: ArtifactStore;
  /** Things to tell the operator at start-up (a default artifact root whose scheme no package serves). */
  readonly warnings: readonly string[];
  /** Resolves when every database the stores use answers (for `/health`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the backend store the configuration names, in place at its revision. An empty database is
 * given MLflow's schema, unless told not to (cluster workers, whose primary already did it); an
 * existing one is never upgraded here (that is `mlflow db upgrade`). The artifact repositories
 * are opened first, by scheme: `--artifacts-destination` (an unknown scheme is fatal: its uploads
 * would have nowhere to go) and a `--default-artifact-root` on storage (an unknown scheme is a
 * warning: clients write there themselves; the server's reads answer 501 naming the scheme).
 * `env` is what repositories read their settings from (`AWS_*`, `MLFLOW_S3_*`).
 *
 * @example
 * const { stores, close } = await openStores(config, { create: true, env: process.env });
 */
export async function openStores(config: ServerConfig, options: { create: boolean; env?: Readonly<Record<string, string | undefined>>; logger?: Logger }): Promise<OpenStores> {
  const env = options.env ?? {};
  const repositories: ArtifactRepository[] = [];
  const warnings: string[] = [];
  const destination = await openArtifactRepository(config.artifactsDestination, config, env, options.logger);
  repositories.push(destination);
  let rootArtifacts: ArtifactStore | undefined;
  if (namesStorage(config.defaultArtifactRoot)) {
    try {
      const root = await openArtifactRepository(config.defaultArtifactRoot, config, env, options.logger);
      repositories.push(root);
      rootArtifacts = repositoryArtifactStore(root);
    } catch (error) {
      if (!isPluginHostError(error) || error.code !== "ERR_ARTIFACT_REPOSITORY_NOT_FOUND") throw error;
      warnings.push(`--default-artifact-root ${config.defaultArtifactRoot}: ${error.message} Until then the server cannot read artifacts there (the UI's downloads answer 501).`);
    }
  }
  const closeRepositories = async () => {
    for (const r of repositories) await r.close?.();
  };
  const serving = { cwd: config.cwd, statementTimeoutMs: config.statementTimeoutSeconds * 1000, poolSize: config.dbPoolSize, processes: config.workers };
  const database = await createDatabase(config.backendStoreUri, serving).catch(async (error: unknown) => {
    await closeRepositories();
    throw error;
  });
  const opened: Database[] = [database];
  const closeAll = async () => {
    for (const d of opened) await d.close();
    await closeRepositories();
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
    const artifacts = repositoryArtifactStore(destination);
    const ping = async () => {
      for (const d of opened) await d.ping();
    };
    return {
      stores: { tracking, registry, artifacts, traces: tracking.traces, datasets: tracking.datasets, scorers: tracking.scorers },
      displayUri: database.displayUri,
      unindexedMetricRows: tracking.schema.metricRowsUnindexed,
      ...(rootArtifacts ? { rootArtifacts } : {}),
      warnings,
      ping,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
