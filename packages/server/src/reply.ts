import type { Request, Response as ExpressResponse } from "express";
import { Readable, pipeline } from "node:stream";
import { MlflowError, isMlflowError } from "@mlflow-ts/protocol";
import type { JsonObject, Logger } from "@mlflow-ts/plugin-api";
import { RawReply } from "./raw-reply.js";
import type { HookRegistry } from "./hooks.js";
import { hasAfterHooksFor, runAfterHooks } from "./hooks.js";

function writeJson(res: ExpressResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) });
  res.end(json);
}

/**
 * The one function that writes a route's answer: after-request hooks on JSON payloads, then
 * serialisation; a {@link RawReply} is written as it is (streams piped, and destroyed when the
 * client goes away).
 *
 * @example
 * await sendReply(req, res, { experiment_id: "1" }, registry);
 */
export async function sendReply(req: Request, res: ExpressResponse, value: JsonObject | RawReply, registry: HookRegistry): Promise<void> {
  if (value instanceof RawReply) {
    res.writeHead(value.status, value.headers as Record<string, string | number>);
    if (value.body instanceof Readable && req.method === "HEAD") {
      // The headers are the answer: piping would pull the whole file (from S3: every byte,
      // billed) only for Node to drop it.
      value.body.destroy();
      res.end();
    } else if (value.body instanceof Readable) {
      // pipeline, not pipe: a client that goes away must end the source too — an S3 body left
      // paused keeps its socket out of the repository's pool (64 dropped downloads and every
      // S3 request waits), a file stream its descriptor. A source that fails cuts the answer.
      pipeline(value.body, res, (error) => {
        if (error) res.destroy();
      });
    } else res.end(value.body);
    return;
  }
  const payload = hasAfterHooksFor(registry, req) ? await runAfterHooks(registry, value, req) : value;
  writeJson(res, 200, payload);
}

const TRANSIENT_CODES = new Set(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED", "40001", "40P01", "57P03", "53300"]);

function isTransientDatabaseError(error: unknown): boolean {
  return TRANSIENT_CODES.has(String((error as { code?: unknown })?.code));
}

// The database is away: refused or lost connections, a server shutting down or killing our
// session (PostgreSQL's 57P01/57P02 and class 08, MySQL's lost connection and ER_CONNECTION_KILLED),
// a pool that could not connect in time. Nothing was committed for a request that got one of these
// (a write is acknowledged only after its commit), so a retry is safe and may succeed.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN",
  "57P01", "57P02", "08000", "08001", "08003", "08004", "08006",
  "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "ER_SERVER_SHUTDOWN", "ER_CONNECTION_KILLED", "ER_QUERY_INTERRUPTED", "ER_CON_COUNT_ERROR",
]);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Query read timeout|Can't add new command when connection is in closed state|connection is in closed state|Pool is closed/i;

// While the database is away every request fails the same way: say so once a second, not per request.
const lastWarned = new Map<string, number>();
function warnAtMostEverySecond(logger: Logger, message: string, fields: Record<string, unknown>): void {
  const now = Date.now();
  if (now - (lastWarned.get(message) ?? 0) < 1_000) return;
  lastWarned.set(message, now);
  logger.warn(message, fields);
}

function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (UNAVAILABLE_CODES.has(String(e?.code))) return true;
  // A connect to several addresses fails with an AggregateError of their errors.
  if (Array.isArray(e?.errors) && e.errors.some(isDatabaseUnavailable)) return true;
  return typeof e?.message === "string" && UNAVAILABLE_MESSAGES.test(e.message);
}

/**
 * Writes an error as MLflow's error JSON with its status. Anything that is not an `MlflowError` is
 * a bug: it is logged with its stack and answered with a generic 500 that reveals nothing.
 *
 * @example
 * sendError(res, new MlflowError("RESOURCE_DOES_NOT_EXIST", "no such run"), logger);
 */
export function sendError(res: ExpressResponse, error: unknown, logger: Logger, req?: Request): void {
  let mlflowError: MlflowError;
  if (isMlflowError(error)) mlflowError = error;
  else if ((error as { code?: unknown })?.code === "57014") {
    // PostgreSQL cancelled the query: the statement timeout, or its client went away.
    logger.warn("query cancelled", { path: req?.path, error: (error as Error).message });
    mlflowError = new MlflowError("TEMPORARILY_UNAVAILABLE", "The query was cancelled: it ran longer than the server's statement timeout (--db-statement-timeout)");
  } else if (isTransientDatabaseError(error)) {
    // Lock timeouts, serialization failures, deadlocks: a retry can succeed, so say so (503).
    warnAtMostEverySecond(logger, "transient database error", { path: req?.path, error: (error as Error).message });
    mlflowError = new MlflowError("TEMPORARILY_UNAVAILABLE", "The database is busy; retry the request");
  } else if (isDatabaseUnavailable(error)) {
    warnAtMostEverySecond(logger, "database unavailable", { path: req?.path, error: (error as Error).message });
    mlflowError = new MlflowError("TEMPORARILY_UNAVAILABLE", "The database is unavailable; retry the request");
  } else {
    logger.error("unhandled error", { path: req?.path, error: (error as Error)?.stack ?? String(error) });
    mlflowError = new MlflowError("INTERNAL_ERROR", "Internal server error");
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = mlflowError.status;
  writeJson(res, status, { error_code: mlflowError.code, message: mlflowError.message });
}
