import type { Request, Response } from "express";
import { MlflowError } from "@mlflow-ts/protocol";
import type { Logger } from "@mlflow-ts/plugin-api";
import { sendError } from "./reply.js";

/**
 * What happens when no route answered: an error passed down the chain is written as MLflow error
 * JSON; an unknown API path is a JSON 404 (`ENDPOINT_NOT_FOUND`, which drives the clients' POST→GET
 * fallback) and a known path with the wrong method a JSON 405; anything else a plain 404.
 *
 * @example
 * http.createServer((req, res) => app(req, res, (err) => finalHandler(req, res, err, (p) => table.methodsAt(p), logger)));
 */
export function finalHandler(req: Request, res: Response, error: unknown, methodsAt: (path: string) => readonly string[], logger: Logger): void {
  if (error !== undefined && error !== null) {
    // Errors from Express/body-parser carry a status (400 for bad JSON, 413 …); keep it.
    const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500 && !(error as { code?: unknown }).code) {
      sendError(res, new MlflowError("BAD_REQUEST", (error as Error).message, { status }), logger, req);
    } else sendError(res, error, logger, req);
    return;
  }
  const path = req.path;
  // `//model-versions/get-artifact`: MLflow's router merges repeated slashes by redirecting to the
  // clean URL; so does this one, for paths that only match once merged.
  const merged = path.replace(/\/{2,}/g, "/");
  if (merged !== path && methodsAt(merged).length > 0) {
    const query = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
    res.writeHead(308, { Location: `${merged}${query}`, "Content-Length": "0" });
    res.end();
    return;
  }
  const isApi = /\/(api|ajax-api)\/\d\.0\//.test(path);
  const methods = methodsAt(path);
  if (methods.length > 0 && !methods.includes(req.method === "HEAD" ? "GET" : req.method)) {
    res.setHeader("Allow", methods.join(", "));
    sendError(res, new MlflowError("ENDPOINT_NOT_FOUND", `Method ${req.method} is not allowed for ${path}`, { status: 405 }), logger, req);
    return;
  }
  if (isApi) {
    sendError(res, new MlflowError("ENDPOINT_NOT_FOUND", `No API endpoint at ${req.method} ${path}`), logger, req);
    return;
  }
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
  res.end("Not Found");
}
