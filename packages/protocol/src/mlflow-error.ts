import { httpStatusOf, type ErrorCode } from "./error-codes.js";

/** Options of an {@link MlflowError}. */
export interface MlflowErrorOptions {
  /** Overrides the status of the code table, for the few answers MLflow sends outside it (413, 405). */
  readonly status?: number;
  /** The error that caused this one; kept for logs, never sent to the client. */
  readonly cause?: unknown;
}

/**
 * The one error type that reaches the wire: `{"error_code": code, "message": message}` with the
 * status of the code table.
 *
 * @example
 * throw new MlflowError("RESOURCE_DOES_NOT_EXIST", "Run with id=abc not found");
 */
export class MlflowError extends Error {
  override readonly name = "MlflowError";
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: MlflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? httpStatusOf(code);
  }

  /** The JSON body MLflow sends for this error. */
  toJSON(): { error_code: string; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

/**
 * Whether `x` is an {@link MlflowError}, judged by `name` and `code` rather than `instanceof`,
 * because a plugin may bring its own copy of this package.
 *
 * @example
 * try { await run(); } catch (e) { if (isMlflowError(e)) console.log(e.code); }
 */
export function isMlflowError(x: unknown): x is MlflowError {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as { name?: unknown }).name === "MlflowError" &&
    typeof (x as { code?: unknown }).code === "string" &&
    typeof (x as { message?: unknown }).message === "string"
  );
}

/**
 * The message MLflow sends when a required parameter is missing or empty.
 *
 * @example
 * throw invalidParameter(missingParameterMessage("run_id"));
 */
export function missingParameterMessage(name: string): string {
  return `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`;
}

/**
 * A 400 `INVALID_PARAMETER_VALUE` error, the answer to most bad input.
 *
 * @example
 * throw invalidParameter("max_results must be at most 50000");
 */
export function invalidParameter(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/**
 * A 404 `RESOURCE_DOES_NOT_EXIST` error.
 *
 * @example
 * throw notFound(`Experiment with id=${id} not found`);
 */
export function notFound(message: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", message);
}
