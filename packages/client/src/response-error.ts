import { MlflowError, errorCodeForStatus, type ErrorCode } from "@mlflow-ts/protocol";

/**
 * The error of a failed response: MLflow's error JSON when the body is one, otherwise a code derived
 * from the status, as the Python client does.
 *
 * @example
 * if (!response.ok) throw responseError(response.status, await response.text(), "/api/2.0/mlflow/runs/get");
 */
export function responseError(status: number, body: string, path: string): MlflowError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const err = parsed as { error_code?: unknown; message?: unknown } | undefined;
  if (err && typeof err === "object" && typeof err.error_code === "string") {
    return new MlflowError(err.error_code as ErrorCode, String(err.message ?? ""), { status });
  }
  return new MlflowError(errorCodeForStatus(status), `API request to ${path} failed with error code ${status} != 200. Response body: '${body.slice(0, 500)}'`, { status });
}
