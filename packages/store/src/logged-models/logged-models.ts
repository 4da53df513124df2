import { randomUUID } from "node:crypto";
import { LOGGED_MODEL_STATUSES, invalidParameter, notFound, toWireDouble, type KeyValue, type LoggedModel, type LoggedModelStatus } from "@mlflow-ts/protocol";
import { sql, type Kysely } from "kysely";
import { withTransaction } from "../with-transaction.js";
import { LIMITS, limitValue, rejectLong, validateKey } from "../validation.js";
import { appendToUri, chunk, upsert, upsertIncoming, type TrackingContext } from "../tracking/context.js";
import { requireExperimentId } from "../tracking/experiments.js";
import { generateRunName } from "../tracking/generate-run-name.js";
import { checkOrderByLength, parseFilter } from "../search/parse-filter.js";
import { checkMaxResults, keyValueExists, numberCompare, stringCompare } from "../search/compare.js";
import { decodePageToken, encodePageToken } from "../search/page-token.js";

/** A row of `logged_models`. */
interface LoggedModelRow {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: number;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

/** A row of `logged_model_metrics`. */
interface MetricRowOfModel {
  model_id: string;
  metric_name: string;
  metric_value: number | null;
  metric_timestamp_ms: number;
  metric_step: number;
  run_id: string;
  dataset_name: string | null;
  dataset_digest: string | null;
}

/** Input of {@link createLoggedModel}. */
export interface CreateLoggedModelInput {
  readonly experimentId: string;
  readonly name?: string;
  readonly modelType?: string;
  readonly sourceRunId?: string;
  readonly params?: readonly KeyValue[];
  readonly tags?: readonly KeyValue[];
}

/** Parameters of a logged-model search. */
export interface SearchLoggedModelsInput {
  readonly experimentIds: readonly string[];
  readonly filter?: string;
  readonly maxResults?: number;
  readonly orderBy?: readonly { field_name: string; ascending?: boolean }[];
  readonly pageToken?: string;
  /** Models with metrics on any of these datasets (a digest narrows a name); metric filters then count only those metrics. */
  readonly datasets?: readonly { dataset_name: string; dataset_digest?: string }[];
}

/**
 * Parses a logged-model status name or number.
 *
 * @example
 * statusNumber("LOGGED_MODEL_READY"); // 2
 */
export function statusNumber(status: string | number): number {
  const n = typeof status === "number" ? status : LOGGED_MODEL_STATUSES.indexOf(status as LoggedModelStatus);
  if (!Number.isInteger(n) || n < 1 || n >= LOGGED_MODEL_STATUSES.length) throw invalidParameter(`Invalid logged model status: '${status}'`);
  return n;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function requireRow(db: Kysely<any>, modelId: string, allowDeleted = false): Promise<LoggedModelRow> {
  const row = (await db.selectFrom("logged_models").selectAll().where("model_id", "=", modelId).executeTakeFirst()) as LoggedModelRow | undefined;
  if (!row || (!allowDeleted && row.lifecycle_stage !== "active")) throw notFound(`Logged model with ID '${modelId}' not found.`);
  return row;
}

async function load(ctx: TrackingContext, rows: readonly LoggedModelRow[]): Promise<LoggedModel[]> {
  if (rows.length === 0) return [];
  const db = ctx.database.db;
  const ids = rows.map((r) => r.model_id);
  const params = new Map<string, KeyValue[]>();
  const tags = new Map<string, KeyValue[]>();
  const metrics = new Map<string, unknown[]>();
  const registrations = new Map<string, { name: string; version: string }[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  for (const part of chunk(ids, 400)) {
    // A model version registers a logged model through its source, `models:/<model_id>`; MLflow's
    // registry tables have no model_id column.
    const sources = part.map((id) => `models:/${id}`);
    const [p, t, m, r] = await Promise.all([
      db.selectFrom("logged_model_params").select(["model_id", "param_key", "param_value"]).where("model_id", "in", part).execute(),
      db.selectFrom("logged_model_tags").select(["model_id", "tag_key", "tag_value"]).where("model_id", "in", part).execute(),
      db.selectFrom("logged_model_metrics").selectAll().where("model_id", "in", part).orderBy("metric_timestamp_ms").execute(),
      db.selectFrom("model_versions").select(["name", "version", "source"]).where("source", "in", sources).where("current_stage", "!=", "Deleted_Internal").execute(),
    ]);
    for (const x of p as { model_id: string; param_key: string; param_value: string }[]) push(params, x.model_id, { key: x.param_key, value: x.param_value });
    for (const x of t as { model_id: string; tag_key: string; tag_value: string }[]) push(tags, x.model_id, { key: x.tag_key, value: x.tag_value });
    for (const x of m as MetricRowOfModel[]) {
      push(metrics, x.model_id, {
        key: x.metric_name,
        value: toWireDouble(Number(x.metric_value ?? 0)),
        timestamp: Number(x.metric_timestamp_ms),
        step: Number(x.metric_step),
        run_id: x.run_id,
        model_id: x.model_id,
        ...(x.dataset_name ? { dataset_name: x.dataset_name, dataset_digest: x.dataset_digest ?? "" } : {}),
      });
    }
    for (const x of r as { name: string; version: number; source: string }[]) push(registrations, x.source.slice("models:/".length), { name: x.name, version: String(x.version) });
  }
  return rows.map((row) => {
    const t = tags.get(row.model_id) ?? [];
    const p = params.get(row.model_id) ?? [];
    const m = metrics.get(row.model_id) ?? [];
    const reg = registrations.get(row.model_id) ?? [];
    return {
      info: {
        model_id: row.model_id,
        experiment_id: String(row.experiment_id),
        name: row.name,
        creation_timestamp_ms: Number(row.creation_timestamp_ms),
        last_updated_timestamp_ms: Number(row.last_updated_timestamp_ms),
        artifact_uri: row.artifact_location,
        status: LOGGED_MODEL_STATUSES[row.status] ?? "LOGGED_MODEL_STATUS_UNSPECIFIED",
        ...(row.model_type ? { model_type: row.model_type } : {}),
        ...(row.source_run_id ? { source_run_id: row.source_run_id } : {}),
        ...(row.status_message ? { status_message: row.status_message } : {}),
        ...(t.length > 0 ? { tags: t } : {}),
        ...(reg.length > 0 ? { registrations: reg } : {}),
      },
      data: { ...(p.length > 0 ? { params: p } : {}), ...(m.length > 0 ? { metrics: m as never } : {}) },
    } as LoggedModel;
  });
}

function validatePairs(pairs: readonly KeyValue[], what: "param" | "tag"): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pairs) {
    validateKey(p.key, what);
    out.set(p.key, limitValue(p.value, what === "param" ? LIMITS.paramValueLength : LIMITS.runTagValueLength, what, p.key, false));
  }
  return out;
}

/** Creates a logged model (status PENDING) under `<experiment artifact location>/models/<id>/artifacts`. */
export async function createLoggedModel(ctx: TrackingContext, input: CreateLoggedModelInput): Promise<LoggedModel> {
  ctx.schema.require("400f98739977", "Logged models");
  const experimentId = requireExperimentId(input.experimentId);
  // The columns are VARCHAR(500), VARCHAR(500) and VARCHAR(32); MLflow checks none of them.
  if (input.name) rejectLong(input.name, LIMITS.loggedModelNameLength, "Logged model name");
  if (input.modelType) rejectLong(input.modelType, LIMITS.loggedModelTypeLength, "Logged model model_type");
  if (input.sourceRunId) rejectLong(input.sourceRunId, LIMITS.runIdColumnLength, "Logged model source_run_id");
  const params = validatePairs(input.params ?? [], "param");
  const tags = validatePairs(input.tags ?? [], "tag");
  const modelId = `m-${randomUUID().replace(/-/g, "")}`;
  const now = ctx.now();
  const row = await withTransaction(ctx.database, async (trx) => {
    const exp = (await trx.selectFrom("experiments").select(["artifact_location", "lifecycle_stage"]).where("experiment_id", "=", experimentId).executeTakeFirst()) as
      | { artifact_location: string | null; lifecycle_stage: string }
      | undefined;
    if (!exp) throw notFound(`No Experiment with id=${input.experimentId} exists`);
    if (exp.lifecycle_stage !== "active") throw invalidParameter(`The experiment ${input.experimentId} must be in the 'active' state.`);
    const r: LoggedModelRow = {
      model_id: modelId,
      experiment_id: experimentId,
      name: input.name || generateRunName(),
      artifact_location: appendToUri(appendToUri(appendToUri(exp.artifact_location ?? appendToUri(ctx.defaultArtifactRoot, String(experimentId)), "models"), modelId), "artifacts"),
      creation_timestamp_ms: now,
      last_updated_timestamp_ms: now,
      status: 1,
      lifecycle_stage: "active",
      model_type: input.modelType ?? null,
      source_run_id: input.sourceRunId || null,
      status_message: null,
    };
    await trx.insertInto("logged_models").values(r).execute();
    if (params.size > 0) {
      await trx.insertInto("logged_model_params").values([...params].map(([key, value]) => ({ model_id: modelId, experiment_id: experimentId, param_key: key, param_value: value }))).execute();
    }
    if (tags.size > 0) {
      await trx.insertInto("logged_model_tags").values([...tags].map(([key, value]) => ({ model_id: modelId, experiment_id: experimentId, tag_key: key, tag_value: value }))).execute();
    }
    return r;
  });
  return (await load(ctx, [row]))[0]!;
}

/** Gets a logged model (deleted ones only with `allowDeleted`). */
export async function getLoggedModel(ctx: TrackingContext, modelId: string, allowDeleted = false): Promise<LoggedModel> {
  ctx.schema.require("400f98739977", "Logged models");
  return (await load(ctx, [await requireRow(ctx.database.db, modelId, allowDeleted)]))[0]!;
}

/** Sets a logged model's status (finalize). */
export async function finalizeLoggedModel(ctx: TrackingContext, modelId: string, status: string | number): Promise<LoggedModel> {
  ctx.schema.require("400f98739977", "Logged models");
  const n = statusNumber(status);
  await withTransaction(ctx.database, async (trx) => {
    await requireRow(trx, modelId);
    await trx.updateTable("logged_models").set({ status: n, last_updated_timestamp_ms: ctx.now() }).where("model_id", "=", modelId).execute();
  });
  return getLoggedModel(ctx, modelId);
}

/** Soft-deletes a logged model. */
export async function deleteLoggedModel(ctx: TrackingContext, modelId: string): Promise<void> {
  ctx.schema.require("400f98739977", "Logged models");
  await withTransaction(ctx.database, async (trx) => {
    await requireRow(trx, modelId);
    await trx.updateTable("logged_models").set({ lifecycle_stage: "deleted", last_updated_timestamp_ms: ctx.now() }).where("model_id", "=", modelId).execute();
  });
}

/** Upserts tags or params of a logged model. */
export async function setLoggedModelPairs(ctx: TrackingContext, modelId: string, pairs: readonly KeyValue[], what: "param" | "tag"): Promise<void> {
  ctx.schema.require("400f98739977", "Logged models");
  const values = validatePairs(pairs, what);
  const [table, keyColumn, valueColumn] = what === "param" ? ["logged_model_params", "param_key", "param_value"] : ["logged_model_tags", "tag_key", "tag_value"];
  await withTransaction(ctx.database, async (trx) => {
    const row = await requireRow(trx, modelId);
    if (values.size === 0) return;
    const rows = [...values].map(([key, value]) => ({ model_id: modelId, experiment_id: row.experiment_id, [keyColumn]: key, [valueColumn]: value }));
    await upsertIncoming(trx.insertInto(table).values(rows), ctx.database.dialect, ["model_id", keyColumn], [valueColumn]).execute();
    await trx.updateTable("logged_models").set({ last_updated_timestamp_ms: ctx.now() }).where("model_id", "=", modelId).execute();
  });
}

/** Deletes a logged-model tag (404 when absent). */
export async function deleteLoggedModelTag(ctx: TrackingContext, modelId: string, key: string): Promise<void> {
  ctx.schema.require("400f98739977", "Logged models");
  await withTransaction(ctx.database, async (trx) => {
    await requireRow(trx, modelId);
    const result = await trx.deleteFrom("logged_model_tags").where("model_id", "=", modelId).where("tag_key", "=", key).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(`No tag with key '${key}' found on logged model '${modelId}'.`);
  });
}

const ATTRIBUTES: Record<string, { column: string; numeric: boolean }> = {
  name: { column: "lm.name", numeric: false },
  model_id: { column: "lm.model_id", numeric: false },
  model_type: { column: "lm.model_type", numeric: false },
  source_run_id: { column: "lm.source_run_id", numeric: false },
  creation_timestamp: { column: "lm.creation_timestamp_ms", numeric: true },
  creation_time: { column: "lm.creation_timestamp_ms", numeric: true },
  last_updated_timestamp: { column: "lm.last_updated_timestamp_ms", numeric: true },
};

/** Searches logged models of some experiments (active only), 50 a page by default. */
export async function searchLoggedModels(ctx: TrackingContext, input: SearchLoggedModelsInput): Promise<{ models: LoggedModel[]; next_page_token?: string }> {
  ctx.schema.require("400f98739977", "Logged models");
  const dialect = ctx.database.dialect;
  const maxResults = input.maxResults ?? 50;
  checkMaxResults(maxResults, 50000, "search_logged_models");
  const offset = decodePageToken(input.pageToken);
  const ids = input.experimentIds.map((id) => requireExperimentId(id));
  let q = ctx.database.db.selectFrom("logged_models as lm").selectAll("lm").where("lm.experiment_id", "in", ids.length ? ids : [-1]).where("lm.lifecycle_stage", "=", "active");
  const datasets = input.datasets ?? [];
  if (datasets.some((d) => !d.dataset_name)) throw invalidParameter("`dataset_name` in the `datasets` clause must be specified.");
  // MLflow 3: a metric of one of the datasets (name, and digest when given).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const onDatasets = (eb: any) => eb.or(datasets.map((d) => (d.dataset_digest === undefined ? eb("m.dataset_name", "=", d.dataset_name) : eb.and([eb("m.dataset_name", "=", d.dataset_name), eb("m.dataset_digest", "=", d.dataset_digest)]))));
  let metricFilters = 0;
  for (const clause of parseFilter(input.filter)) {
    const entity = clause.entity;
    if (entity === "metrics" || entity === "metric") {
      metricFilters += 1;
      q = q.where((eb) => {
        let metric = eb
          .selectFrom("logged_model_metrics as m")
          .select("m.metric_name")
          .whereRef("m.model_id", "=", "lm.model_id")
          .where((e2) => stringCompare(e2, "m.metric_name", { ...clause, comparator: "=", value: clause.key, numeric: false }, ["="], `metrics.${clause.key}`, dialect))
          .where((e2) => numberCompare(e2, "m.metric_value", clause, `metrics.${clause.key}`));
        if (datasets.length > 0) metric = metric.where(onDatasets);
        return eb.exists(metric);
      });
    } else if (entity === "params" || entity === "param" || entity === "tags" || entity === "tag") {
      const param = entity.startsWith("param");
      const columns = param ? (["model_id", "lm.model_id", "param_key", "param_value"] as const) : (["model_id", "lm.model_id", "tag_key", "tag_value"] as const);
      q = q.where((eb) => keyValueExists(eb, param ? "logged_model_params" : "logged_model_tags", columns, clause, `${entity}.${clause.key}`, dialect));
    } else if ((entity === undefined || entity === "attributes" || entity === "attribute") && clause.key === "status") {
      const value = typeof clause.value === "string" ? statusNumber(clause.value) : NaN;
      q = q.where((eb) => numberCompare(eb, "lm.status", { ...clause, value, numeric: true }, "status"));
    } else if ((entity === undefined || entity === "attributes" || entity === "attribute") && ATTRIBUTES[clause.key]) {
      const attr = ATTRIBUTES[clause.key]!;
      q = q.where((eb) => (attr.numeric ? numberCompare(eb, attr.column, clause, clause.key) : stringCompare(eb, attr.column, clause, ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"], clause.key, dialect)));
    } else {
      throw invalidParameter(`Invalid filter '${input.filter}': unknown field '${entity ? `${entity}.` : ""}${clause.key}'`);
    }
  }
  if (datasets.length > 0 && metricFilters === 0) {
    q = q.where((eb) => eb.exists(eb.selectFrom("logged_model_metrics as m").select("m.model_id").whereRef("m.model_id", "=", "lm.model_id").where(onDatasets)));
  }
  for (const order of input.orderBy ?? []) {
    checkOrderByLength(order.field_name);
    const dir = order.ascending === false ? "desc" : "asc";
    if (order.field_name.startsWith("metrics.")) {
      const key = order.field_name.slice("metrics.".length);
      // The model's latest value of that metric; models without it sort last.
      const latest = sql`(select m.metric_value from logged_model_metrics as m where m.model_id = lm.model_id and m.metric_name = ${key} order by m.metric_timestamp_ms desc, m.metric_step desc limit 1)`;
      q = q.orderBy(sql`case when ${latest} is null then 1 else 0 end`).orderBy(latest, dir);
    } else {
      const attr = ATTRIBUTES[order.field_name];
      if (!attr) throw invalidParameter(`Invalid order_by field '${order.field_name}' for logged models.`);
      q = q.orderBy(attr.column, dir);
    }
  }
  q = q.orderBy("lm.creation_timestamp_ms", "desc").orderBy("lm.model_id", "asc");
  const rows = (await q.limit(maxResults + 1).offset(offset).execute()) as LoggedModelRow[];
  const models = await load(ctx, rows.slice(0, maxResults));
  return rows.length > maxResults ? { models, next_page_token: encodePageToken(offset + maxResults) } : { models };
}

/**
 * Records logged models as outputs of a run (idempotent), as MLflow 3 does: an `inputs` row
 * (RUN_OUTPUT, run) → (MODEL_OUTPUT, model) with the step.
 */
export async function logOutputs(ctx: TrackingContext, runId: string, models: readonly { model_id: string; step?: number }[]): Promise<void> {
  ctx.schema.require("6953534de441", "Run outputs (logged models with steps)");
  await withTransaction(ctx.database, async (trx) => {
    const run = await trx.selectFrom("runs").select("lifecycle_stage").where("run_uuid", "=", runId).executeTakeFirst();
    if (!run) throw notFound(`Run with id=${runId} not found`);
    for (const m of models) {
      await requireRow(trx, m.model_id);
      const row = { input_uuid: randomUUID().replace(/-/g, ""), source_type: "RUN_OUTPUT", source_id: runId, destination_type: "MODEL_OUTPUT", destination_id: m.model_id, step: m.step ?? 0 };
      await upsert(trx.insertInto("inputs").values(row), ctx.database.dialect, ["source_type", "source_id", "destination_type", "destination_id"], { step: m.step ?? 0 }).execute();
    }
  });
}
