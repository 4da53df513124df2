import zlib from "node:zlib";
import { promisify } from "node:util";
import type { Readable } from "node:stream";
import { isMlflowError, type SpanInput } from "@mlflow-ts/protocol";
import { requestStores, type MlflowRequest } from "@mlflow-ts/plugin-api";
import { RawReply } from "../raw-reply.js";
import { route, type RouteDefinition } from "../route.js";
import { decodeOtlpSpans, OtlpFormatError } from "./otlp-decode.js";
import { spanFromOtlp } from "./span-from-otlp.js";

/** The largest OTLP request body read, compressed and decompressed. */
export const OTLP_BODY_LIMIT = 32 * 1024 * 1024;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/** The header naming the experiment spans go to (MLflow's clients always send it). */
export const EXPERIMENT_HEADER = "x-mlflow-experiment-id";

// FastAPI's error shape, which MLflow's OTLP endpoint answers with ({"detail": ...}).
const detail = (status: number, value: unknown) => new RawReply(status, { "Content-Type": "application/json" }, JSON.stringify({ detail: value }));

async function readBody(stream: Readable): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > OTLP_BODY_LIMIT) return undefined;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

async function decompress(body: Buffer, encoding: string): Promise<Buffer> {
  const options = { maxOutputLength: OTLP_BODY_LIMIT };
  if (encoding === "gzip") return gunzip(body, options);
  if (encoding === "deflate") return inflate(body, options);
  return body;
}

function failure(traceId: string, error: unknown): string {
  return `Trace ${traceId}: ${isMlflowError(error) ? error.message : "internal error"}`;
}

/**
 * OTLP/HTTP trace ingest, `POST /v1/traces`, as MLflow 3.4+'s server (where 3.x Python clients send
 * every span, with the experiment in `x-mlflow-experiment-id`): protobuf as MLflow takes it, and
 * also OTLP/JSON and gzip or deflate bodies, which OpenTelemetry SDKs default to. Spans are grouped
 * by MLflow trace and stored through the caller's stores, one transaction per trace; a trace that
 * fails does not undo the others. Answers 200 with an empty `ExportTraceServiceResponse`.
 *
 * @example
 * table.add({ ...otlpRoute(), path: "/v1/traces" });
 */
export function otlpRoute(): RouteDefinition {
  return route(
    "POST",
    "/v1/traces",
    {},
    async (_p, req: MlflowRequest) => {
      const experimentId = req.headers[EXPERIMENT_HEADER];
      if (typeof experimentId !== "string" || experimentId === "") {
        return detail(422, [{ type: "missing", loc: ["header", EXPERIMENT_HEADER], msg: "Field required", input: null }]);
      }
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/x-protobuf" && type !== "application/json") {
        return detail(400, `Invalid Content-Type: ${req.headers["content-type"] ?? ""}. Expected: application/x-protobuf`);
      }
      const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
      if (!["identity", "gzip", "deflate"].includes(encoding)) return detail(415, `Unsupported Content-Encoding: ${encoding}. Use gzip, deflate or none`);
      const raw = await readBody(req);
      if (raw === undefined) return detail(413, `Request body exceeds the limit of ${OTLP_BODY_LIMIT} bytes`);
      let spans: SpanInput[];
      try {
        const body = await decompress(raw, encoding);
        const decoded = decodeOtlpSpans(body, type === "application/json" ? "json" : "protobuf");
        if (decoded.length === 0) return detail(400, "Invalid OpenTelemetry protobuf format - no spans found");
        spans = decoded.map(spanFromOtlp);
      } catch (error) {
        if (error instanceof OtlpFormatError || (error as { code?: string }).code?.startsWith("Z_") || error instanceof RangeError) {
          return detail(400, `Invalid OpenTelemetry protobuf format: ${(error as Error).message}`);
        }
        return detail(422, "Cannot convert OpenTelemetry span to MLflow span");
      }
      const byTrace = new Map<string, SpanInput[]>();
      for (const span of spans) {
        let list = byTrace.get(span.traceId);
        if (!list) byTrace.set(span.traceId, (list = []));
        list.push(span);
      }
      const failures: string[] = [];
      for (const [traceId, group] of byTrace) {
        try {
          await requestStores(req).traces.logSpans(experimentId, group);
        } catch (error) {
          if (isMlflowError(error) && error.code === "PERMISSION_DENIED") throw error;
          if (isMlflowError(error) && error.code === "NOT_IMPLEMENTED") return detail(501, error.message);
          if (!isMlflowError(error)) throw error;
          failures.push(failure(traceId, error));
        }
      }
      if (failures.length > 0) return detail(422, `Failed to log OpenTelemetry spans: ${failures.join("; ")}`);
      return type === "application/json"
        ? new RawReply(200, { "Content-Type": "application/json" }, "{}")
        : new RawReply(200, { "Content-Type": "application/x-protobuf" }, Buffer.alloc(0));
    },
    { rawBody: true },
  );
}
