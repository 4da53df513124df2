import path from "node:path";
import { MlflowError, invalidParameter } from "@mlflow-ts/protocol";
import type { ArtifactStore, ServerConfig } from "@mlflow-ts/plugin-api";
import { LocalArtifactStore, artifactLocation, artifactSegments, type ArtifactFile } from "@mlflow-ts/store";
import { RawReply } from "./raw-reply.js";

/** Where a URI's artifacts are read from, and the path inside that store. */
export interface ArtifactTarget {
  readonly store: ArtifactStore;
  readonly relative: string;
}

/**
 * Resolves a run's or model's artifact URI (plus a sub-path) to a store this server can read.
 * Proxied URIs (`mlflow-artifacts:`) map into `--artifacts-destination`. Local paths are served
 * only below a local default artifact root: an experiment created with `artifact_location=/etc`
 * must not turn the server into a file reader. Anything else is 501.
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
  throw new MlflowError("NOT_IMPLEMENTED", `Artifacts at '${uri}' live in a store this server does not read; access them from the client directly`);
}

const TYPES: Record<string, string> = {
  ".json": "application/json",
  ".txt": "text/plain",
  ".log": "text/plain",
  ".csv": "text/csv",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
  ".html": "text/html",
  ".md": "text/markdown",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".pdf": "application/pdf",
  ".parquet": "application/octet-stream",
  ".pkl": "application/octet-stream",
};

/**
 * A streamed download: type guessed from the name, `attachment` disposition, `nosniff`.
 *
 * @example
 * return fileReply(await store.read("1/run/artifacts/model.pkl"));
 */
export function fileReply(file: ArtifactFile): RawReply {
  const type = TYPES[path.extname(file.name).toLowerCase()] ?? "application/octet-stream";
  const safeName = file.name.replace(/["\\\r\n]/g, "_");
  return new RawReply(
    200,
    {
      "Content-Type": type,
      "Content-Length": file.size,
      "Content-Disposition": `attachment; filename="${safeName}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      "X-Content-Type-Options": "nosniff",
    },
    file.stream,
  );
}
