export { APP_ENTRY_POINT, APP_CLIENT_ENTRY_POINT, PLUGIN_API_PACKAGE } from "./entry-points.js";
export type { ServerConfig, Logger } from "./config.js";
export type { TrackingStore, RegistryStore, ArtifactStore, RegistrySearch, AppStores, MetricPoint } from "./stores.js";
export { defineApp, defineAppClient } from "./app.js";
export type {
  Authorization,
  RequestState,
  MlflowRequest,
  JsonObject,
  BeforeRequestHook,
  AfterRequestHook,
  RouteFilter,
  RouteInfo,
  AppContext,
  MlflowApp,
  AppFactory,
  AppClientClass,
} from "./app.js";
