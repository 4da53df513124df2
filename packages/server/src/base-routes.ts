import type { AppStores, MlflowRequest, ServerConfig } from "@mlflow-ts/plugin-api";
import { text } from "./raw-reply.js";
import { route, type RouteDefinition } from "./route.js";
import { experimentRoutes } from "./routes/experiment-routes.js";
import { runRoutes } from "./routes/run-routes.js";
import { registryRoutes } from "./routes/registry-routes.js";
import { loggedModelRoutes } from "./routes/logged-model-routes.js";
import { artifactProxyRoutes, downloadRoutes, loggedModelFileRoute, trackingArtifactRoutes } from "./routes/artifact-routes.js";
import { MLFLOW_API_VERSION, SERVER_VERSION } from "./version.js";
import { traceArtifactRoute, traceRoutesV2, traceRoutesV3 } from "./traces/trace-routes.js";
import { otlpRoute } from "./otlp/otlp-route.js";
import { datasetRoutes, scorerRoutes } from "./evaluation/evaluation-routes.js";
import { uiRoutes } from "./routes/ui-routes.js";
import { graphqlRoutes } from "./routes/graphql-route.js";

/** The stores the base server serves: tracking, registry and proxied artifacts. */
export type ServerStores = AppStores;

// What MLflow answers (503, plain text) for routes its mode turns off.
function disabled(routes: readonly RouteDefinition[], why: (path: string) => string): RouteDefinition[] {
  // Parameters are not read: a disabled endpoint answers 503 whatever they are.
  return routes.map((r) => ({ ...r, schema: {}, handler: (_p, req) => text(why(req.path), 503) }));
}

/**
 * MLflow's `/health` ("OK"), or 503 "database unavailable" when the database does not answer: the
 * process is up but cannot serve. (No detail: `/health` is open to anyone, and the reason names
 * hosts; the server's log has it.)
 */
async function health(databaseHealth: (() => Promise<void>) | undefined, req: MlflowRequest, detail: HealthDetail | undefined) {
  let database = true;
  if (databaseHealth) {
    try {
      await databaseHealth();
    } catch {
      database = false;
    }
  }
  // `?detail` (admins only when an auth app is on: it is not an open route then) adds what the
  // apps report; still no host names or error texts of the database.
  if (detail && req.query.detail !== undefined) {
    const { apps, checks } = await detail();
    const ok = database && Object.values(checks).every((c) => c.ok);
    const body = { status: database ? "OK" : "database unavailable", ok, version: SERVER_VERSION, database: { ok: database }, apps, checks };
    return new Response(JSON.stringify(body), { status: database ? 200 : 503, headers: { "Content-Type": "application/json" } });
  }
  return database ? text("OK") : text("database unavailable", 503);
}

/** What `/health?detail` adds: the apps applied and their health contributions. */
export type HealthDetail = () => Promise<{ apps: readonly object[]; checks: Readonly<Record<string, { readonly ok: boolean }>> }>;

/** A route with the absolute paths it is served at. */
export interface MountedRoute extends RouteDefinition {
  readonly paths: readonly string[];
}

/**
 * Every base route with the paths it answers on: proto endpoints under `/api/2.0` and, for the UI,
 * `<static prefix>/ajax-api/2.0`; `/health` and `/version` under the static prefix.
 *
 * @example
 * for (const r of baseRoutes(config, stores)) for (const path of r.paths) table.add({ ...r, path });
 */
export function baseRoutes(config: ServerConfig, stores: ServerStores, databaseHealth?: () => Promise<void>, healthDetail?: HealthDetail): MountedRoute[] {
  const prefix = config.staticPrefix;
  const ui = uiRoutes(config);
  let tracking = [...experimentRoutes(), ...ui.both, ...runRoutes(), ...registryRoutes(config), ...loggedModelRoutes(), ...trackingArtifactRoutes(config), ...traceRoutesV2()];
  let v3 = [...traceRoutesV3(config), ...datasetRoutes(), ...scorerRoutes()];
  let otlp = [otlpRoute()];
  let proxy = artifactProxyRoutes();
  let downloads = [...downloadRoutes(config, stores), ...graphqlRoutes(config)];
  let ajaxOnly = [loggedModelFileRoute(config), ...ui.ajaxOnly, traceArtifactRoute(config)];
  if (config.artifactsOnly) {
    const why = (p: string) => `Endpoint: ${p} disabled due to the mlflow server running in \`--artifacts-only\` mode.`;
    tracking = disabled(tracking, why);
    downloads = disabled(downloads, why);
    ajaxOnly = disabled(ajaxOnly, why);
    v3 = disabled(v3, why);
    otlp = disabled(otlp, why);
  }
  if (!config.serveArtifacts) {
    proxy = disabled(
      proxy,
      (p) => `Endpoint: ${p} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`mlflow server\` with \`--serve-artifacts\``,
    );
  }
  const api: MountedRoute[] = [
    ...tracking.map((r) => ({ ...r, paths: [`/api/2.0${r.path}`, `${prefix}/ajax-api/2.0${r.path}`] })),
    ...proxy.map((r) => ({ ...r, paths: [`/api/2.0/mlflow-artifacts${r.path}`, `${prefix}/ajax-api/2.0/mlflow-artifacts${r.path}`] })),
    ...downloads.map((r) => ({ ...r, paths: [`${prefix}${r.path}`] })),
    ...ajaxOnly.map((r) => ({ ...r, paths: [`${prefix}/ajax-api/2.0${r.path}`] })),
    ...v3.map((r) => ({ ...r, paths: [`/api/3.0${r.path}`, `${prefix}/ajax-api/3.0${r.path}`] })),
    // OTLP clients post to <tracking URI>/v1/traces: the root, or below the static prefix.
    ...otlp.map((r) => ({ ...r, paths: prefix ? [r.path, `${prefix}${r.path}`] : [r.path] })),
  ];
  const plain: MountedRoute[] = [
    { ...route("GET", "/health", {}, (_p, req) => health(databaseHealth, req, healthDetail)), paths: [`${prefix}/health`] },
    { ...route("GET", "/version", {}, () => text(MLFLOW_API_VERSION)), paths: [`${prefix}/version`] },
    {
      ...route("GET", "/mlflow/server-info", {}, () => ({
        store_type: "SqlStore",
        mlflow_ts_version: SERVER_VERSION,
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
