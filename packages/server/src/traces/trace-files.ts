import type { Readable } from "node:stream";
import { isMlflowError, TRACE_ARTIFACT_LOCATION_TAG, type SpanContent, type TraceRecord } from "@mlflow-ts/protocol";
import { requestStores, type MlflowRequest, type ServerConfig } from "@mlflow-ts/plugin-api";
import { parseSpanJson, spanJson, traceArtifactLocation } from "@mlflow-ts/store";
import { resolveArtifactUri } from "../artifact-access.js";
import { jsonOrText } from "./span-wire.js";

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
 * the spans), read through the caller's stores at the trace's own location (its experiment's,
 * `…/traces/<id>/artifacts`): its bytes, or undefined when there is none or the location tag
 * names another place.
 *
 * @example
 * const bytes = await traceFile(req, config, info);
 */
export async function traceFile(req: MlflowRequest, config: ServerConfig, info: TraceRecord): Promise<Buffer | undefined> {
  const location = info.tags[TRACE_ARTIFACT_LOCATION_TAG];
  if (!location) return undefined;
  try {
    // Only where the server put the trace's files: the tag is a client's to set (SetTraceTag,
    // EndTrace), and outside the proxy (an s3:// or local root) the server reads with its own
    // credentials — a trace re-tagged with another trace's location must not read that one's spans.
    const experiment = await requestStores(req).tracking.getExperiment(info.experiment_id);
    if (location !== traceArtifactLocation(experiment.artifact_location ?? "", info.trace_id)) return undefined;
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

const TRACE_FILE_PATH = /^(.+)\/traces\/([^/]+)\/artifacts\/traces\.json$/;

/** A span dict with its attribute values decoded from JSON text (the TypeScript SDK's `traces.json` form). */
function withPlainAttributes(span: SpanContent): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const key in span.attributes) attributes[key] = jsonOrText(span.attributes[key]);
  return { ...span, attributes };
}

/**
 * The `traces.json` of a trace whose spans are in the database, for a proxied path where the file
 * is missing: clients that read spans only from that file (MLflow's TypeScript SDK) then read
 * traces other clients sent over OTLP. Written in the TypeScript SDK's form (attribute values
 * decoded, as its reader expects; MLflow's Python reader takes either). Undefined when the path is
 * not a trace's file or the trace has no spans in the database.
 *
 * @example
 * const body = await synthesizedTraceFile(req, "1/traces/tr-…/artifacts/traces.json");
 */
export async function synthesizedTraceFile(req: MlflowRequest, relative: string): Promise<Buffer | undefined> {
  const match = TRACE_FILE_PATH.exec(relative);
  if (!match) return undefined;
  const [trace] = await requestStores(req).traces.getTraces([match[2]!]);
  // Only at the trace's own location: the path must be the one its tag names.
  if (!trace?.spans?.length || trace.info.tags[TRACE_ARTIFACT_LOCATION_TAG] !== `mlflow-artifacts:/${match[1]}/traces/${match[2]}/artifacts`) return undefined;
  return Buffer.from(`{"spans": [${trace.spans.map((s) => spanJson(withPlainAttributes(s))).join(", ")}]}`);
}
