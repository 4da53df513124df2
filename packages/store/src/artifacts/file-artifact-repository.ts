import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { FileInfo } from "@mlflow-ts/protocol";
import { LocalArtifactStore, type ArtifactFile } from "./local-artifact-store.js";

/**
 * The built-in `file` artifact repository: a local directory behind the same contract as the
 * repositories packages declare under `mlflow.artifact_repository` (plugin-api's
 * `ArtifactRepository`, which this class satisfies by shape). A plain path resolves against `cwd`;
 * `file:///abs` URIs are accepted. No multipart, no presigned URLs: the proxy answers MLflow's 501
 * for them and clients stream one PUT.
 *
 * @example
 * const repository = new FileArtifactRepository("./mlartifacts", { cwd: process.cwd() });
 * const { files } = await repository.list("1/0a1b/artifacts");
 */
export class FileArtifactRepository {
  readonly store: LocalArtifactStore;

  constructor(uri: string, options: { readonly cwd: string }) {
    const directory = uri.startsWith("file:") ? fileURLToPath(uri.startsWith("file://") ? uri : `file://${uri.slice(5)}`) : uri;
    this.store = new LocalArtifactStore(path.resolve(options.cwd, directory));
  }

  /** The whole directory in one page: a local listing is cheap. */
  async list(relative: string): Promise<{ files: FileInfo[] }> {
    return { files: await this.store.list(relative) };
  }

  stat(relative: string): Promise<{ size: number } | undefined> {
    return this.store.stat(relative);
  }

  read(relative: string, options?: { readonly range?: { readonly start: number; readonly end?: number } }): Promise<ArtifactFile> {
    return this.store.read(relative, options);
  }

  write(relative: string, body: Readable): Promise<void> {
    return this.store.write(relative, body);
  }

  delete(relative: string): Promise<void> {
    return this.store.delete(relative);
  }
}
