import type { Readable } from "node:stream";
import type { FileInfo } from "@mlflow-ts/protocol";
import type { Logger } from "./config.js";

/**
 * A byte range of one file, both ends inclusive as in HTTP's `Range: bytes=start-end`; no `end`
 * reads to the end of the file.
 *
 * @example
 * await repository.read("model/weights.bin", { range: { start: 0, end: 1023 } }); // the first KiB
 */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

/** Options of {@link ArtifactRepository.list}. */
export interface ArtifactListOptions {
  /** The token the previous page answered with; absent for the first page. */
  readonly pageToken?: string;
  /** At most this many entries per page (a hint; a repository may answer fewer). */
  readonly maxResults?: number;
}

/**
 * One page of a directory listing: direct children, basenames, sorted by code point, with
 * `is_dir` always set and `file_size` for files.
 *
 * @example
 * const page: ArtifactListPage = { files: [{ path: "MLmodel", is_dir: false, file_size: 512 }] };
 */
export interface ArtifactListPage {
  readonly files: readonly FileInfo[];
  /** Set when more entries follow: pass it back as {@link ArtifactListOptions.pageToken}. */
  readonly nextPageToken?: string;
}

/** A file opened for download. */
export interface ArtifactFile {
  readonly stream: Readable;
  /** The whole file's size in bytes (not the range's). */
  readonly size: number;
  /** The file's basename. */
  readonly name: string;
  /** The range the stream holds (inclusive), when one was asked for and honoured. */
  readonly range?: { readonly start: number; readonly end: number };
}

/** Options of {@link ArtifactRepository.write}. */
export interface ArtifactWriteOptions {
  /** The body's length in bytes, when the client said (`Content-Length`); absent: unknown, stream it. */
  readonly size?: number;
  /** The media type the client sent, if any. */
  readonly contentType?: string;
}

/**
 * One part of a multipart upload as MLflow clients receive it: a URL the client PUTs the part's
 * bytes to directly, with these headers.
 */
export interface MultipartCredential {
  readonly url: string;
  /** From 1. */
  readonly partNumber: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A part the client uploaded, as it reports it to complete the upload. */
export interface UploadedPart {
  readonly partNumber: number;
  /** The part's `ETag` response header, verbatim (quotes included). */
  readonly etag: string;
  readonly url?: string;
}

/**
 * The optional multipart capability (MLflow's `MultipartUploadMixin`): when a repository has it,
 * the proxy's `mpu/create|complete|abort` endpoints work; without it they answer 501 and clients
 * fall back to one streamed PUT.
 *
 * @example
 * const { uploadId, credentials } = await repository.multipart!.create("1/run/artifacts/big.bin", 3);
 */
export interface MultipartUploads {
  /** Starts an upload of `path` in `numParts` parts; one credential per part. */
  create(path: string, numParts: number): Promise<{ readonly uploadId?: string; readonly credentials: readonly MultipartCredential[] }>;
  /** Assembles the parts (sorted by number) into the file. */
  complete(path: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  /** Discards an upload and its parts. */
  abort(path: string, uploadId: string): Promise<void>;
}

/**
 * Storage for artifacts under one root URI (`s3://bucket/prefix`, `/srv/mlartifacts`, …): the
 * contract of MLflow's `ArtifactRepository`, which packages implement for a URI scheme and declare
 * in their `package.json` under `"mlflow.artifact_repository": { "<scheme>": "<module>:<export>" }`.
 *
 * Paths are relative to the root, POSIX, without a leading slash (`""` is the root); the server
 * has already refused `..`, `.`, absolute and encoded escapes, but a repository must still never
 * reach outside its root. Errors are `MlflowError`s: `RESOURCE_DOES_NOT_EXIST` for a missing
 * file, `TEMPORARILY_UNAVAILABLE` (503, which clients retry) when the storage cannot be reached,
 * `PERMISSION_DENIED` or `INTERNAL_ERROR` with the cause — never with a credential in the message.
 *
 * @example
 * const page = await repository.list("1/0a1b/artifacts");
 * const file = await repository.read("1/0a1b/artifacts/model/MLmodel", { range: { start: 0, end: 99 } });
 * await repository.write("1/0a1b/artifacts/notes.txt", Readable.from(["hello"]), { size: 5 });
 */
export interface ArtifactRepository {
  /** Direct children of a directory, one page at a time; a missing path or a file lists as empty. */
  list(path: string, options?: ArtifactListOptions): Promise<ArtifactListPage>;
  /** A file's size, or undefined when there is no file at `path` (missing, or a directory). */
  stat(path: string): Promise<{ readonly size: number } | undefined>;
  /** Opens a file for streaming, whole or a range of it (404 when there is no file). */
  read(path: string, options?: { readonly range?: ByteRange }): Promise<ArtifactFile>;
  /**
   * Stores a stream at `path`, of known or unknown length, with bounded memory whatever its size,
   * replacing any file there. A failed or aborted write leaves nothing visible.
   */
  write(path: string, body: Readable, options?: ArtifactWriteOptions): Promise<void>;
  /** Deletes a file or a directory tree (404 when nothing is there). */
  delete(path: string): Promise<void>;
  /** Multipart uploads, when the storage supports them (S3: yes; a local directory: no). */
  readonly multipart?: MultipartUploads;
  /** A URL that reads the file directly from storage for a while, when the storage can sign one. */
  presignRead?(path: string, expiresInSeconds?: number): Promise<string>;
  /** Releases connections; called when the server shuts down. */
  close?(): Promise<void>;
}

/**
 * What a repository is constructed with, besides its root URI. The environment is the server
 * process's, passed down by the CLI (nothing below the CLI reads `process.env`): a repository reads
 * its settings (`AWS_*`, `MLFLOW_S3_*`, …) from here.
 *
 * @example
 * new S3ArtifactRepository("s3://bucket/mlflow", { env: process.env, cwd: process.cwd() });
 */
export interface ArtifactRepositoryOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The server's working directory (relative paths in settings resolve against it). */
  readonly cwd: string;
  readonly logger?: Logger;
}

/**
 * What a `mlflow.artifact_repository` entry point exports: a class constructed with the root URI.
 *
 * @example
 * // package.json: { "mlflow.artifact_repository": { "s3": "./dist/s3-repository.js:S3ArtifactRepository" } }
 * const Repository: ArtifactRepositoryClass = S3ArtifactRepository;
 * const repository = new Repository("s3://bucket/mlflow", { env: process.env, cwd: process.cwd() });
 */
export type ArtifactRepositoryClass = new (uri: string, options: ArtifactRepositoryOptions) => ArtifactRepository;

/**
 * The URI scheme an artifact location names, lowercased as Python's URL parser does: `file` for a
 * plain path (also a Windows drive path) and for `file:` URIs.
 *
 * @example
 * artifactScheme("s3://bucket/prefix"); // "s3"
 * artifactScheme("./mlartifacts");      // "file"
 */
export function artifactScheme(uri: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  // "C:\\x" and "C:/x" are Windows paths, not the scheme "c".
  if (!match || /^[a-zA-Z]:([\\/]|$)/.test(uri)) return "file";
  return match[1]!.toLowerCase();
}
