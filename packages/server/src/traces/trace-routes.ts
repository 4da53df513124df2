import { f, invalidParameter, notFound, MlflowError, toWireDouble, type TraceRecord } from "@mlflow-ts/protocol";
import { requestStores, type MlflowRequest, type ServerConfig, type StoredTrace } from "@mlflow-ts/plugin-api";
import { spanJson } from "@mlflow-ts/store";
import { RawReply } from "../raw-reply.js";
import { route, type RouteDefinition } from "../route.js";
import { keyValueSchema, keyValues } from "../routes/key-values.js";
import { traceInfoV2, traceInfoV3, assessmentJson } from "./trace-wire.js";
import { otlpSpanJson } from "./span-wire.js";
import { traceFile, traceFileSpans } from "./trace-files.js";
import { assessmentInput, assessmentSchema, assessmentUpdate, traceInfoSchema, traceStartInput } from "./trace-inputs.js";

const V2_STATUSES = ["TRACE_STATUS_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"];

function v2Status(value: string): string {
  if (V2_STATUSES.includes(value)) return value;
  if (/^[0-3]$/.test(value)) return V2_STATUSES[Number(value)]!;
  throw invalidParameter(`Invalid value '${value}' for parameter 'status'. Valid values are: ${V2_STATUSES.join(", ")}`);
}

/** Whether a trace's span count is below what its client said it sent (`mlflow.trace.sizeStats`). */
function incomplete(info: TraceRecord, count: number): boolean {
  const stats = info.trace_metadata["mlflow.trace.sizeStats"];
  if (!stats) return false;
  try {
    const expected = Number((JSON.parse(stats) as { num_spans?: unknown }).num_spans);
    return Number.isFinite(expected) && expected > count;
  } catch {
    return false;
  }
}

/** A trace's spans as OTLP proto JSON, from the database or else its `traces.json`; undefined when neither has any. */
async function spansOf(req: MlflowRequest, config: ServerConfig, trace: StoredTrace): Promise<Record<string, unknown>[] | undefined> {
  const stored = trace.spans ?? (await traceFileSpans(req, config, trace.info));
  return stored && stored.length > 0 ? stored.map((s) => otlpSpanJson(s as unknown as Record<string, unknown>)) : undefined;
}

const deleteSchema = {
  experiment_id: f.id(true),
  max_timestamp_millis: f.int(),
  max_traces: f.int(),
  request_ids: f.or(f.strings(), "trace_ids"),
};

const searchV2Schema = { experiment_ids: f.ids(true), filter: f.string(), max_results: f.int(), order_by: f.strings(), page_token: f.string() };

