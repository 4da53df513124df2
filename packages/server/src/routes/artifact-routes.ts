import { MlflowError, canonicalId, f, invalidParameter, isMlflowError, type Field, type FileInfo } from "@mlflow-ts/protocol";
import { RawReply } from "../raw-reply.js";
import { synthesizedTraceFile } from "../traces/trace-files.js";
import { requestStores, type AppStores, type ServerConfig } from "@mlflow-ts/plugin-api";
import { artifactSegments, parseModelSource } from "@mlflow-ts/store";
import { fileReply, resolveArtifactUri } from "../artifact-access.js";
import { parseByteRange } from "../byte-range.js";
import { route, type RouteDefinition } from "../route.js";
import { filesOfVersion } from "./registry-routes.js";
import { modelIdParam } from "./logged-model-routes.js";

/**
 * A path below the proxied artifact root, in its one clean spelling: segments checked by
 * `artifactSegments` (no `..`, no absolute paths) and re-joined, and a numeric first segment —
 * the experiment, as MLflow lays artifacts out — canonical, so `01/…` cannot pose as `1/…`.
 */
function artifactPath(required: boolean): Field<string> {
  const text = f.string(required);
  return {
    required,
    parse(value, name, fromQuery) {
      const segments = artifactSegments(text.parse(value, name, fromQuery));
      if (segments.length > 0) canonicalId(segments[0]!, name);
      return segments.join("/");
    },
  };
}

/** The artifact path a proxy URL names (`/artifacts/*path`). */
const proxiedPath = { path: artifactPath(true) };

const NO_MPU = "Multipart upload is not supported for the current artifact repository";

/** S3's limit on parts, which MLflow's client does not check: more would fail at the last part. */
const MAX_PARTS = 10_000;

/** The directory a multipart URL names (`/mpu/create/*dir`); the body's `path` is the client's file. */
const mpuTarget = { dir: artifactPath(true), path: f.string() };

// The object is named after the client's local file (MLflow: basename of `path`). A Windows path
// is cut at its backslashes too: a name with one in it would be refused as unsafe anyway.
function mpuPath(dir: string, localPath: string | undefined): string {
  if (!localPath) throw invalidParameter("Missing value for required parameter 'path'");
  const name = localPath.split(/[\\/]/).filter(Boolean).pop() ?? "";
  return artifactSegments([dir, name].filter(Boolean).join("/")).join("/");
}

const PART = f.objects({ part_number: f.int(true), etag: f.string(true), url: f.string() });
const PARTS_NEEDED = "'parts' must be a non-empty list of {part_number, etag}";

/**
 * The parts of a complete, in order: each a part number S3 could have handed out (1 to
 * {@link MAX_PARTS}; an int64 as protobuf's JSON writes it, a number or its decimal string) and an
 * etag, each number once, at most {@link MAX_PARTS} of them. The store would refuse anything else
 * (a 500 from S3's InvalidPartOrder, InvalidArgument or MalformedXML), or worse, misread it:
 * `part_number: true` read as 1, or the same part twice made into an object that holds it twice.
 */
