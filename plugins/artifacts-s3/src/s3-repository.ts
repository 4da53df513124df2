import path from "node:path";
import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { MlflowError, compareCodePoints, type FileInfo } from "@mlflow-ts/protocol";
import type {
  ArtifactFile,
  ArtifactListOptions,
  ArtifactListPage,
  ArtifactRepository,
  ArtifactRepositoryOptions,
  ArtifactWriteOptions,
  ByteRange,
  MultipartUploads,
} from "@mlflow-ts/plugin-api";
import { s3Error } from "./s3-error.js";
import { s3Settings, type S3Settings } from "./s3-settings.js";
import { prefetchingLister, type PrefetchingLister } from "./prefetching-lister.js";

/** MLflow's presigned part URLs live an hour (the JS SDK's default is 15 minutes). */
const PART_URL_SECONDS = 3600;
/** boto3's managed transfer uses 8 MiB parts; so do uploads here. */
const PART_SIZE = 8 * 1024 * 1024;
/** S3's largest single PUT (5 GiB). */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;
/** S3's longest object key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;
/** S3's limit on the parts of one multipart upload. */
const MAX_PARTS = 10_000;

/**
 * The part size of a streamed multipart upload: {@link PART_SIZE}, or larger when a known length
 * would otherwise need more than S3's 10,000 parts (over 78 GiB) and fail only at its end. An
 * unknown length keeps {@link PART_SIZE}: up to 78 GiB.
 *
 * @example
 * partSizeFor(100 * 1024 ** 3); // 10,737,419 bytes: 100 GiB in 10,000 parts
 */
export function partSizeFor(size: number | undefined): number {
  return size === undefined ? PART_SIZE : Math.max(PART_SIZE, Math.ceil(size / MAX_PARTS));
}

/** Parts of one streamed upload in flight: bounds its memory to about PART_SIZE × (this + 1). */
const QUEUE_SIZE = 2;

// The few types the UI and clients care about; S3 stores binary/octet-stream otherwise.
const TYPES: Record<string, string> = { ".json": "application/json", ".txt": "text/plain", ".yaml": "application/yaml", ".yml": "application/yaml", ".csv": "text/csv", ".html": "text/html", ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml" };

function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (!match || match[1] === "") throw new MlflowError("INVALID_PARAMETER_VALUE", `'${uri}' is not an S3 URI (s3://<bucket>[/<prefix>])`);
  return { bucket: match[1]!, prefix: match[2]!.replace(/\/+$/, "").replace(/^\/+/, "") };
}

/**
 * The `s3` artifact repository: artifacts under `s3://<bucket>/<prefix>` on AWS S3 or any
 * S3-compatible store, through the AWS SDK for JavaScript v3. Settings come from the environment
 * it is constructed with, as MLflow reads them (see {@link s3Settings}). Uploads of known length
 * stream through one PutObject; others through `@aws-sdk/lib-storage` (8 MiB parts, two in
 * flight): bounded memory whatever the size. Downloads
 * stream S3's body, with ranges; listings page through ListObjectsV2; MLflow's multipart
 * endpoints get presigned UploadPart URLs. Keys are MLflow's layout: `<prefix>/<path>`.
 *
 * @example
 * const repository = new S3ArtifactRepository("s3://mlflow/artifacts", { env: process.env, cwd: process.cwd() });
 * await repository.write("1/0a1b/artifacts/model.pkl", fs.createReadStream("model.pkl"));
 */
export class S3ArtifactRepository implements ArtifactRepository {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly multipart: MultipartUploads;
  private readonly settings: S3Settings;
  private readonly lister: PrefetchingLister;

