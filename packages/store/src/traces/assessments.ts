import { randomUUID } from "node:crypto";
import { invalidParameter, notFound, type AssessmentInput, type AssessmentRecord, type AssessmentUpdate } from "@mlflow-ts/protocol";
import type { Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { sqlBool, type TrackingContext } from "../tracking/context.js";
import { toAssessment, type AssessmentRow } from "./assessment-rows.js";
import { traceRow } from "./trace-rows.js";
import { pyJson } from "./py-json.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/** Source types MLflow knows; `AI_JUDGE` is its old name of `LLM_JUDGE`. */
const SOURCE_TYPES = new Set(["SOURCE_TYPE_UNSPECIFIED", "HUMAN", "LLM_JUDGE", "CODE"]);

const RUN_METADATA_KEY = "mlflow.assessment.sourceRunId";

function checkLength(value: string | undefined, limit: number, what: string): void {
  if (value !== undefined && value.length > limit) throw invalidParameter(`Assessment ${what} had length ${value.length}, which exceeded length limit of ${limit}`);
}

/** The columns of a feedback's or expectation's value, MLflow's way (json.dumps), with its checks. */
function valueColumns(input: Pick<AssessmentInput, "feedback" | "expectation">): { type: "feedback" | "expectation"; value: string; error: string | null } {
  if (input.feedback && input.expectation) throw invalidParameter("Cannot specify both `expectation` and `feedback` parameters.");
  if (input.feedback) {
    if (!input.feedback.hasValue && !input.feedback.error) throw invalidParameter("Either `value` or `error` must be provided.");
    return { type: "feedback", value: pyJson(input.feedback.hasValue ? input.feedback.value : null), error: input.feedback.error ? pyJson(input.feedback.error) : null };
  }
  if (input.expectation) {
    if (!input.expectation.hasValue) throw invalidParameter("The `value` field must be specified.");
    return { type: "expectation", value: pyJson(input.expectation.value), error: null };
  }
  throw invalidParameter("Unknown assessment type: None");
}

/**
 * The `assessments` row of a new assessment (id `a-<hex>`, times the client's or now, valid).
 *
 * @example
 * const row = assessmentRow(ctx, input);
 */
export function assessmentRow(ctx: TrackingContext, input: AssessmentInput): AssessmentRow {
  checkLength(input.name, 250, "name");
  checkLength(input.source.sourceId, 250, "source_id");
  checkLength(input.spanId, 50, "span_id");
  checkLength(input.overrides, 50, "overrides");
  if (input.name.trim() === "") throw invalidParameter("Assessment name must not be empty.");
  const sourceType = input.source.sourceType === "AI_JUDGE" ? "LLM_JUDGE" : input.source.sourceType || "SOURCE_TYPE_UNSPECIFIED";
  if (!SOURCE_TYPES.has(sourceType)) throw invalidParameter(`Invalid assessment source type: '${sourceType}'. Expected one of ${[...SOURCE_TYPES].join(", ")}.`);
  const { type, value, error } = valueColumns(input);
  const now = ctx.now();
  const runId = input.metadata?.[RUN_METADATA_KEY];
  // Expectations carry no rationale and override nothing (MLflow's Expectation drops both).
  const expectation = type === "expectation";
  return {
    assessment_id: `a-${randomUUID().replace(/-/g, "")}`,
    trace_id: input.traceId,
    name: input.name,
    assessment_type: type,
    value,
    error,
    created_timestamp: input.createTimeMs || now,
    last_updated_timestamp: input.lastUpdateTimeMs || now,
    source_type: sourceType,
    source_id: input.source.sourceId || null,
    run_id: runId && runId.length <= 32 ? runId : null,
    span_id: input.spanId || null,
    rationale: expectation ? null : (input.rationale ?? null),
    overrides: expectation ? null : input.overrides || null,
    valid: true,
    assessment_metadata: input.metadata && Object.keys(input.metadata).length > 0 ? pyJson(input.metadata) : null,
  };
}

/**
 * Inserts assessment rows (with the dialect's booleans).
 *
 * @example
 * await insertAssessments(ctx, trx, [assessmentRow(ctx, input)]);
 */
export async function insertAssessments(ctx: TrackingContext, db: Db, rows: readonly AssessmentRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto("assessments")
    .values(rows.map((r) => ({ ...r, valid: sqlBool(ctx.database.dialect, r.valid === true || r.valid === 1) })))
    .execute();
}

async function assessmentRowOf(db: Db, traceId: string, assessmentId: string): Promise<AssessmentRow> {
  const row = (await db.selectFrom("assessments").selectAll().where("trace_id", "=", traceId).where("assessment_id", "=", assessmentId).executeTakeFirst()) as
    | AssessmentRow
    | undefined;
  if (!row) throw notFound(`Assessment with ID '${assessmentId}' not found for trace '${traceId}'`);
  return row;
}

/**
 * Creates an assessment; one that `overrides` another marks that one invalid (404 if it is not an
 * assessment of the same trace).
 *
 * @example
 * const a = await createAssessment(ctx, { traceId, name: "correct", source: { sourceType: "HUMAN" }, feedback: { value: true, hasValue: true } });
 */
export async function createAssessment(ctx: TrackingContext, input: AssessmentInput): Promise<AssessmentRecord> {
  ctx.schema.require("770bee3ae1dd", "Assessments");
  const row = assessmentRow(ctx, input);
  await withTransaction(ctx.database, async (trx) => {
    await traceRow(ctx, trx, input.traceId);
    if (row.overrides) {
      const updated = await trx
        .updateTable("assessments")
        .set({ valid: sqlBool(ctx.database.dialect, false) })
        .where("trace_id", "=", input.traceId)
        .where("assessment_id", "=", row.overrides)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw notFound(`Assessment with ID '${row.overrides}' not found for trace '${input.traceId}'`);
    }
    await insertAssessments(ctx, trx, [row]);
  });
  return toAssessment(row);
}

/**
 * One assessment of a trace (404 naming the trace or the assessment).
 *
 * @example
 * await getAssessment(ctx, "tr-…", "a-…");
 */
export async function getAssessment(ctx: TrackingContext, traceId: string, assessmentId: string): Promise<AssessmentRecord> {
  ctx.schema.require("770bee3ae1dd", "Assessments");
  await traceRow(ctx, ctx.database.db, traceId);
  return toAssessment(await assessmentRowOf(ctx.database.db, traceId, assessmentId));
}

/**
 * Updates the fields an `update_mask` names: name, the value (of the assessment's own kind),
 * rationale, metadata (merged); source, span, creation time, overrides and validity are kept.
 *
 * @example
 * await updateAssessment(ctx, "tr-…", "a-…", { rationale: "checked" });
 */
export async function updateAssessment(ctx: TrackingContext, traceId: string, assessmentId: string, update: AssessmentUpdate): Promise<AssessmentRecord> {
  ctx.schema.require("770bee3ae1dd", "Assessments");
  if (update.feedback && update.expectation) throw invalidParameter("Cannot specify both `expectation` and `feedback` parameters.");
  checkLength(update.name, 250, "name");
  if (update.name !== undefined && update.name.trim() === "") throw invalidParameter("Assessment name must not be empty.");
  return withTransaction(ctx.database, async (trx) => {
    await traceRow(ctx, trx, traceId);
    const existing = await assessmentRowOf(trx, traceId, assessmentId);
    const isFeedback = existing.assessment_type === "feedback";
    if (update.expectation && isFeedback) throw invalidParameter("Cannot update expectation value on a Feedback assessment.");
    if (update.feedback && !isFeedback) throw invalidParameter("Cannot update feedback value on an Expectation assessment.");
    const next: AssessmentRow = { ...existing, last_updated_timestamp: ctx.now() };
    if (update.name !== undefined) next.name = update.name;
    if (update.feedback || update.expectation) Object.assign(next, (({ value, error }) => ({ value, error }))(valueColumns(update)));
    if (isFeedback && update.rationale !== undefined) next.rationale = update.rationale;
    if (!isFeedback) next.rationale = null;
    if (update.metadata && Object.keys(update.metadata).length > 0) {
      const old = existing.assessment_metadata ? (JSON.parse(existing.assessment_metadata) as Record<string, string>) : {};
      next.assessment_metadata = pyJson({ ...old, ...update.metadata });
    }
    await trx
      .updateTable("assessments")
      .set({
        name: next.name,
        value: next.value,
        error: next.error,
        last_updated_timestamp: next.last_updated_timestamp,
        rationale: next.rationale,
        assessment_metadata: next.assessment_metadata,
      })
      .where("trace_id", "=", traceId)
      .where("assessment_id", "=", assessmentId)
      .execute();
    return toAssessment(next);
  });
}

/**
 * Deletes an assessment (a missing one is no error, as in MLflow); the one it overrode is valid
 * again.
 *
 * @example
 * await deleteAssessment(ctx, "tr-…", "a-…");
 */
export async function deleteAssessment(ctx: TrackingContext, traceId: string, assessmentId: string): Promise<void> {
  ctx.schema.require("770bee3ae1dd", "Assessments");
  await withTransaction(ctx.database, async (trx) => {
    await traceRow(ctx, trx, traceId);
    const row = (await trx.selectFrom("assessments").select(["overrides"]).where("trace_id", "=", traceId).where("assessment_id", "=", assessmentId).executeTakeFirst()) as
      | { overrides: string | null }
      | undefined;
    if (!row) return;
    if (row.overrides) {
      await trx.updateTable("assessments").set({ valid: sqlBool(ctx.database.dialect, true) }).where("trace_id", "=", traceId).where("assessment_id", "=", row.overrides).execute();
    }
    await trx.deleteFrom("assessments").where("trace_id", "=", traceId).where("assessment_id", "=", assessmentId).execute();
  });
}
