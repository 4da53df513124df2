/**
 * MLflow's error codes (databricks.proto) and the HTTP status each one is sent with.
 *
 * One table, read by the server when it writes an error and by the client when it reads one.
 * `RESOURCE_ALREADY_EXISTS` is 400, not 409: MLflow keeps the legacy mapping on purpose and clients
 * and tooling check it. Any code not listed here is sent as 500, as MLflow does.
 *
 * @example
 * httpStatusOf("RESOURCE_DOES_NOT_EXIST"); // 404
 */
export const ERROR_STATUS = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  IO_ERROR: 500,
  BAD_REQUEST: 400,
  DEADLINE_EXCEEDED: 504,
  CANCELLED: 499,
  RESOURCE_EXHAUSTED: 429,
  ABORTED: 409,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  UNAUTHENTICATED: 401,
  INVALID_PARAMETER_VALUE: 400,
  ENDPOINT_NOT_FOUND: 404,
  MALFORMED_REQUEST: 500,
  INVALID_STATE: 500,
  PERMISSION_DENIED: 403,
  FEATURE_DISABLED: 500,
  CUSTOMER_UNAUTHORIZED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_CONFLICT: 409,
  NOT_IMPLEMENTED: 501,
  DATA_LOSS: 500,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
} as const;

/** An MLflow error code name, as sent in `error_code`. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The HTTP status MLflow sends for an error code; unknown codes are 500.
 *
 * @example
 * httpStatusOf("INVALID_PARAMETER_VALUE"); // 400
 */
export function httpStatusOf(code: string): number {
  return (ERROR_STATUS as Record<string, number>)[code] ?? 500;
}

/**
 * The error code a client derives from an HTTP status when the body is not an MLflow error JSON.
 *
 * @example
 * errorCodeForStatus(404); // "ENDPOINT_NOT_FOUND"
 */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "ENDPOINT_NOT_FOUND";
    case 409:
      return "RESOURCE_CONFLICT";
    case 429:
      return "REQUEST_LIMIT_EXCEEDED";
    case 501:
      return "NOT_IMPLEMENTED";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    default:
      return "INTERNAL_ERROR";
  }
}
