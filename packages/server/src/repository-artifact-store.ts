import type { FileInfo } from "@mlflow-ts/protocol";
import type { ArtifactRepository, ArtifactStore } from "@mlflow-ts/plugin-api";

/**
 * The {@link ArtifactStore} the server and apps use, over any {@link ArtifactRepository}: the
 * repository's pages are walked into one listing (MLflow's proxy answers whole listings), the rest
 * passes through, and `multipart`/`presignRead` are present exactly when the repository has them.
 *
 * @example
 * const artifacts = repositoryArtifactStore(new FileArtifactRepository("./mlartifacts", { cwd }));
 * await artifacts.list("1/0a1b/artifacts");
 */
export function repositoryArtifactStore(repository: ArtifactRepository): ArtifactStore {
  const store: ArtifactStore = {
    write: (relative, body, options) => repository.write(relative, body, options),
    read: (relative, options) => repository.read(relative, options),
    delete: (relative) => repository.delete(relative),
    async list(relative) {
      const files: FileInfo[] = [];
      let pageToken: string | undefined;
      do {
        const page = await repository.list(relative, pageToken === undefined ? {} : { pageToken });
        files.push(...page.files);
        pageToken = page.nextPageToken;
      } while (pageToken !== undefined);
      return files;
    },
    ...(repository.multipart ? { multipart: repository.multipart } : {}),
    ...(repository.presignRead ? { presignRead: repository.presignRead.bind(repository) } : {}),
  };
  return store;
}
