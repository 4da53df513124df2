import { artifactScheme, type ArtifactRepository, type Logger, type ServerConfig } from "@mlflow-ts/plugin-api";
import { resolveArtifactRepository } from "@mlflow-ts/plugin-host";
import { FileArtifactRepository } from "@mlflow-ts/store";
import { discoverOptions } from "./discover-options.js";

/**
 * Opens the artifact repository for a root URI by its scheme: `file` (a plain path or `file:`
 * URI) is built in; any other scheme is the `mlflow.artifact_repository` an installed package
 * declares for it, imported now and constructed with the URI and the environment (the CLI's to
 * read; nothing below it does). An unknown scheme throws `ERR_ARTIFACT_REPOSITORY_NOT_FOUND` naming
 * it and the package to install — never a local folder named `s3:`.
 *
 * @example
 * const repository = await openArtifactRepository("s3://bucket/mlflow", config, process.env);
 */
export async function openArtifactRepository(
  uri: string,
  config: Pick<ServerConfig, "cwd" | "pluginDirs" | "nodePath">,
  env: Readonly<Record<string, string | undefined>>,
  logger?: Logger,
): Promise<ArtifactRepository> {
  const scheme = artifactScheme(uri);
  if (scheme === "file") return new FileArtifactRepository(uri, { cwd: config.cwd });
  const { repository } = await resolveArtifactRepository(scheme, discoverOptions(config));
  return new repository(uri, { env, cwd: config.cwd, ...(logger ? { logger } : {}) });
}

/** Schemes of artifact roots that name no storage the server reads itself. */
const NOT_STORAGE = new Set(["mlflow-artifacts", "http", "https", "file"]);

/**
 * Whether a `--default-artifact-root` names storage the server must read through a repository in
 * direct mode (`s3://…`), rather than the proxy, a URL or a local directory.
 *
 * @example
 * namesStorage("s3://bucket/mlflow"); // true
 * namesStorage("mlflow-artifacts:/"); // false
 */
export function namesStorage(uri: string): boolean {
  return !NOT_STORAGE.has(artifactScheme(uri));
}
