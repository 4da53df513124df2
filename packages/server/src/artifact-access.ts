import path from "node:path";
import { MlflowError, invalidParameter } from "@mlflow-ts/protocol";
import { artifactScheme, type ArtifactStore, type ServerConfig } from "@mlflow-ts/plugin-api";
import { LocalArtifactStore, artifactLocation, artifactSegments, belowStorageRoot, type ArtifactFile } from "@mlflow-ts/store";
import { guessMimeType } from "./guess-mime-type.js";
import { RawReply } from "./raw-reply.js";

/** Where a URI's artifacts are read from, and the path inside that store. */
export interface ArtifactTarget {
  readonly store: ArtifactStore;
  readonly relative: string;
}

// The store of each server's --default-artifact-root when it names storage (s3://…) rather than
// the proxy or a local directory: set by createServer, read by resolveArtifactUri, whose callers
// pass the configuration they were built with.
const rootStores = new WeakMap<ServerConfig, ArtifactStore>();

/**
 * Registers the store that holds `config.defaultArtifactRoot` (an `s3://…` root in direct mode),
 * so that {@link resolveArtifactUri} reads locations below it from there. Called by `createServer`.
 *
 * @example
 * registerRootArtifacts(config, repositoryArtifactStore(new S3ArtifactRepository(config.defaultArtifactRoot, { env, cwd })));
 */
export function registerRootArtifacts(config: ServerConfig, store: ArtifactStore): void {
  rootStores.set(config, store);
}

function withoutTrailingSlashes(uri: string): string {
  return uri.replace(/\/+$/, "");
}

/**
 * Resolves a run's or model's artifact URI (plus a sub-path) to a store this server can read.
 * Proxied URIs (`mlflow-artifacts:`) map into `--artifacts-destination`. Local paths are served
 * only below a local default artifact root: an experiment created with `artifact_location=/etc`
 * must not turn the server into a file reader. Likewise storage URIs (`s3://bucket/prefix/…`) are
 * read only below a default artifact root of the same storage, through its repository (the
 * server's credentials must not read any bucket an experiment names). Anything else is 501, naming
 * the scheme.
 *
 * @example
 * const { store, relative } = resolveArtifactUri(config, stores.artifacts, run.info.artifact_uri, "model/MLmodel");
 */
export function resolveArtifactUri(config: ServerConfig, artifacts: ArtifactStore, uri: string, sub = ""): ArtifactTarget {
  const extra = artifactSegments(sub).join("/");
  const location = artifactLocation(uri);
  if (location.kind === "proxied") {
    if (!config.serveArtifacts) throw new MlflowError("NOT_IMPLEMENTED", `Artifacts at '${uri}' are proxied, but this server runs with --no-serve-artifacts`);
    const base = artifactSegments(location.relative).join("/");
    return { store: artifacts, relative: [base, extra].filter(Boolean).join("/") };
  }
  if (location.kind === "local") {
    const root = artifactLocation(config.defaultArtifactRoot);
    if (root.kind !== "local" || !(location.directory === root.directory || location.directory.startsWith(root.directory + path.sep))) {
      throw invalidParameter(`Artifacts at '${uri}' are outside the server's artifact root and are not served`);
    }
    return { store: new LocalArtifactStore(root.directory), relative: [path.relative(root.directory, location.directory).split(path.sep).join("/"), extra].filter(Boolean).join("/") };
  }
  const scheme = artifactScheme(uri);
  const rootStore = rootStores.get(config);
  const root = withoutTrailingSlashes(config.defaultArtifactRoot);
  if (rootStore && artifactScheme(root) === scheme) {
    // The same test as the owners of locations below the root (authorization) make.
    const below = belowStorageRoot(uri, root);
    if (below !== undefined) {
      const base = artifactSegments(below).join("/");
      return { store: rootStore, relative: [base, extra].filter(Boolean).join("/") };
    }
    throw invalidParameter(`Artifacts at '${uri}' are outside the server's artifact root (${config.defaultArtifactRoot}) and are not served`);
  }
  throw new MlflowError(
    "NOT_IMPLEMENTED",
    `Artifacts at '${uri}' live in '${scheme}:' storage, which this server does not read (its default artifact root is ${config.defaultArtifactRoot}); access them from the client directly, or start the server with --default-artifact-root on that storage and the package of its '${scheme}' artifact repository installed`,
  );
}

/**
 * A streamed download: type guessed from the name as MLflow guesses it ({@link guessMimeType}),
 * `attachment` disposition, `nosniff`; a ranged read answers 206 with its `Content-Range`. Storage headers (`Content-Encoding` above all) are
 * never passed on: MLflow's client would gunzip a `.gz` artifact.
 *
 * @example
 * return fileReply(await store.read("1/run/artifacts/model.pkl"));
 */
export function fileReply(file: ArtifactFile & { readonly range?: { readonly start: number; readonly end: number } }): RawReply {
  const type = guessMimeType(file.name);
  const safeName = file.name.replace(/["\\\r\n]/g, "_");
  const range = file.range;
  return new RawReply(
    range ? 206 : 200,
    {
      "Content-Type": type,
      "Content-Length": range ? range.end - range.start + 1 : file.size,
      ...(range ? { "Content-Range": `bytes ${range.start}-${range.end}/${file.size}` } : {}),
      "Accept-Ranges": "bytes",
      "Content-Disposition": `attachment; filename="${safeName}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      "X-Content-Type-Options": "nosniff",
    },
    file.stream,
  );
}
