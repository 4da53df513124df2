import { MlflowError, invalidParameter, type FileInfo } from "@mlflow-ts/protocol";
import type { AppStores, MlflowRequest, ServerConfig } from "@mlflow-ts/plugin-api";
import { artifactSegments } from "@mlflow-ts/store";
import { fileReply, resolveArtifactUri } from "../artifact-access.js";
import { f } from "../params.js";
import { readParams } from "../read-params.js";
import { route, type RouteDefinition } from "../route.js";
import { downloadUri } from "./registry-routes.js";
import { runIdOf } from "./run-id.js";

function wildcard(req: MlflowRequest): string {
  const value = (req.params as Record<string, string | string[] | undefined>).path;
  return Array.isArray(value) ? value.join("/") : value ?? "";
}

const NO_MPU = "Multipart upload is not supported for the current artifact repository";

/**
 * The artifact proxy (MlflowArtifactsService, spec §3 I), by paths relative to
 * `/api/2.0/mlflow-artifacts`: download, upload (raw body, streamed), list, delete; multipart and
 * presigned routes answer 501 so clients fall back to a single PUT.
 */
export function artifactProxyRoutes(stores: AppStores): RouteDefinition[] {
  const artifacts = stores.artifacts;
  const notImplemented = () => {
    throw new MlflowError("NOT_IMPLEMENTED", `${NO_MPU}. Use a single PUT to /api/2.0/mlflow-artifacts/artifacts/<path>.`);
  };
  return [
    route("GET", "/artifacts/*path", async (req) => fileReply(await artifacts.read(artifactSegments(wildcard(req)).join("/")))),
    route("PUT", "/artifacts/*path", async (req) => {
      await artifacts.write(artifactSegments(wildcard(req)).join("/"), req);
      return {};
    }),
    route("DELETE", "/artifacts/*path", async (req) => {
      await artifacts.delete(artifactSegments(wildcard(req)).join("/"));
      return {};
    }),
    route("GET", "/artifacts", async (req) => {
      const p = readParams({ path: f.string() }, req);
      const files = await artifacts.list(artifactSegments(p.path ?? "").join("/"));
      return files.length > 0 ? { files } : {};
    }),
    route("POST", "/mpu/create/*path", notImplemented),
    route("POST", "/mpu/complete/*path", notImplemented),
    route("POST", "/mpu/abort/*path", notImplemented),
    route("GET", "/presigned/*path", () => {
      throw new MlflowError("NOT_IMPLEMENTED", "Presigned download URLs are not supported for the current artifact repository");
    }),
  ];
}

/** Lists a run's or model's artifacts with paths relative to its root (tracking-side listing). */
async function listUnder(config: ServerConfig, stores: AppStores, rootUri: string, sub: string): Promise<FileInfo[]> {
  const { store, relative } = resolveArtifactUri(config, stores.artifacts, rootUri, sub);
  const prefix = artifactSegments(sub).join("/");
  return (await store.list(relative)).map((file) => ({ ...file, path: prefix ? `${prefix}/${file.path}` : file.path }));
}

/**
 * Tracking-side artifact endpoints below `/api/2.0`: `mlflow/artifacts/list`, `runs/log-model`,
 * and the logged-model directory listing.
 */
export function trackingArtifactRoutes(config: ServerConfig, stores: AppStores): RouteDefinition[] {
  return [
    route("GET", "/mlflow/artifacts/list", async (req) => {
      const p = readParams({ run_id: f.string(), run_uuid: f.string(), path: f.string(), page_token: f.string() }, req);
      const run = await stores.tracking.getRun(runIdOf(p));
      const files = await listUnder(config, stores, run.info.artifact_uri, p.path ?? "");
      return { root_uri: run.info.artifact_uri, ...(files.length > 0 ? { files } : {}) };
    }),
    route("GET", "/mlflow/logged-models/:model_id/artifacts/directories", async (req) => {
      const p = readParams({ artifact_directory_path: f.string(), page_token: f.string() }, req);
      const model = await stores.tracking.getLoggedModel(String(req.params.model_id));
      const files = await listUnder(config, stores, model.info.artifact_uri, p.artifact_directory_path ?? "");
      return { root_uri: model.info.artifact_uri, ...(files.length > 0 ? { files } : {}) };
    }),
    route("POST", "/mlflow/runs/log-model", async (req) => {
      const p = readParams({ run_id: f.string(true), model_json: f.string(true) }, req);
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
      const run = await stores.tracking.getRun(p.run_id);
      const previous = run.data.tags?.find((t) => t.key === "mlflow.log-model.history")?.value;
      let history: unknown[] = [];
      try {
        history = previous ? (JSON.parse(previous) as unknown[]) : [];
      } catch {
        history = [];
      }
      history.push(model);
      await stores.tracking.setTag(p.run_id, { key: "mlflow.log-model.history", value: JSON.stringify(history) });
      return {};
    }),
  ];
}

/** UI download routes outside `/api` (`/get-artifact`, `/model-versions/get-artifact`) and the logged-model file route. */
export function downloadRoutes(config: ServerConfig, stores: AppStores): RouteDefinition[] {
  return [
    route("GET", "/get-artifact", async (req) => {
      const p = readParams({ run_id: f.string(), run_uuid: f.string(), path: f.string(true) }, req);
      if (!p.run_id && !p.run_uuid) throw invalidParameter("Request must specify run_id or run_uuid parameter");
      const run = await stores.tracking.getRun(runIdOf(p));
      const { store, relative } = resolveArtifactUri(config, stores.artifacts, run.info.artifact_uri, p.path);
      return fileReply(await store.read(relative));
    }),
    route("GET", "/model-versions/get-artifact", async (req) => {
      const p = readParams({ name: f.string(true), version: f.string(true, { coerceNumber: true }), path: f.string(true) }, req);
      let uri = await downloadUri(stores.registry, stores.tracking, p.name, p.version);
      const runs = /^runs:\/([0-9a-f]{32})\/?(.*)$/.exec(uri);
      if (runs) {
        const run = await stores.tracking.getRun(runs[1]!);
        uri = runs[2] ? `${run.info.artifact_uri}/${runs[2]}` : run.info.artifact_uri;
      }
      const { store, relative } = resolveArtifactUri(config, stores.artifacts, uri, p.path);
      return fileReply(await store.read(relative));
    }),
  ];
}

/** The UI's logged-model file download (`/ajax-api/2.0/mlflow/logged-models/<id>/artifacts/files`). */
export function loggedModelFileRoute(config: ServerConfig, stores: AppStores): RouteDefinition {
  return route("GET", "/mlflow/logged-models/:model_id/artifacts/files", async (req) => {
    const p = readParams({ artifact_file_path: f.string(true) }, req);
    const model = await stores.tracking.getLoggedModel(String(req.params.model_id));
    const { store, relative } = resolveArtifactUri(config, stores.artifacts, model.info.artifact_uri, p.artifact_file_path);
    return fileReply(await store.read(relative));
  });
}