  constructor(
    readonly uri: string,
    options: ArtifactRepositoryOptions,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Uri(uri));
    this.settings = s3Settings(options.env);
    this.client = new S3Client(this.settings.client);
    this.lister = prefetchingLister((command, input) => this.send<ListObjectsV2CommandOutput>(command, `listing s3://${this.bucket}/${input.Prefix ?? ""}`));
    this.multipart = {
      create: (relative, numParts) => this.createMultipart(relative, numParts),
      complete: async (relative, uploadId, parts) => {
        const Key = this.key(relative);
        await this.send(
          new CompleteMultipartUploadCommand({ ...this.owner(), Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) } }),
          `completing the multipart upload of ${this.where(relative)}`,
        );
      },
      abort: async (relative, uploadId) => {
        await this.send(new AbortMultipartUploadCommand({ ...this.owner(), Bucket: this.bucket, Key: this.key(relative), UploadId: uploadId }), `aborting the multipart upload of ${this.where(relative)}`);
      },
    };
  }

  private owner(): { ExpectedBucketOwner?: string } {
    return this.settings.expectedBucketOwner ? { ExpectedBucketOwner: this.settings.expectedBucketOwner } : {};
  }

  private where(relative: string): string {
    return `s3://${this.bucket}/${this.key(relative)}`;
  }

  /** The object key of a root-relative path; refuses anything that could leave the prefix. */
  key(relative: string): string {
    const segments = relative.split("/").filter((s) => s !== "");
    if (relative.startsWith("/") || segments.some((s) => s === ".." || s === "." || s.includes("\\") || s.includes("\0"))) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path");
    }
    const key = [this.prefix, ...segments].filter(Boolean).join("/");
    // S3 refuses longer keys (KeyTooLongError, a 500 once passed on) and s3rver fails on them (a
    // 503 clients retry for minutes): a path that cannot be a key is the client's mistake.
    const bytes = Buffer.byteLength(key);
    if (bytes > MAX_KEY_BYTES) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid artifact path: its S3 key would be ${bytes} bytes ('${key.slice(0, 60)}…'), and S3 keys are at most ${MAX_KEY_BYTES} bytes`);
    }
    return key;
  }

  /** The key prefix that lists the children of a directory ("" for the bucket's root). */
  private dirPrefix(relative: string): string {
    const key = this.key(relative);
    return key === "" ? "" : `${key}/`;
  }

  private fail(error: unknown, what: string): MlflowError {
    return s3Error(error, what, this.settings.credentialSource);
  }

  // One typed door for every command (the SDK's per-command overloads do not unify).
  private async send<T>(command: object, what: string): Promise<T> {
    try {
      return (await (this.client.send as (c: object) => Promise<unknown>).call(this.client, command)) as T;
    } catch (error) {
      throw this.fail(error, what);
    }
  }

  async list(relative: string, options: ArtifactListOptions = {}): Promise<ArtifactListPage> {
    const Prefix = this.dirPrefix(relative);
    // The next page is requested while this one is parsed (see prefetchingLister).
    const page = await this.lister.page({
      ...this.owner(),
      Bucket: this.bucket,
      Prefix,
      Delimiter: "/",
      ...(options.pageToken ? { ContinuationToken: options.pageToken } : {}),
      ...(options.maxResults ? { MaxKeys: Math.min(1000, options.maxResults) } : {}),
    });
    const files: FileInfo[] = [];
    for (const p of page.CommonPrefixes ?? []) {
      const name = (p.Prefix ?? "").slice(Prefix.length).replace(/\/$/, "");
      if (name !== "") files.push({ path: name, is_dir: true });
    }
    for (const o of page.Contents ?? []) {
      const name = (o.Key ?? "").slice(Prefix.length);
      // A zero-byte key equal to the prefix (an S3-console folder, MLflow 2.12's dir/ marker) is
      // the directory itself, not a file in it.
      if (name === "" || name.includes("/")) continue;
      files.push({ path: name, is_dir: false, file_size: Number(o.Size ?? 0) });
    }
    // S3 sorts keys and prefixes by UTF-8 bytes, which is code-point order: merge the two lists.
    files.sort((a, b) => compareCodePoints(a.path, b.path));
    return { files, ...(page.IsTruncated && page.NextContinuationToken ? { nextPageToken: page.NextContinuationToken } : {}) };
  }

  async stat(relative: string): Promise<{ size: number } | undefined> {
    if (this.key(relative) === this.prefix) return undefined;
    try {
      const head = await this.client.send(new HeadObjectCommand({ ...this.owner(), Bucket: this.bucket, Key: this.key(relative) }));
      return { size: Number(head.ContentLength ?? 0) };
    } catch (error) {
      const mapped = this.fail(error, `reading ${this.where(relative)}`);
      if (mapped.code === "RESOURCE_DOES_NOT_EXIST") return undefined;
      throw mapped;
    }
  }

  async read(relative: string, options: { readonly range?: ByteRange } = {}): Promise<ArtifactFile> {
    const Key = this.key(relative);
    if (Key === this.prefix) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact '${relative}' not found`);
    const what = `reading ${this.where(relative)}`;
    const range = options.range;
    // Past any object S3 can hold (and in exponent notation, which S3 would ignore): the whole
    // file, so that the caller answers 416. An end that large is no end at all.
    if (range && !Number.isSafeInteger(range.start)) return this.read(relative);
    const end = range?.end !== undefined && Number.isSafeInteger(range.end) ? range.end : "";
    let output;
    try {
      output = await this.client.send(new GetObjectCommand({ ...this.owner(), Bucket: this.bucket, Key, ...(range ? { Range: `bytes=${range.start}-${end}` } : {}) }));
    } catch (error) {
      // A range past the end: answer the whole object and let the caller decide (416), as the
      // file repository does.
      if (range && (error as { name?: string }).name === "InvalidRange") return this.read(relative);
      const mapped = this.fail(error, what);
      throw mapped.code === "RESOURCE_DOES_NOT_EXIST" ? new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact '${relative}' not found`) : mapped;
    }
    const stream = output.Body as Readable;
    const name = path.posix.basename(Key);
    const served = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(output.ContentRange ?? "");
    if (range && served) {
      const [first, last] = [Number(served[1]), Number(served[2])];
      const total = served[3] === "*" ? last + 1 : Number(served[3]);
      // A range that contradicts itself (s3rver answers `bytes 0-0/0`, and no byte, for an empty
      // object) would be sent on with a Content-Length its body never reaches: read the whole file
      // instead and let the caller decide, as for a range S3 refused.
      if (first > last || last >= total) {
        stream.destroy();
        return this.read(relative);
      }
      return { stream, size: total, name, range: { start: first, end: last } };
    }
    return { stream, size: Number(output.ContentLength ?? 0), name };
  }

  async write(relative: string, body: Readable, options: ArtifactWriteOptions = {}): Promise<void> {
    const Key = this.key(relative);
    if (Key === this.prefix) throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid artifact path: an upload needs a file name");
    const ContentType = TYPES[path.posix.extname(Key).toLowerCase()] ?? options.contentType;
    const params = { ...this.owner(), Bucket: this.bucket, Key, Body: body, ...(ContentType ? { ContentType } : {}), ...this.settings.uploadExtraArgs };
    const what = `writing ${this.where(relative)}`;
    // A known length up to S3's single-PUT limit streams straight through one PutObject: no part
    // buffers at all (memory is the sockets' own), and a body cut short is never an object. An
    // unknown or larger length goes through lib-storage's multipart upload, part size ×
    // (QUEUE_SIZE + 1) of memory (see partSizeFor), its parts discarded on failure.
    if (options.size !== undefined && options.size <= MAX_SINGLE_PUT) {
      // A body that fails (the client went away) must cut the request to S3 too: piping alone would
      // leave it to finish short, and a store that does not check the length would keep a
      // truncated object.
      const controller = new AbortController();
      const cut = () => controller.abort();
      body.once("error", cut);
      body.once("aborted", cut);
      try {
        await (this.client.send as (c: object, o: object) => Promise<unknown>).call(this.client, new PutObjectCommand({ ...params, ContentLength: options.size }), { abortSignal: controller.signal });
      } catch (error) {
        throw this.fail(error, what);
      } finally {
        body.off("error", cut);
        body.off("aborted", cut);
      }
      return;
    }
    const upload = new Upload({ client: this.client, params, partSize: partSizeFor(options.size), queueSize: QUEUE_SIZE, leavePartsOnError: false });
    // The client went away: stop reading and abort the multipart upload.
    const onAbort = () => void upload.abort().catch(() => {});
    body.once("error", onAbort);
    try {
      await upload.done();
    } catch (error) {
      throw this.fail(error, what);
    } finally {
      body.off("error", onAbort);
    }
  }

  async delete(relative: string): Promise<void> {
    const key = this.key(relative);
    if (key === this.prefix) throw new MlflowError("INVALID_PARAMETER_VALUE", "Refusing to delete the artifact root");
    const what = `deleting ${this.where(relative)}`;
    // The file itself and everything below `<key>/` — never `<key>suffix` (MLflow's loose prefix).
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send<ListObjectsV2CommandOutput>(new ListObjectsV2Command({ ...this.owner(), Bucket: this.bucket, Prefix: key, ...(token ? { ContinuationToken: token } : {}) }), what);
      for (const o of page.Contents ?? []) if (o.Key === key || o.Key?.startsWith(`${key}/`)) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (keys.length === 0) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact '${relative}' not found`);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const answer = await this.send<{ Errors?: { Key?: string; Code?: string; Message?: string }[] }>(
        new DeleteObjectsCommand({ ...this.owner(), Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        what,
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0) throw this.fail({ name: failed[0]!.Code, message: `${failed.length} of ${batch.length} keys were not deleted: ${failed[0]!.Message ?? ""}` }, what);
    }
  }

  private async createMultipart(relative: string, numParts: number) {
    const Key = this.key(relative);
    const ContentType = TYPES[path.posix.extname(Key).toLowerCase()];
    const created = await this.send<{ UploadId?: string }>(
      new CreateMultipartUploadCommand({ ...this.owner(), Bucket: this.bucket, Key, ...(ContentType ? { ContentType } : {}), ...this.settings.uploadExtraArgs }),
      `starting a multipart upload of ${this.where(relative)}`,
    );
    const uploadId = created.UploadId!;
    const credentials = [];
    for (let partNumber = 1; partNumber <= numParts; partNumber += 1) {
      // Signed without checksum headers: MLflow's client PUTs the bytes and nothing else.
      const url = await getSignedUrl(this.client, new UploadPartCommand({ ...this.owner(), Bucket: this.bucket, Key, UploadId: uploadId, PartNumber: partNumber }), { expiresIn: PART_URL_SECONDS });
      credentials.push({ url, partNumber, headers: {} });
    }
    return { uploadId, credentials };
  }

  async presignRead(relative: string, expiresInSeconds = 900): Promise<string> {
    const Key = this.key(relative);
    return getSignedUrl(this.client, new GetObjectCommand({ ...this.owner(), Bucket: this.bucket, Key, ResponseContentDisposition: `attachment; filename="${path.posix.basename(Key).replace(/["\\\r\n]/g, "_")}"` }), { expiresIn: expiresInSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
