export { RestClient } from "./rest-client.js";
export type { RestClientOptions } from "./rest-client.js";
export { MlflowClient } from "./mlflow-client.js";
export type { MetricToLog } from "./mlflow-client.js";
export { ModelRegistryClient } from "./model-registry-client.js";
export type { RegistrySearchOptions } from "./model-registry-client.js";
export { ArtifactsClient } from "./artifacts-client.js";
