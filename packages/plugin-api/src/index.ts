export { APP_ENTRY_POINT, APP_CLIENT_ENTRY_POINT, ARTIFACT_REPOSITORY_ENTRY_POINT, PLUGIN_API_PACKAGE } from "./entry-points.js";
export { artifactScheme } from "./artifact-repository.js";
export type {
  ArtifactRepository,
  ArtifactRepositoryClass,
  ArtifactRepositoryOptions,
  ArtifactListOptions,
  ArtifactListPage,
  ArtifactFile,
  ArtifactWriteOptions,
  ByteRange,
  MultipartUploads,
  MultipartCredential,
  UploadedPart,
} from "./artifact-repository.js";
export type { ServerConfig, Logger } from "./config.js";
export type { TrackingStore, RegistryStore, ArtifactStore, RegistrySearch, AppStores, MetricPoint, ReadableSet, TraceStore, StoredTrace, DatasetStore, ScorerStore } from "./stores.js";
export type { EvaluationDataset, ScorerVersion } from "@mlflow-ts/protocol";
export type { SpanInput, TraceStartInput, AssessmentInput, AssessmentUpdate } from "@mlflow-ts/protocol";
export { defineApp, defineAppClient, appOptionsOf } from "./app.js";
export { setting, settingVariable, readSettings } from "./app-settings.js";
export type { Setting, SettingsSchema, InferSettings, SettingsReading } from "./app-settings.js";
export type { AppEvent, AppEventListener, AppEvents } from "./app-events.js";
export type {
  Authorization,
  RequestState,
  MlflowRequest,
  JsonObject,
  BeforeRequestHook,
  BeforeRequestOptions,
  AfterRequestHook,
  RouteFilter,
  RouteInfo,
  AppContext,
  MlflowApp,
  AppFactory,
  AppOptions,
  HealthReport,
  HealthCheck,
  LifecycleHook,
  ResponseListener,
  AppClientClass,
  StoreScope,
  EndpointMethod,
  EndpointResult,
  EndpointHandler,
} from "./app.js";
export { REQUEST_READING, requestParams, narrowRequestParams, requestEndpoint, requestStores } from "./request-reading.js";
export type { RequestParams, RequestReading } from "./request-reading.js";
// Request schemas, so an app declares its endpoints' parameters as the server does.
export { f, MlflowError, isMlflowError } from "@mlflow-ts/protocol";
export type { Field, Schema, Infer } from "@mlflow-ts/protocol";
export type { UiExtension } from "./ui-extension.js";
export type { UiHost, UiIdentity, UiManifest, UiPage } from "@mlflow-ts/protocol";
