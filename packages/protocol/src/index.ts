export { ERROR_STATUS, httpStatusOf, errorCodeForStatus } from "./error-codes.js";
export type { ErrorCode } from "./error-codes.js";
export {
  MlflowError,
  isMlflowError,
  invalidParameter,
  notFound,
  missingParameterMessage,
} from "./mlflow-error.js";
export type { MlflowErrorOptions } from "./mlflow-error.js";
export { toWireDouble, fromWireDouble } from "./wire-double.js";
export type { WireDouble } from "./wire-double.js";
export { RUN_STATUSES, VIEW_TYPES } from "./tracking-types.js";
export type {
  KeyValue,
  LifecycleStage,
  RunStatus,
  ViewType,
  Experiment,
  Metric,
  RunInfo,
  RunData,
  Dataset,
  DatasetInput,
  RunInputs,
  RunOutputs,
  Run,
} from "./tracking-types.js";
export { STAGES, LOGGED_MODEL_STATUSES, compareCodePoints } from "./registry-types.js";
export type { Stage, ModelVersion, RegisteredModel, FileInfo, LoggedModelStatus, LoggedModelMetric, LoggedModel } from "./registry-types.js";
export { f, parseObject, invalidValue, pythonStr, canonicalId, checkText, MAX_IDS } from "./request-schema.js";
export { invalidValueMessage, pythonJson } from "./invalid-value.js";
export type { Field, Schema, Infer } from "./request-schema.js";
export type { UiIdentity, UiPage, UiManifest, UiHost } from "./ui-types.js";
export { TRACE_STATES, TRACE_STATUSES, SPANS_LOCATION_TAG, TRACE_ARTIFACT_LOCATION_TAG } from "./trace-types.js";
export type { TraceRecord, AssessmentRecord, AssessmentSource, AssessmentError, SpanContent, SpanInput, TraceStartInput, AssessmentInput, AssessmentUpdate } from "./trace-types.js";
export type { EvaluationDataset, ScorerVersion } from "./evaluation-types.js";
