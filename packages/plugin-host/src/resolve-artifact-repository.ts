import type { ArtifactRepositoryClass } from "@mlflow-ts/plugin-api";
import { checkCompatibility } from "./check-compatibility.js";
import { discoverApps, type AppDeclaration, type DiscoverOptions, type Discovery } from "./discover-apps.js";
import { describeDeclaration, loadEntry } from "./load-entry.js";
import { PluginHostError } from "./plugin-host-error.js";

/** A repository class ready to construct, and where it came from. */
export interface LoadedArtifactRepository {
  readonly repository: ArtifactRepositoryClass;
  readonly declaration: AppDeclaration;
}

/** The packages that provide a scheme, for the "not installed" message. */
const KNOWN_PACKAGES: Readonly<Record<string, string>> = { s3: "@mlflow-ts/artifacts-s3" };

/**
 * Finds the `mlflow.artifact_repository` declared for a URI scheme among installed packages,
 * checks its host range and imports only it. An unknown scheme fails with
 * `ERR_ARTIFACT_REPOSITORY_NOT_FOUND` naming the scheme, the schemes that are installed and how to
 * install a repository; a broken package fails with its original cause (`ERR_APP_LOAD_FAILED`).
 * (`file` is built into the server and never looked up here.)
 *
 * @example
 * const { repository } = await resolveArtifactRepository("s3", { cwd: process.cwd() });
 * const s3 = new repository("s3://bucket/mlflow", { env: process.env, cwd: process.cwd() });
 */
export async function resolveArtifactRepository(scheme: string, options: DiscoverOptions, discovery: Discovery = discoverApps(options)): Promise<LoadedArtifactRepository> {
  const wanted = scheme.toLowerCase();
  const declaration = discovery.repositories.find((d) => d.name === wanted);
  if (!declaration) {
    const available = discovery.repositories.map((d) => `${d.name} (${d.packageName}@${d.packageVersion}, ${d.dir})`);
    const pkg = KNOWN_PACKAGES[wanted];
    const install = pkg
      ? `Install it where the server runs: npm install ${pkg}`
      : `Install a package that declares "mlflow.artifact_repository": { "${wanted}": "<module>:<export>" } where the server runs (docs/writing-an-artifact-repository.md shows how to write one)`;
    throw new PluginHostError(
      "ERR_ARTIFACT_REPOSITORY_NOT_FOUND",
      `No installed package declares an artifact repository for the URI scheme '${wanted}:' in "mlflow.artifact_repository" (built in: file; installed: ${available.join("; ") || "none"}). ${install}.`,
    );
  }
  checkCompatibility(declaration);
  const value = await loadEntry(declaration);
  if (typeof value !== "function") {
    throw new PluginHostError("ERR_APP_INVALID", `${describeDeclaration(declaration)} exports a ${value === null ? "null" : typeof value}, not an artifact repository class.`);
  }
  return { repository: value as ArtifactRepositoryClass, declaration };
}
