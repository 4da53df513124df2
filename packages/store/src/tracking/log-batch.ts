import { invalidParameter, invalidValueMessage, notFound, type KeyValue } from "@mlflow-ts/protocol";
import { sql, type Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { executeCompiledOnce } from "../compiled-once.js";
import { postgresGroupWriter } from "./log-metrics-postgres.js";
import { isLater, metricGroups, type GroupWriter } from "./metric-groups.js";
import { isUniqueViolation, logBatchPostgres } from "./log-batch-postgres.js";
import { LIMITS, limitValue, rejectLong, validateKey, validateRunIdFormat } from "../validation.js";
import { chunk, insertOrIgnore, sqlBool, upsertIncoming, type TrackingContext } from "./context.js";
import { RUN_NAME_TAG, requireActive, requireRunRow } from "./runs.js";

/** A metric point to log; `value` may be NaN or ±Infinity. */
export interface MetricInput {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step?: number;
  /** MLflow 3: the logged model the metric is about (also recorded on that model). */
  readonly modelId?: string;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
}

/** What one log-batch call writes. */
export interface LogBatchInput {
  readonly metrics?: readonly MetricInput[];
  readonly params?: readonly KeyValue[];
  readonly tags?: readonly KeyValue[];
}

// 6 columns a metric row; stays under SQLite's 32,766 bound parameters with room to spare.
const METRIC_CHUNK = 500;

interface MetricRowValues {
  run_uuid: string;
  key: string;
  timestamp: number;
  step: number;
  value: number;
  is_nan: boolean | number;
}

/**
 * A metric value as MLflow stores it: NaN as 0 with `is_nan` set, ±Infinity as ±(largest double),
 * so that every backend (and MLflow's own server) reads the same rows.
 *
 * @example
 * storedValue(Infinity); // 1.7976931348623157e308
 */
export function storedValue(value: number): number {
  if (Number.isNaN(value)) return 0;
  if (value === Number.POSITIVE_INFINITY) return Number.MAX_VALUE;
  if (value === Number.NEGATIVE_INFINITY) return -Number.MAX_VALUE;
  return value;
}

function toRow(ctx: TrackingContext, runId: string, m: MetricInput): MetricRowValues {
  return { run_uuid: runId, key: m.key, timestamp: m.timestamp, step: m.step ?? 0, value: storedValue(m.value), is_nan: sqlBool(ctx.database.dialect, Number.isNaN(m.value)) };
}

// One candidate per key: the batch's own latest, then a conditional upsert against the stored one.
function latestPerKey(rows: readonly MetricRowValues[]): MetricRowValues[] {
  const latest = new Map<string, MetricRowValues>();
  for (const row of rows) {
    const current = latest.get(row.key);
    if (!current || isLater(row, current)) latest.set(row.key, row);
  }
  return [...latest.values()];
}

/** Where a batch member's field is in the request: `metrics[0].name` in a batch, `name` alone (MLflow's `append_to_json_path`). */
const at = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

// MLflow 2.17+'s `_validate_metric(..., path)` messages (mlflow/utils/validation.py).
function validateMetric(m: MetricInput, prefix: string): void {
  validateKey(m.key, "metric", at(prefix, "name"));
  if (typeof m.value !== "number") {
    throw invalidParameter(invalidValueMessage(at(prefix, "value"), m.value, `(timestamp=${m.timestamp}). Please specify value as a valid double (64-bit floating point)`));
  }
  if (!Number.isSafeInteger(m.timestamp) || m.timestamp < 0) {
    throw invalidParameter(invalidValueMessage(at(prefix, "timestamp"), m.timestamp, `metric '${m.key}' (value=${m.value}). Timestamp must be a nonnegative long (64-bit integer) `));
  }
  if (m.step !== undefined && !Number.isSafeInteger(m.step)) {
    throw invalidParameter(invalidValueMessage(at(prefix, "step"), m.step, `metric '${m.key}' (value=${m.value}). Step must be a valid long (64-bit integer).`));
  }
  // A logged model's metric row keeps them: VARCHAR(500) and VARCHAR(36), as in `datasets`.
  if (m.datasetName) rejectLong(m.datasetName, LIMITS.datasetName, "Metric dataset_name");
  if (m.datasetDigest) rejectLong(m.datasetDigest, LIMITS.datasetDigest, "Metric dataset_digest");
}

/**
 * Checks a whole batch before anything is written: MLflow's counts, key formats, value lengths
 * (truncating where MLflow truncates), duplicate param keys. Returns the values to write.
 */
function prepareBatch(ctx: TrackingContext, input: LogBatchInput, batch: boolean): Required<LogBatchInput> {
  const metrics = input.metrics ?? [];
  const params = input.params ?? [];
  const tags = input.tags ?? [];
  if (metrics.length > LIMITS.batchMetrics) {
    throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchMetrics} metrics. Got ${metrics.length} metrics.`);
  }
  if (params.length > LIMITS.batchParams) {
    throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchParams} params. Got ${params.length} params.`);
  }
  if (tags.length > LIMITS.batchTags) {
    throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchTags} tags. Got ${tags.length} tags.`);
  }
  const total = metrics.length + params.length + tags.length;
  if (total > LIMITS.batchTotal) {
    throw invalidParameter(`A batch logging request can contain at most ${LIMITS.batchTotal} total metrics, params and tags. Got ${total}.`);
  }
  // A batch names each member by its index; log-metric, log-parameter and set-tag by the field alone.
  const prefix = (list: string, index: number) => (batch ? `${list}[${index}]` : "");
  metrics.forEach((m, i) => validateMetric(m, prefix("metrics", i)));
  const seen = new Set<string>();
  const limitedParams = params.map((p, i) => {
    validateKey(p.key, "param", at(prefix("params", i), "key"));
    if (seen.has(p.key)) throw invalidParameter(`Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`);
    seen.add(p.key);
    return { key: p.key, value: limitValue(p.value, LIMITS.paramValueLength, "param", p.key, ctx.truncateLongValues) };
  });
  const limitedTags = tags.map((t, i) => {
    validateKey(t.key, "tag", at(prefix("tags", i), "key"));
    return { key: t.key, value: limitValue(t.value, ctx.schema.runTagValueLimit, "tag", t.key, ctx.truncateLongValues) };
  });
  return { metrics, params: limitedParams, tags: limitedTags };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function writeParams(ctx: TrackingContext, trx: Kysely<any>, runId: string, params: readonly KeyValue[]): Promise<void> {
  if (params.length === 0) return;
  await insertOrIgnore(trx.insertInto("params").values(params.map((p) => ({ run_uuid: runId, key: p.key, value: p.value }))), ctx.database.dialect).execute();
  // Logging a param again with the same value is fine (retries); a different value is not.
  const stored = (await trx
    .selectFrom("params")
    .select(["key", "value"])
    .where("run_uuid", "=", runId)
    .where("key", "in", params.map((p) => p.key))
    .execute()) as KeyValue[];
  const byKey = new Map(stored.map((p) => [p.key, p.value]));
  const changed = params.filter((p) => byKey.get(p.key) !== p.value);
  if (changed.length > 0) {
    const p = changed[0]!;
    throw invalidParameter(
      `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${byKey.get(p.key)}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
    );
  }
}

