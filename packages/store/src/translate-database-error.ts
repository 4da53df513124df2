import { MlflowError, isMlflowError } from "@mlflow-ts/protocol";

const SQLITE_LIKE_TOO_LONG = "LIKE or GLOB pattern too complex";

/**
 * A database error that the client's input causes, every time it is sent, as the 400
 * `INVALID_PARAMETER_VALUE` it is; any other error unchanged (the server answers lost connections,
 * timeouts and bugs itself). The store checks the limits it knows before writing; this is the net
 * under those checks, so that a value nobody thought to check is still a 400 and not a 500 that
 * clients retry for minutes. MLflow answers these with 400 too (`BAD_REQUEST`, from SQLAlchemy's
 * `DataError`).
 *
 * - PostgreSQL `22001` (string_data_right_truncation): "value too long for type character varying(256)".
 * - MySQL/MariaDB `ER_DATA_TOO_LONG` (1406, strict mode): "Data too long for column 'user_id' at row 1".
 * - SQLite "LIKE or GLOB pattern too complex" (a pattern over SQLITE_MAX_LIKE_PATTERN_LENGTH) and
 *   `SQLITE_TOOBIG` (a value over SQLITE_MAX_LENGTH).
 *
 * @example
 * await query().catch((error) => { throw translateDatabaseError(error); });
 */
export function translateDatabaseError(error: unknown): unknown {
  if (typeof error !== "object" || error === null || isMlflowError(error)) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (code === "22001" || code === "ER_DATA_TOO_LONG" || code === "SQLITE_TOOBIG") {
    return new MlflowError("INVALID_PARAMETER_VALUE", `A value is too long for the database: ${text}`, { cause: error });
  }
  if (text === SQLITE_LIKE_TOO_LONG) {
    return new MlflowError("INVALID_PARAMETER_VALUE", `The LIKE pattern is longer than the database accepts (${SQLITE_LIKE_TOO_LONG})`, { cause: error });
  }
  return error;
}
