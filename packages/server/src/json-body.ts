import type { NextFunction, Request, Response } from "express";
import { MlflowError, invalidParameter } from "@mlflow-ts/protocol";
import { sendContinue } from "./expect-continue.js";

const BODY_ERROR = Symbol("mlflow.bodyError");
const BODY_TEXT = Symbol("mlflow.bodyText");

type WithBody = Request & { [BODY_ERROR]?: MlflowError; [BODY_TEXT]?: string };

function tooLarge(limit: number): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", `Request body exceeds the limit of ${limit} bytes`, { status: 413 });
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json";
}

function decode(req: Request, raw: Buffer): void {
  const body = req as WithBody;
  body.body = {};
  if (raw.length === 0) return;
  const method = req.method;
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") {
    // HTML form posts (an app's sign-up page) read their fields from req.body; API routes still
    // refuse the content type when they read their parameters.
    body.body = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  }
  if ((method === "POST" || method === "PUT") && !isJsonType(req.headers["content-type"])) {
    body[BODY_ERROR] = invalidParameter(
      `Bad Request. Content-Type must be one of [application/json]. Got '${req.headers["content-type"] ?? ""}'.`,
    );
    return;
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    // Replacing bad bytes with U+FFFD would store something the client never sent.
    body[BODY_ERROR] = new MlflowError("BAD_REQUEST", "Malformed request: the body is not valid UTF-8");
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    // A legacy double-encoded body is a JSON string holding JSON.
    if (typeof parsed === "string") parsed = JSON.parse(parsed);
  } catch {
    body[BODY_ERROR] = new MlflowError("BAD_REQUEST", "Malformed request: the body is not valid JSON");
    return;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    body[BODY_ERROR] = new MlflowError("BAD_REQUEST", "Malformed request: the JSON body must be an object");
    return;
  }
  if (deeperThan(parsed, MAX_DEPTH)) {
    body[BODY_ERROR] = new MlflowError("BAD_REQUEST", `Malformed request: the JSON body is nested deeper than ${MAX_DEPTH} levels`);
    return;
  }
  body.body = parsed;
  body[BODY_TEXT] = text;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

// MLflow's messages nest a few levels; recursion over a hostile body (JSON.stringify, freezing)
// must never meet thousands.
const MAX_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `limit`, checked without recursion. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Buffers a JSON request body (up to `limit` bytes, else 413 before any hook runs) and parses it
 * into `req.body`. A malformed body or a wrong Content-Type does not fail here: `req.body` is `{}`
 * and the error is raised when the route reads its parameters ({@link bodyErrorOf}), so an
 * authentication hook still answers 401 first.
 *
 * @example
 * app.use(jsonBody(16 * 1024 * 1024, (req) => req.path.includes("/mlflow-artifacts/")));
 */
export function jsonBody(limit: number, skip: (req: Request) => boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (skip(req)) return next();
    const length = req.headers["content-length"];
    if (length !== undefined && Number(length) > limit) {
      res.setHeader("Connection", "close");
      return next(tooLarge(limit));
    }
    if (length === "0" || (length === undefined && req.headers["transfer-encoding"] === undefined)) {
      req.body = {};
      return next();
    }
    sendContinue(res);
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        res.setHeader("Connection", "close");
        next(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (failed) return;
      decode(req, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      next();
    });
    req.on("error", (error) => {
      if (failed) return;
      failed = true;
      next(new MlflowError("BAD_REQUEST", `Could not read the request body: ${error.message}`));
    });
  };
}

/**
 * The error {@link jsonBody} deferred for this request (bad JSON, wrong Content-Type), if any.
 *
 * @example
 * const error = bodyErrorOf(req); if (error) throw error;
 */
export function bodyErrorOf(req: Request): MlflowError | undefined {
  return (req as WithBody)[BODY_ERROR];
}

/**
 * The JSON body as it was sent, for messages that must show a value as the client wrote it
 * (`9.0`, which JSON.parse turns into 9).
 *
 * @example
 * const text = bodyTextOf(req);
 */
export function bodyTextOf(req: Request): string | undefined {
  return (req as WithBody)[BODY_TEXT];
}
