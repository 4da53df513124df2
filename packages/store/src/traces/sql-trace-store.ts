import type { AssessmentInput, AssessmentRecord, AssessmentUpdate, KeyValue, SpanInput, TraceRecord, TraceStartInput } from "@mlflow-ts/protocol";
import type { TrackingContext } from "../tracking/context.js";
import { loadTraces } from "./trace-rows.js";
import { endTraceV2, startTrace, startTraceV2, traceExperiment } from "./start-trace.js";
import { logSpans } from "./log-spans.js";
import { searchTraces, type SearchTracesInput } from "./search-traces.js";
import { deleteTraces, deleteTraceTag, linkTracesToRun, setTraceTag, type DeleteTracesInput } from "./trace-mutations.js";
import { createAssessment, deleteAssessment, getAssessment, updateAssessment } from "./assessments.js";
import { getTraces, type TraceWithSpans } from "./trace-spans.js";
import { traceNotFound } from "./trace-rows.js";
import { traceFilterCorrelation, type TraceFilterCorrelation } from "./trace-correlation.js";

/**
 * GenAI traces on SQL, in MLflow's tables (`trace_info`, `trace_tags`, `trace_request_metadata`,
 * `assessments`, `spans`, `entity_associations`) at the database's revision: trace calls on a
 * database without `trace_info` answer 501 naming the revision they need; without `spans`, spans
 * live in `traces.json` artifacts as MLflow kept them then.
 *
 * @example
 * const traces = new SqlTraceStore(ctx);
 * await traces.searchTraces({ experimentIds: ["1"] });
 */
export class SqlTraceStore {
  constructor(private readonly ctx: TrackingContext) {}

  /** Whether spans are stored in the database (`spans`, MLflow 3.3+). */
  get spansInDatabase(): boolean {
    return this.ctx.schema.atLeast("a1b2c3d4e5f6");
  }

  private need(): void {
    this.ctx.schema.require("867495a8f9d4", "Traces");
  }

  traceExperiment(traceId: string): Promise<string> {
    this.need();
    return traceExperiment(this.ctx, traceId);
  }
  startTraceV2(input: { experimentId: string; timestampMs: number; metadata?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<TraceRecord> {
    this.need();
    return startTraceV2(this.ctx, input);
  }
  endTraceV2(traceId: string, input: { timestampMs: number; status: string; metadata?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<TraceRecord> {
    this.need();
    return endTraceV2(this.ctx, traceId, input);
  }
  startTrace(input: TraceStartInput): Promise<TraceRecord> {
    this.need();
    return startTrace(this.ctx, input);
  }
  async getTraceInfo(traceId: string): Promise<TraceRecord> {
    this.need();
    const [trace] = await loadTraces(this.ctx, [traceId]);
    if (!trace) throw traceNotFound(traceId);
    return trace;
  }
  getTraces(traceIds: readonly string[]): Promise<TraceWithSpans[]> {
    this.need();
    return getTraces(this.ctx, traceIds);
  }
  logSpans(experimentId: string, spans: readonly SpanInput[]): Promise<void> {
    this.need();
    return logSpans(this.ctx, experimentId, spans);
  }
  searchTraces(input: SearchTracesInput): Promise<{ traces: TraceRecord[]; next_page_token?: string }> {
    this.need();
    return searchTraces(this.ctx, input);
  }
  traceFilterCorrelation(input: Parameters<typeof traceFilterCorrelation>[1]): Promise<TraceFilterCorrelation> {
    this.need();
    return traceFilterCorrelation(this.ctx, input);
  }
  setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    this.need();
    return setTraceTag(this.ctx, traceId, key, value);
  }
  deleteTraceTag(traceId: string, key: string): Promise<void> {
    this.need();
    return deleteTraceTag(this.ctx, traceId, key);
  }
  deleteTraces(input: DeleteTracesInput): Promise<number> {
    this.need();
    return deleteTraces(this.ctx, input);
  }
  linkTracesToRun(traceIds: readonly string[], runId: string): Promise<void> {
    this.need();
    return linkTracesToRun(this.ctx, traceIds, runId);
  }
  createAssessment(input: AssessmentInput): Promise<AssessmentRecord> {
    this.need();
    return createAssessment(this.ctx, input);
  }
  getAssessment(traceId: string, assessmentId: string): Promise<AssessmentRecord> {
    this.need();
    return getAssessment(this.ctx, traceId, assessmentId);
  }
  updateAssessment(traceId: string, assessmentId: string, update: AssessmentUpdate): Promise<AssessmentRecord> {
    this.need();
    return updateAssessment(this.ctx, traceId, assessmentId, update);
  }
  deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    this.need();
    return deleteAssessment(this.ctx, traceId, assessmentId);
  }
}
