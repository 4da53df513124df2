export { RestClient } from "./rest-client.js";
export type { RestClientOptions } from "./rest-client.js";
export { MlflowClient } from "./mlflow-client.js";
export type { MetricToLog } from "./mlflow-client.js";
