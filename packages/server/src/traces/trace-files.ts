import type { Readable } from "node:stream";
import { isMlflowError, TRACE_ARTIFACT_LOCATION_TAG, type TraceRecord } from "@mlflow-ts/protocol";
import { requestStores, type MlflowRequest, type ServerConfig } from "@mlflow-ts/plugin-api";
import { parseSpanJson } from "@mlflow-ts/store";
import { resolveArtifactUri } from "../artifact-access.js";

/** The largest `traces.json` read for a trace (a 1,000-span trace with big inputs is a few MB). */
export const TRACE_FILE_LIMIT = 64 * 1024 * 1024;

async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/**
 * A trace's `traces.json` (where 2.x clients, the TypeScript SDK and 3.x clients without OTLP put
 * the spans), read through the caller's stores: its bytes, or undefined when there is none.
 *
 * @example
 * const bytes = await traceFile(req, config, info);
 */
export async function traceFile(req: MlflowRequest, config: ServerConfig, info: TraceRecord): Promise<Buffer | undefined> {
  const location = info.tags[TRACE_ARTIFACT_LOCATION_TAG];
  if (!location) return undefined;
  try {
    const { store, relative } = resolveArtifactUri(config, requestStores(req).artifacts, location, "traces.json");
    const file = await store.read(relative);
    return await readAll(file.stream, TRACE_FILE_LIMIT);
  } catch (error) {
    // No file (the client has not uploaded it, or never will), or a location this server cannot
    // read: the trace has no spans to show. A refusal is still a refusal.
    if (isMlflowError(error) && error.code === "PERMISSION_DENIED") throw error;
    return undefined;
  }
}

/**
 * The spans of a `traces.json` in any writer's format (2.x, 3.x Python, TypeScript SDK), or
 * undefined when the file is missing, empty or not JSON.
 *
 * @example
 * const spans = await traceFileSpans(req, config, info);
 */
export async function traceFileSpans(req: MlflowRequest, config: ServerConfig, info: TraceRecord): Promise<Record<string, unknown>[] | undefined> {
  const bytes = await traceFile(req, config, info);
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const parsed = parseSpanJson(bytes.toString("utf8")) as { spans?: unknown };
    return Array.isArray(parsed?.spans) ? (parsed.spans as Record<string, unknown>[]) : undefined;
  } catch {
    return undefined;
  }
}