function mpuParts(value: unknown): { partNumber: number; etag: string; url?: string }[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidParameter(PARTS_NEEDED);
  if (value.length > MAX_PARTS) throw invalidParameter(`'parts' lists ${value.length} parts; an upload has at most ${MAX_PARTS}`);
  const parts = PART.parse(value, "parts", false).map((part) => ({ partNumber: part.part_number, etag: part.etag, ...(part.url !== undefined ? { url: part.url } : {}) }));
  const seen = new Set<number>();
  for (const { partNumber } of parts) {
    if (partNumber < 1 || partNumber > MAX_PARTS) throw invalidParameter(`Invalid part_number ${partNumber} in 'parts': parts are numbered from 1 to ${MAX_PARTS}`);
    if (seen.has(partNumber)) throw invalidParameter(`Part ${partNumber} is listed twice in 'parts'`);
    seen.add(partNumber);
  }
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

function multipartOf(req: Parameters<typeof requestStores>[0], sentence: string) {
  const multipart = requestStores(req).artifacts.multipart;
  // Clients fall back to one streamed PUT only on a message that starts with exactly NO_MPU.
  if (!multipart) throw new MlflowError("NOT_IMPLEMENTED", `${NO_MPU}. ${sentence}`);
  return multipart;
}

const SINGLE_PUT = "Use a single PUT to /api/2.0/mlflow-artifacts/artifacts/<path>.";

/**
 * The artifact proxy (MlflowArtifactsService, spec §4), by paths relative to
 * `/api/2.0/mlflow-artifacts`: download (streamed, one byte range honoured), upload (raw body,
 * streamed with its length), list, delete; MLflow's multipart endpoints when the destination's
 * repository supports multipart (else 501 with the sentence on which clients fall back to a PUT);
 * presigned downloads when it can sign them.
 */
export function artifactProxyRoutes(): RouteDefinition[] {
  return [
    route("GET", "/artifacts/*path", proxiedPath, async (p, req) => {
      const wanted = parseByteRange(req.headers.range);
      const range = wanted && "start" in wanted ? wanted : undefined;
      try {
        const file = await requestStores(req).artifacts.read(p.path, range ? { range } : {});
        if (range && !file.range && range.start >= file.size) {
          file.stream.destroy();
          return new RawReply(416, { "Content-Range": `bytes */${file.size}`, "Content-Type": "application/json" }, JSON.stringify({ error_code: "INVALID_PARAMETER_VALUE", message: `Range starts past the end of '${p.path}' (${file.size} bytes)` }));
        }
        return fileReply(file);
      } catch (error) {
        // A trace's traces.json that no client uploaded: its spans are in the database.
        const body = isMlflowError(error) && error.code === "RESOURCE_DOES_NOT_EXIST" ? await synthesizedTraceFile(req, p.path) : undefined;
        if (!body) throw error;
        return new RawReply(200, { "Content-Type": "application/json", "Content-Length": body.length, "Content-Disposition": "attachment; filename=traces.json", "X-Content-Type-Options": "nosniff" }, body);
      }
    }),
    route(
      "PUT",
      "/artifacts/*path",
      proxiedPath,
      async (p, req) => {
        const length = req.headers["content-length"];
        const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
        const contentType = req.headers["content-type"];
        await requestStores(req).artifacts.write(p.path, req, { ...(size !== undefined ? { size } : {}), ...(contentType ? { contentType } : {}) });
        return {};
      },
      { rawBody: true },
    ),
    route("DELETE", "/artifacts/*path", proxiedPath, async (p, req) => {
      await requestStores(req).artifacts.delete(p.path);
      return {};
    }),
    route("GET", "/artifacts", { path: artifactPath(false) }, async (p, req) => {
      const files = await requestStores(req).artifacts.list(p.path ?? "");
      return files.length > 0 ? { files } : {};
    }),
    // As in MLflow, an unsupported destination answers 501 before the body is looked at.
    route("POST", "/mpu/create/*dir", { ...mpuTarget, num_parts: f.int() }, async (p, req) => {
      const multipart = multipartOf(req, SINGLE_PUT);
      const target = mpuPath(p.dir, p.path);
      const numParts = p.num_parts ?? 0;
      if (numParts < 1) throw invalidParameter(`'num_parts' must be at least 1, got ${p.num_parts}`);
      if (numParts > MAX_PARTS) throw new MlflowError("NOT_IMPLEMENTED", `${NO_MPU} for more than ${MAX_PARTS} parts (asked: ${numParts}). ${SINGLE_PUT}`);
      const { uploadId, credentials } = await multipart.create(target, numParts);
      return {
        ...(uploadId !== undefined ? { upload_id: uploadId } : {}),
        credentials: credentials.map((c) => ({ url: c.url, part_number: c.partNumber, headers: { ...(c.headers ?? {}) } })),
      };
    }),
    route("POST", "/mpu/complete/*dir", { ...mpuTarget, upload_id: f.string(), parts: f.json() }, async (p, req) => {
      const multipart = multipartOf(req, SINGLE_PUT);
      if (!p.upload_id) throw invalidParameter("Missing value for required parameter 'upload_id'");
      await multipart.complete(mpuPath(p.dir, p.path), p.upload_id, mpuParts(p.parts));
      return {};
    }),
    route("POST", "/mpu/abort/*dir", { ...mpuTarget, upload_id: f.string() }, async (p, req) => {
      const multipart = multipartOf(req, SINGLE_PUT);
      if (!p.upload_id) throw invalidParameter("Missing value for required parameter 'upload_id'");
      await multipart.abort(mpuPath(p.dir, p.path), p.upload_id);
      return {};
    }),
    route("GET", "/presigned/*path", proxiedPath, async (p, req) => {
      const artifacts = requestStores(req).artifacts;
      if (!artifacts.presignRead) throw new MlflowError("NOT_IMPLEMENTED", "Presigned download URLs are not supported for the current artifact repository");
      return { url: await artifacts.presignRead(p.path) };
    }),
  ];
}

/**
 * Lists a run's or model's artifacts with paths relative to its root (tracking-side listing).
 *
 * @example
 * await listUnder(config, stores, run.info.artifact_uri, "model");
 */
export async function listUnder(config: ServerConfig, stores: AppStores, rootUri: string, sub: string): Promise<FileInfo[]> {
  const { store, relative } = resolveArtifactUri(config, stores.artifacts, rootUri, sub);
  const prefix = artifactSegments(sub).join("/");
  return (await store.list(relative)).map((file) => ({ ...file, path: prefix ? `${prefix}/${file.path}` : file.path }));
}

/**
 * Tracking-side artifact endpoints below `/api/2.0`: `mlflow/artifacts/list`, `runs/log-model`,
 * and the logged-model directory listing.
 */
export function trackingArtifactRoutes(config: ServerConfig): RouteDefinition[] {
  return [
    route("GET", "/mlflow/artifacts/list", { run_id: f.or(f.string(true), "run_uuid"), path: f.string(), page_token: f.string() }, async (p, req) => {
      // An unsafe path is refused before anything is looked up, as MLflow does.
      artifactSegments(p.path ?? "");
      const root = await requestStores(req).tracking.runArtifactUri(p.run_id, "read");
      const files = await listUnder(config, requestStores(req), root, p.path ?? "");
      return { root_uri: root, ...(files.length > 0 ? { files } : {}) };
    }),
    route("GET", "/mlflow/logged-models/:model_id/artifacts/directories", { ...modelIdParam, artifact_directory_path: f.string(), page_token: f.string() }, async (p, req) => {
      const model = await requestStores(req).tracking.getLoggedModel(p.model_id);
      const files = await listUnder(config, requestStores(req), model.info.artifact_uri, p.artifact_directory_path ?? "");
      return { root_uri: model.info.artifact_uri, ...(files.length > 0 ? { files } : {}) };
    }),
    route("POST", "/mlflow/runs/log-model", { run_id: f.string(true), model_json: f.string(true) }, async (p, req) => {
      let model: unknown;
      try {
        model = JSON.parse(p.model_json);
      } catch {
        throw invalidParameter("'model_json' is not valid JSON");
      }
      if (typeof model !== "object" || model === null || Array.isArray(model)) throw invalidParameter("'model_json' must be a JSON object");
      for (const key of ["artifact_path", "flavors", "utc_time_created", "run_id"]) {
        if (!(key in model)) throw invalidParameter(`Model json is missing mandatory fields: [${key}]`);
      }
      const run = await requestStores(req).tracking.getRun(p.run_id);
      const previous = run.data.tags?.find((t) => t.key === "mlflow.log-model.history")?.value;
      let history: unknown[] = [];
      try {
        history = previous ? (JSON.parse(previous) as unknown[]) : [];
      } catch {
        history = [];
      }
      history.push(model);
      await requestStores(req).tracking.setTag(p.run_id, { key: "mlflow.log-model.history", value: JSON.stringify(history) });
      return {};
    }),
  ];
}

/**
 * UI download routes outside `/api` (`/get-artifact`, `/model-versions/get-artifact`). `stores`
 * are the server's own: a model version's files are served to whoever may read the registered
 * model (MLflow's rule; the caller's registry decides that), whatever the experiment holding them
 * — the version's creator had to be able to read its source.
 */
export function downloadRoutes(config: ServerConfig, stores: AppStores): RouteDefinition[] {
  return [
    route("GET", "/get-artifact", { run_id: f.or(f.string(), "run_uuid"), path: f.string(true) }, async (p, req) => {
      if (!p.run_id) throw invalidParameter("Request must specify run_id or run_uuid parameter");
      artifactSegments(p.path);
      const root = await requestStores(req).tracking.runArtifactUri(p.run_id, "read");
      const { store, relative } = resolveArtifactUri(config, requestStores(req).artifacts, root, p.path);
      return fileReply(await store.read(relative));
    }),
    route("GET", "/model-versions/get-artifact", { name: f.string(true), version: f.id(true), path: f.string(true) }, async (p, req) => {
      artifactSegments(p.path);
      // The caller's registry decides (READ on the model as stored); the rest is the server's.
      let uri = await filesOfVersion(stores.tracking, await requestStores(req).registry.getModelVersionDownloadUri(p.name, p.version));
      // Read as the caller's registry read it when the version was created (parseModelSource).
      const source = parseModelSource(uri);
      if (source.kind === "run") {
        const run = await stores.tracking.getRunInfo(source.runId);
        uri = source.path ? `${run.artifact_uri}/${source.path}` : run.artifact_uri;
      }
      const { store, relative } = resolveArtifactUri(config, stores.artifacts, uri, p.path);
      return fileReply(await store.read(relative));
    }),
  ];
}

/** The UI's logged-model file download (`/ajax-api/2.0/mlflow/logged-models/<id>/artifacts/files`). */
export function loggedModelFileRoute(config: ServerConfig): RouteDefinition {
  return route("GET", "/mlflow/logged-models/:model_id/artifacts/files", { ...modelIdParam, artifact_file_path: f.string(true) }, async (p, req) => {
    const model = await requestStores(req).tracking.getLoggedModel(p.model_id);
    const { store, relative } = resolveArtifactUri(config, requestStores(req).artifacts, model.info.artifact_uri, p.artifact_file_path);
    return fileReply(await store.read(relative));
  });
}