// The latest-metric rule (MLflow's): a point replaces the stored one only when (step, timestamp,
// value) is strictly greater, compared as a row.
const LATER_PG = sql<boolean>`(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;
// MySQL evaluates ON DUPLICATE KEY UPDATE assignments in order, each seeing the ones before: the
// comparison is made once, into a session variable, before any column changes.
const LATER_MYSQL = sql`(@later := ((values(step), values(timestamp), values(value)) > (step, timestamp, value)))`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function writeLatestMetrics(ctx: TrackingContext, trx: Kysely<any>, rows: readonly MetricRowValues[]): Promise<void> {
  const dialect = ctx.database.dialect;
  const build = () => {
    const query = trx.insertInto("latest_metrics").values(rows as MetricRowValues[]);
    if (dialect === "mysql") {
      return query.onDuplicateKeyUpdate({
        is_nan: sql`if(${LATER_MYSQL}, values(is_nan), is_nan)`,
        value: sql`if(@later, values(value), value)`,
        timestamp: sql`if(@later, values(timestamp), timestamp)`,
        step: sql`if(@later, values(step), step)`,
      });
    }
    return query.onConflict((oc) =>
      oc
        .columns(["run_uuid", "key"])
        .doUpdateSet((eb) => ({ value: eb.ref("excluded.value"), timestamp: eb.ref("excluded.timestamp"), step: eb.ref("excluded.step"), is_nan: eb.ref("excluded.is_nan") }))
        .where(LATER_PG),
    );
  };
  await executeCompiledOnce(trx, `${dialect}:latest-metrics:${rows.length}`, build, rowParameters(rows));
}

/** A metric row's values in the order its columns are inserted ({@link toRow}'s). */
function rowParameters(rows: readonly MetricRowValues[]): unknown[] {
  const parameters: unknown[] = [];
  for (const r of rows) parameters.push(r.run_uuid, r.key, r.timestamp, r.step, r.value, r.is_nan);
  return parameters;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function writeMetrics(ctx: TrackingContext, trx: Kysely<any>, runId: string, experimentId: number, metrics: readonly MetricInput[]): Promise<void> {
  if (metrics.length === 0) return;
  const rows = metrics.map((m) => toRow(ctx, runId, m));
  // The hot path of log-metric: one shape per dialect and row count, compiled once.
  for (const part of chunk(rows, METRIC_CHUNK)) {
    await executeCompiledOnce(trx, `${ctx.database.dialect}:metrics:${part.length}`, () => insertOrIgnore(trx.insertInto("metrics").values(part), ctx.database.dialect), rowParameters(part));
  }
  const forModels = metrics.filter((m) => m.modelId);
  if (forModels.length > 0) {
    ctx.schema.require("400f98739977", "Logged models");
    const ids = [...new Set(forModels.map((m) => m.modelId!))];
    const known = (await trx.selectFrom("logged_models").select("model_id").where("model_id", "in", ids).execute()) as { model_id: string }[];
    const missing = ids.find((id) => !known.some((k) => k.model_id === id));
    if (missing) throw notFound(`Logged model with ID '${missing}' not found.`);
    const modelRows = forModels.map((m) => ({
      model_id: m.modelId!,
      metric_name: m.key,
      metric_timestamp_ms: m.timestamp,
      metric_step: m.step ?? 0,
      metric_value: storedValue(m.value),
      experiment_id: experimentId,
      run_id: runId,
      dataset_uuid: null,
      dataset_name: m.datasetName || null,
      dataset_digest: m.datasetDigest || null,
    }));
    for (const part of chunk(modelRows, METRIC_CHUNK)) {
      await insertOrIgnore(trx.insertInto("logged_model_metrics").values(part), ctx.database.dialect).execute();
    }
  }
  for (const part of chunk(latestPerKey(rows), METRIC_CHUNK)) await writeLatestMetrics(ctx, trx, part);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function writeTags(ctx: TrackingContext, trx: Kysely<any>, runId: string, tags: readonly KeyValue[]): Promise<void> {
  if (tags.length === 0) return;
  // When a key repeats, the last value wins (and one statement may not touch a row twice).
  const byKey = new Map(tags.map((t) => [t.key, t.value]));
  await upsertIncoming(trx.insertInto("tags").values([...byKey].map(([key, value]) => ({ run_uuid: runId, key, value }))), ctx.database.dialect, ["run_uuid", "key"], ["value"]).execute();
  const name = byKey.get(RUN_NAME_TAG);
  if (name !== undefined) await trx.updateTable("runs").set({ name }).where("run_uuid", "=", runId).execute();
}

// The MySQL writer of metric groups: one transaction of a run lookup, the points and the latest
// values, each in as few statements as the placeholder limit allows.
function mysqlGroupWriter(ctx: TrackingContext): GroupWriter {
  return (runIds, rows, latest) =>
    ctx.database.db.transaction().execute(async (trx) => {
      const found = (await trx.selectFrom("runs").select(["run_uuid", "lifecycle_stage"]).where("run_uuid", "in", runIds).execute()) as { run_uuid: string; lifecycle_stage: string }[];
      const stages = new Map(found.map((r) => [r.run_uuid, r.lifecycle_stage]));
      const active = (r: MetricRowValues) => stages.get(r.run_uuid) === "active";
      for (const part of chunk(rows.filter(active), METRIC_CHUNK)) {
        await executeCompiledOnce(trx, `mysql:metrics:${part.length}`, () => insertOrIgnore(trx.insertInto("metrics").values(part), "mysql"), rowParameters(part));
      }
      for (const part of chunk(latest.filter(active), METRIC_CHUNK)) await writeLatestMetrics(ctx, trx, part);
      return stages;
    });
}

/**
 * Logs metrics, params and tags to an active run in one transaction: all of it or nothing.
 * Safe to replay: an identical metric point is ignored, an equal param is accepted, tags upsert.
 *
 * @example
 * await logBatch(ctx, runId, { metrics: [{ key: "loss", value: 0.1, timestamp: Date.now(), step: 1 }] });
 */
export async function logBatch(ctx: TrackingContext, runId: string, input: LogBatchInput, checkRunIdFormat = true): Promise<void> {
  if (checkRunIdFormat) validateRunIdFormat(runId);
  // checkRunIdFormat is off for the single-value calls (log-metric, log-parameter, set-tag).
  const batch = prepareBatch(ctx, input, checkRunIdFormat);
  // Metrics alone (log-metric, most log-batch calls) on a pooled database: group commit (SQLite's
  // transactions are grouped by withTransaction).
  if (ctx.database.dialect !== "sqlite" && batch.params.length === 0 && batch.tags.length === 0 && batch.metrics.length > 0 && batch.metrics.every((m) => !m.modelId)) {
    const rows = batch.metrics.map((m) => toRow(ctx, runId, m));
    const writer = () => (ctx.database.dialect === "postgres" ? postgresGroupWriter(ctx.database.db) : mysqlGroupWriter(ctx));
    return metricGroups(ctx.database.db, writer).write({ runId, rows, latest: latestPerKey(rows) });
  }
  // Params and tags (log-param, set-tag, mixed batches) on PostgreSQL: one statement.
  if (ctx.database.dialect === "postgres" && batch.metrics.every((m) => !m.modelId)) {
    const rows = batch.metrics.map((m) => toRow(ctx, runId, m));
    try {
      return await logBatchPostgres(ctx.database.db, runId, batch.params, batch.tags, RUN_NAME_TAG, rows, latestPerKey(rows));
    } catch (error) {
      // A concurrent writer stored one of the params first: nothing was written; the transaction
      // below sees that param and answers exactly.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  await withTransaction(ctx.database, async (trx) => {
    const run = await requireRunRow(trx, runId, ctx.database.dialect);
    requireActive(run);
    await writeParams(ctx, trx, runId, batch.params);
    await writeMetrics(ctx, trx, runId, Number(run.experiment_id), batch.metrics);
    await writeTags(ctx, trx, runId, batch.tags);
  });
}

/** Deletes a run tag (404 when absent). */
export async function deleteTag(ctx: TrackingContext, runId: string, key: string): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    requireActive(await requireRunRow(trx, runId, ctx.database.dialect));
    const result = await trx.deleteFrom("tags").where("run_uuid", "=", runId).where("key", "=", key).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
  });
}
