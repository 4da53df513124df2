import type { ServerConfig, TrackingStore } from "@mlflow-ts/plugin-api";
import { text } from "./raw-reply.js";
import { route, type RouteDefinition } from "./route.js";
import { experimentRoutes } from "./routes/experiment-routes.js";
import { runRoutes } from "./routes/run-routes.js";
import { SERVER_VERSION } from "./version.js";

/** The stores the base server serves. */
export interface ServerStores {
  readonly tracking: TrackingStore;
}

/** A route with the absolute paths it is served at. */
export interface MountedRoute extends RouteDefinition {
  readonly paths: readonly string[];
}

/**
 * Every base route with the paths it answers on: proto endpoints under `/api/2.0` and, for the UI,
 * `<static prefix>/ajax-api/2.0`; `/health` and `/version` under the static prefix.
 *
 * @example
 * for (const r of baseRoutes(config, stores)) for (const p of r.paths) mountRoute(app, r.method, p, r.handler, …);
 */
export function baseRoutes(config: ServerConfig, stores: ServerStores): MountedRoute[] {
  const prefix = config.staticPrefix;
  const api = [...experimentRoutes(stores.tracking), ...runRoutes(stores.tracking)].map((r) => ({
    ...r,
    paths: [`/api/2.0${r.path}`, `${prefix}/ajax-api/2.0${r.path}`],
  }));
  const plain: MountedRoute[] = [
    { ...route("GET", "/health", () => text("OK")), paths: [`${prefix}/health`] },
    { ...route("GET", "/version", () => text(SERVER_VERSION)), paths: [`${prefix}/version`] },
    {
      ...route("GET", "/mlflow/server-info", () => ({
        store_type: "SqlStore",
        multipart_uploads_enabled: false,
        multipart_downloads_enabled: false,
        workspaces_enabled: false,
        trace_archival_enabled: false,
      })),
      paths: ["/api/3.0/mlflow/server-info", `${prefix}/ajax-api/3.0/mlflow/server-info`],
    },
  ];
  return [...api, ...plain];
}