/** Routes MLflow serves under both /api/2.0 and /api/3.0 (the 3.6 UI calls the v3 twins). */
function sharedRoutes(param: "request_id" | "trace_id"): RouteDefinition[] {
  const id = { [param]: f.string(true) } as { request_id: ReturnType<typeof f.string> };
  const idOf = (p: Record<string, unknown>) => p[param] as string;
  return [
    route("POST", "/mlflow/traces/delete-traces", deleteSchema, async (p, req) => ({
      traces_deleted: await requestStores(req).traces.deleteTraces({
        experimentId: p.experiment_id,
        maxTimestampMillis: p.max_timestamp_millis,
        maxTraces: p.max_traces,
        traceIds: p.request_ids,
      }),
    })),
    route("POST", "/mlflow/traces/link-to-run", { trace_ids: f.strings(), run_id: f.string(true) }, async (p, req) => {
      await requestStores(req).traces.linkTracesToRun(p.trace_ids ?? [], p.run_id);
      return {};
    }),
    route("PATCH", `/mlflow/traces/:${param}/tags`, { ...id, key: f.string(true), value: f.string() }, async (p, req) => {
      await requestStores(req).traces.setTraceTag(idOf(p), p.key, p.value ?? "");
      return {};
    }),
    route("DELETE", `/mlflow/traces/:${param}/tags`, { ...id, key: f.string() }, async (p, req) => {
      // MLflow reads only the body; its own 3.6 UI sends `?key=` (spec §9 item 12): both work.
      const key = p.key ?? (typeof req.query.key === "string" ? req.query.key : undefined);
      if (!key) throw invalidParameter("Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
      await requestStores(req).traces.deleteTraceTag(idOf(p), key);
      return {};
    }),
  ];
}

/**
 * MLflow 2.14+'s trace API (`/api/2.0`): StartTrace, EndTrace, GetTraceInfo, SearchTraces,
 * DeleteTraces, trace tags and LinkTracesToRun. Spans travel as `traces.json` artifacts.
 *
 * @example
 * for (const r of traceRoutesV2()) table.add({ ...r, path: `/api/2.0${r.path}` });
 */
export function traceRoutesV2(): RouteDefinition[] {
  return [
    ...sharedRoutes("request_id"),
    route(
      "POST",
      "/mlflow/traces",
      { experiment_id: f.id(true), timestamp_ms: f.int(), request_metadata: f.objects(keyValueSchema), tags: f.objects(keyValueSchema) },
      async (p, req) => ({
        trace_info: traceInfoV2(
          await requestStores(req).traces.startTraceV2({
            experimentId: p.experiment_id,
            timestampMs: p.timestamp_ms ?? Date.now(),
            metadata: keyValues(p.request_metadata),
            tags: keyValues(p.tags),
          }),
        ),
      }),
    ),
    route("GET", "/mlflow/traces", searchV2Schema, async (p, req) => {
      const result = await requestStores(req).traces.searchTraces({
        experimentIds: p.experiment_ids,
        filter: p.filter,
        maxResults: p.max_results,
        orderBy: p.order_by,
        pageToken: p.page_token,
      });
      return { traces: result.traces.map(traceInfoV2), ...(result.next_page_token ? { next_page_token: result.next_page_token } : {}) };
    }),
    route(
      "PATCH",
      "/mlflow/traces/:request_id",
      { request_id: f.string(true), timestamp_ms: f.int(true), status: f.string(true), request_metadata: f.objects(keyValueSchema), tags: f.objects(keyValueSchema) },
      async (p, req) => ({
        trace_info: traceInfoV2(
          await requestStores(req).traces.endTraceV2(p.request_id, {
            timestampMs: p.timestamp_ms,
            status: v2Status(p.status),
            metadata: keyValues(p.request_metadata),
            tags: keyValues(p.tags),
          }),
        ),
      }),
    ),
    route("GET", "/mlflow/traces/:request_id/info", { request_id: f.string(true) }, async (p, req) => ({
      trace_info: traceInfoV2(await requestStores(req).traces.getTraceInfo(p.request_id)),
    })),
  ];
}

/**
 * MLflow 3's trace API (`/api/3.0`): StartTraceV3, GetTraceInfoV3, GetTrace, BatchGetTraces,
 * SearchTracesV3, assessments, and the v2 routes it also serves there. Spans are read from the
 * database, else from the trace's `traces.json`, whoever wrote them.
 *
 * @example
 * for (const r of traceRoutesV3(config)) table.add({ ...r, path: `/api/3.0${r.path}` });
 */
export function traceRoutesV3(config: ServerConfig): RouteDefinition[] {
  const assessmentPath = { trace_id: f.string(true), assessment_id: f.string(true) };
  return [
    // Static paths first: they must win over /mlflow/traces/:trace_id.
    route("POST", "/mlflow/traces", { trace: f.object({ trace_info: f.object(traceInfoSchema, true) }, true) }, async (p, req) => ({
      trace: { trace_info: traceInfoV3(await requestStores(req).traces.startTrace(traceStartInput(p.trace.trace_info))) },
    })),
    route("GET", "/mlflow/traces/get", { trace_id: f.string(true), allow_partial: f.bool() }, async (p, req) => {
      const [trace] = await requestStores(req).traces.getTraces([p.trace_id]);
      if (!trace) throw notFound(`Trace with ID ${p.trace_id} is not found.`);
      const spans = (await spansOf(req, config, trace)) ?? [];
      if (!p.allow_partial && (spans.length === 0 || incomplete(trace.info, spans.length))) {
        throw notFound(`Trace with ID ${p.trace_id} is not fully exported yet, please try again later.`);
      }
      return { trace: { trace_info: traceInfoV3(trace.info), spans } };
    }),
    route("GET", "/mlflow/traces/batchGet", { trace_ids: f.strings(true) }, async (p, req) => {
      if (p.trace_ids.length > 100) throw invalidParameter(`'trace_ids' may name at most 100 traces (got ${p.trace_ids.length})`);
      const traces = [];
      for (const trace of await requestStores(req).traces.getTraces(p.trace_ids)) {
        const spans = await spansOf(req, config, trace);
        // As MLflow: traces without their spans (not yet exported) are left out.
        if (spans && !incomplete(trace.info, spans.length)) traces.push({ trace_info: traceInfoV3(trace.info), spans });
      }
      return { traces };
    }),
    route(
      "POST",
      "/mlflow/traces/search",
      {
        locations: f.objects({ type: f.string(), mlflow_experiment: f.object({ experiment_id: f.string(false, { coerceNumber: true }) }) }),
        filter: f.string(),
        max_results: f.int(),
        order_by: f.strings(),
        page_token: f.string(),
      },
      async (p, req) => {
        // As MLflow: only experiment locations are searched; others are dropped.
        const experimentIds = (p.locations ?? []).filter((l) => (l.type ?? "MLFLOW_EXPERIMENT") === "MLFLOW_EXPERIMENT").map((l) => l.mlflow_experiment?.experiment_id).filter((id): id is string => !!id);
        const result = await requestStores(req).traces.searchTraces({ experimentIds, filter: p.filter, maxResults: p.max_results, orderBy: p.order_by, pageToken: p.page_token });
        return { traces: result.traces.map(traceInfoV3), ...(result.next_page_token ? { next_page_token: result.next_page_token } : {}) };
      },
    ),
    route(
      "POST",
      "/mlflow/traces/calculate-filter-correlation",
      { experiment_ids: f.ids(true), filter_string1: f.string(true), filter_string2: f.string(true), base_filter: f.string() },
      async (p, req) => {
        const r = await requestStores(req).traces.traceFilterCorrelation({ experimentIds: p.experiment_ids, filter1: p.filter_string1, filter2: p.filter_string2, baseFilter: p.base_filter });
        return { ...r, npmi: toWireDouble(r.npmi), npmi_smoothed: toWireDouble(r.npmi_smoothed) };
      },
    ),
    ...sharedRoutes("trace_id"),
    route("GET", "/mlflow/traces/:trace_id", { trace_id: f.string(true) }, async (p, req) => ({
      trace: { trace_info: traceInfoV3(await requestStores(req).traces.getTraceInfo(p.trace_id)) },
    })),
    route("POST", "/mlflow/traces/:trace_id/assessments", { trace_id: f.string(true), assessment: f.object(assessmentSchema, true) }, async (p, req) => ({
      assessment: assessmentJson(await requestStores(req).traces.createAssessment(assessmentInput(p.assessment, p.trace_id))),
    })),
    route("GET", "/mlflow/traces/:trace_id/assessments/:assessment_id", assessmentPath, async (p, req) => ({
      assessment: assessmentJson(await requestStores(req).traces.getAssessment(p.trace_id, p.assessment_id)),
    })),
    route("PATCH", "/mlflow/traces/:trace_id/assessments/:assessment_id", { ...assessmentPath, assessment: f.object(assessmentSchema, true), update_mask: f.json(true) }, async (p, req) => {
      const mask = typeof p.update_mask === "string" ? p.update_mask : Array.isArray((p.update_mask as { paths?: unknown })?.paths) ? ((p.update_mask as { paths: unknown[] }).paths.map(String).join(",")) : undefined;
      if (mask === undefined) throw invalidParameter("Invalid value for parameter 'update_mask': expected a comma-separated list of field paths");
      return { assessment: assessmentJson(await requestStores(req).traces.updateAssessment(p.trace_id, p.assessment_id, assessmentUpdate(p.assessment, mask))) };
    }),
    route("DELETE", "/mlflow/traces/:trace_id/assessments/:assessment_id", assessmentPath, async (p, req) => {
      await requestStores(req).traces.deleteAssessment(p.trace_id, p.assessment_id);
      return {};
    }),
  ];
}

/**
 * The web UI's span fetch (`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=`): the trace's
 * spans as `traces.json`, from the database (`{"spans": [...]}` in MLflow 3's span format) or the
 * stored file as it is.
 *
 * @example
 * ajaxOnly.push(traceArtifactRoute(config));
 */
export function traceArtifactRoute(config: ServerConfig): RouteDefinition {
  return route("GET", "/mlflow/get-trace-artifact", { request_id: f.string() }, async (p, req) => {
    if (!p.request_id) throw new MlflowError("BAD_REQUEST", 'Request must specify "request_id".');
    const [trace] = await requestStores(req).traces.getTraces([p.request_id]);
    if (!trace) throw notFound(`Trace with ID '${p.request_id}' not found.`);
    let body: Buffer | undefined;
    if (trace.spans && trace.spans.length > 0) body = Buffer.from(`{"spans": [${trace.spans.map(spanJson).join(", ")}]}`);
    else body = await traceFile(req, config, trace.info);
    if (!body) throw notFound(`Trace data for trace with ID '${p.request_id}' was not found: the client has not uploaded its spans`);
    return new RawReply(200, { "Content-Type": "application/json", "Content-Disposition": "attachment; filename=traces.json", "X-Content-Type-Options": "nosniff" }, body);
  });
}
