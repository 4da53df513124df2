import { invalidParameter, type TraceRecord } from "@mlflow-ts/protocol";
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import type { TrackingContext } from "../tracking/context.js";
import { experimentIdNumber } from "../tracking/context.js";
import { parseFilter, parseOrderBy, type Comparator, type Comparison } from "../search/parse-filter.js";
import { checkMaxResults, numberCompare, stringCompare } from "../search/compare.js";
import { decodePageToken, encodePageToken } from "../search/page-token.js";
import { readableCondition, type ReadableKeys } from "../search/readable.js";
import { traceColumns, withTraceDetails, type TraceInfoRow } from "./trace-rows.js";

/** Parameters of a trace search. */
export interface SearchTracesInput {
  readonly experimentIds: readonly string[];
  readonly filter?: string;
  readonly maxResults?: number;
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
  readonly readable?: ReadableKeys;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EB = ExpressionBuilder<any, any>;

const STRING_OPS: readonly Comparator[] = ["=", "!=", "IN", "NOT IN", "LIKE", "ILIKE", "RLIKE"];
const KV_OPS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE", "RLIKE"];
const TEXT_OPS: readonly Comparator[] = ["LIKE", "ILIKE"];

/** Attribute names as written → the column (or the tag/metadata key) they mean (MLflow's `SearchTraceUtils`). */
const NUMERIC_ATTRIBUTES: Readonly<Record<string, string>> = {
  timestamp_ms: "timestamp_ms",
  timestamp: "timestamp_ms",
  execution_time_ms: "execution_time_ms",
  execution_time: "execution_time_ms",
  end_time_ms: "end_time_ms",
  end_time: "end_time_ms",
};
const STRING_ATTRIBUTES = new Set(["status", "request_id", "client_request_id"]);
const ATTRIBUTE_ENTITIES = new Set([undefined, "trace", "attributes", "attribute"]);
const TAG_ENTITIES = new Set(["tags", "tag"]);
const METADATA_ENTITIES = new Set(["metadata", "request_metadata"]);
const TRACE_NAME_TAG = "mlflow.traceName";
const SOURCE_RUN = "mlflow.sourceRun";

/** EXISTS a tag or metadata row of the trace with this key whose value satisfies the clause. */
function keyValue(eb: EB, ctx: TrackingContext, table: "trace_tags" | "trace_request_metadata", key: string, clause: Comparison, label: string): Expression<SqlBool> {
  const dialect = ctx.database.dialect;
  return eb.exists(
    eb
      .selectFrom(`${table} as kv`)
      .select("kv.key")
      .whereRef("kv.request_id", "=", "trace_info.request_id")
      .where((inner) => stringCompare(inner, "kv.key", { ...clause, comparator: "=", value: key, numeric: false }, ["="], label, dialect))
      .where((inner) => stringCompare(inner, "kv.value", clause, KV_OPS, label, dialect)),
  );
}

/** `run_id = 'x'`: the trace's source-run metadata, or a link to the run (MLflow 3's `link_traces_to_run`). */
function sourceRun(eb: EB, ctx: TrackingContext, clause: Comparison, label: string): Expression<SqlBool> {
  const byMetadata = keyValue(eb, ctx, "trace_request_metadata", SOURCE_RUN, clause, label);
  if (clause.comparator !== "=" || !ctx.schema.atLeast("de4033877273")) return byMetadata;
  const linked = eb.exists(
    eb
      .selectFrom("entity_associations as ea")
      .select("ea.source_id")
      .whereRef("ea.source_id", "=", "trace_info.request_id")
      .where("ea.source_type", "=", "trace")
      .where("ea.destination_type", "=", "run")
      .where("ea.destination_id", "=", clause.value as string),
  );
  return eb.or([byMetadata, linked]);
}

function spanClause(eb: EB, ctx: TrackingContext, clause: Comparison): Expression<SqlBool> {
  ctx.schema.require("a1b2c3d4e5f6", "Span filters");
  const dialect = ctx.database.dialect;
  const label = `span.${clause.key}`;
  const sub = eb.selectFrom("spans as sp").select("sp.span_id").whereRef("sp.trace_id", "=", "trace_info.request_id");
  if (clause.key.startsWith("attributes.")) {
    const name = clause.key.slice("attributes.".length);
    if (typeof clause.value !== "string") throw invalidParameter(`Invalid value for '${label}': expected a quoted string`);
    let pattern: string;
    if (clause.comparator === "RLIKE") {
      const v = clause.value;
      const body = v.replace(/^\^/, "").replace(/\$$/, "");
      pattern = `"${name}": ${v.startsWith("^") ? '"\\\\"' : '"\\\\".*'}${body}${v.endsWith("$") ? '\\\\"' : ""}`;
    } else {
      pattern = `%"${name}"${clause.value}%`;
    }
    return eb.exists(sub.where((inner) => stringCompare(inner, "sp.content", { ...clause, value: pattern }, ["LIKE", "ILIKE", "RLIKE"], label, dialect)));
  }
  const column = { name: "sp.name", type: "sp.type", status: "sp.status", content: "sp.content" }[clause.key];
  if (!column) throw invalidParameter(`Invalid span attribute '${clause.key}'. Valid span attributes are: name, type, status, content, attributes.<name>`);
  const ops = clause.key === "content" ? TEXT_OPS : STRING_OPS;
  return eb.exists(sub.where((inner) => stringCompare(inner, column, clause, ops, label, dialect)));
}

function assessmentClause(eb: EB, ctx: TrackingContext, clause: Comparison): Expression<SqlBool> {
  ctx.schema.require("770bee3ae1dd", "Assessment filters");
  const type = clause.entity === "feedback" ? "feedback" : "expectation";
  // Values are stored as JSON text: strings need their quotes ('"yes"'), numbers and booleans not.
  const value = clause.numeric ? { ...clause, value: String(clause.value), numeric: false } : clause;
  return eb.exists(
    eb
      .selectFrom("assessments as a")
      .select("a.assessment_id")
      .whereRef("a.trace_id", "=", "trace_info.request_id")
      .where("a.assessment_type", "=", type)
      .where("a.name", "=", clause.key)
      .where((inner) => stringCompare(inner, "a.value", value, STRING_OPS, `${type}.${clause.key}`, ctx.database.dialect)),
  );
}

/**
 * The SQL condition of one clause of MLflow's trace search grammar, on `trace_info`.
 *
 * @example
 * q = q.where((eb) => filterCondition(eb, ctx, clause));
 */
export function filterCondition(eb: EB, ctx: TrackingContext, clause: Comparison): Expression<SqlBool> {
  const dialect = ctx.database.dialect;
  const label = clause.entity ? `${clause.entity}.${clause.key}` : clause.key;
  if (ATTRIBUTE_ENTITIES.has(clause.entity)) {
    const numeric = NUMERIC_ATTRIBUTES[clause.key];
    if (numeric === "end_time_ms") {
      return sql<SqlBool>`(trace_info.timestamp_ms + coalesce(trace_info.execution_time_ms, 0)) ${sql.raw(numericOperator(clause))} ${numericValue(clause, label)}`;
    }
    if (numeric) return numberCompare(eb, `trace_info.${numeric}`, clause, label);
    if (STRING_ATTRIBUTES.has(clause.key)) {
      if (clause.key === "client_request_id") ctx.schema.require("cbc13b556ace", "client_request_id filters");
      return stringCompare(eb, `trace_info.${clause.key}`, clause, STRING_OPS, label, dialect);
    }
    if (clause.key === "name") return keyValue(eb, ctx, "trace_tags", TRACE_NAME_TAG, clause, label);
    if (clause.key === "run_id") return sourceRun(eb, ctx, clause, label);
    if (clause.key === "text") {
      ctx.schema.require("a1b2c3d4e5f6", "Text filters");
      return eb.exists(eb.selectFrom("spans as sp").select("sp.span_id").whereRef("sp.trace_id", "=", "trace_info.request_id").where((inner) => stringCompare(inner, "sp.content", clause, TEXT_OPS, label, dialect)));
    }
    throw invalidParameter(
      `Invalid attribute key '${clause.key}' specified. Valid keys are: timestamp_ms, execution_time_ms, end_time_ms, status, request_id, client_request_id, name, run_id, text`,
    );
  }
  if (TAG_ENTITIES.has(clause.entity!)) return keyValue(eb, ctx, "trace_tags", clause.key, clause, label);
  if (METADATA_ENTITIES.has(clause.entity!)) {
    if (clause.key === SOURCE_RUN) return sourceRun(eb, ctx, clause, label);
    return keyValue(eb, ctx, "trace_request_metadata", clause.key, clause, label);
  }
  if (clause.entity === "span") return spanClause(eb, ctx, clause);
  if (clause.entity === "feedback" || clause.entity === "expectation") return assessmentClause(eb, ctx, clause);
  throw invalidParameter(`Invalid search expression type '${clause.entity}'. Valid types are: trace, tags, metadata, span, feedback, expectation`);
}

function numericOperator(clause: Comparison): string {
  if (!["=", "!=", "<", "<=", ">", ">="].includes(clause.comparator)) {
    throw invalidParameter(`Invalid comparator '${clause.comparator}' for 'end_time_ms'. Only =, !=, <, <=, >, >= are allowed.`);
  }
  return clause.comparator;
}

function numericValue(clause: Comparison, label: string): number {
  const n = typeof clause.value === "number" ? clause.value : Number(clause.value);
  if (typeof clause.value !== "number" && !(typeof clause.value === "string" && /^-?\d+(\.\d+)?$/.test(clause.value))) {
    throw invalidParameter(`Expected a numeric value for '${label}', but got ${JSON.stringify(clause.value)}`);
  }
  return n;
}

const NOT_NULL = new Set(["timestamp_ms", "request_id", "experiment_id", "status"]);

interface Order {
  readonly expression: Expression<unknown>;
  readonly ascending: boolean;
  readonly key: string;
}

function orderOf(ctx: TrackingContext, text: string): Order {
  const clause = parseOrderBy(text);
  const entity = clause.entity;
  const scalar = (table: string, key: string) => sql`(select kv.value from ${sql.table(table)} as kv where kv.request_id = trace_info.request_id and kv.key = ${key})`;
  if (ATTRIBUTE_ENTITIES.has(entity)) {
    const numeric = NUMERIC_ATTRIBUTES[clause.key];
    if (numeric === "end_time_ms") return { expression: sql`(trace_info.timestamp_ms + coalesce(trace_info.execution_time_ms, 0))`, ascending: clause.ascending, key: "end_time_ms" };
    if (numeric) return { expression: sql.ref(`trace_info.${numeric}`), ascending: clause.ascending, key: numeric };
    if (clause.key === "experiment_id" || clause.key === "status" || clause.key === "request_id") {
      return { expression: sql.ref(`trace_info.${clause.key}`), ascending: clause.ascending, key: clause.key };
    }
    if (clause.key === "client_request_id" && ctx.schema.atLeast("cbc13b556ace")) return { expression: sql.ref("trace_info.client_request_id"), ascending: clause.ascending, key: clause.key };
    if (clause.key === "name") return { expression: scalar("trace_tags", TRACE_NAME_TAG), ascending: clause.ascending, key: `tag.${TRACE_NAME_TAG}` };
    if (clause.key === "run_id") return { expression: scalar("trace_request_metadata", SOURCE_RUN), ascending: clause.ascending, key: `metadata.${SOURCE_RUN}` };
    throw invalidParameter(`Invalid order_by attribute '${clause.key}'. Valid attributes are: experiment_id, timestamp_ms, execution_time_ms, end_time_ms, status, request_id, name, run_id`);
  }
  if (TAG_ENTITIES.has(entity!)) return { expression: scalar("trace_tags", clause.key), ascending: clause.ascending, key: `tag.${clause.key}` };
  if (METADATA_ENTITIES.has(entity!)) return { expression: scalar("trace_request_metadata", clause.key), ascending: clause.ascending, key: `metadata.${clause.key}` };
  throw invalidParameter(`Invalid identifier type '${entity}' in order_by '${text}'`);
}

/**
 * Searches traces of some experiments (MLflow's `search_traces`): AND-joined clauses on trace
 * attributes, tags, metadata, spans and assessments; `order_by` with NULLs last and, unless named,
 * `timestamp_ms DESC, request_id ASC` appended; offset page tokens; a page token whenever a page
 * is full. The caller's readable experiments (`readable`) narrow the query itself.
 *
 * @example
 * await searchTraces(ctx, { experimentIds: ["1"], filter: "tags.env = 'prod'", maxResults: 100 });
 */
export async function searchTraces(ctx: TrackingContext, input: SearchTracesInput): Promise<{ traces: TraceRecord[]; next_page_token?: string }> {
  const maxResults = input.maxResults ?? 100;
  checkMaxResults(maxResults, 500, "search_traces");
  const offset = decodePageToken(input.pageToken);
  const clauses = parseFilter(input.filter);
  const orders = (input.orderBy ?? []).map((o) => orderOf(ctx, o));
  const seen = new Set<string>();
  for (const o of orders) {
    if (seen.has(o.key)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${JSON.stringify(input.orderBy)}`);
    seen.add(o.key);
  }
  if (!seen.has("timestamp_ms")) orders.push({ expression: sql.ref("trace_info.timestamp_ms"), ascending: false, key: "timestamp_ms" });
  if (!seen.has("request_id")) orders.push({ expression: sql.ref("trace_info.request_id"), ascending: true, key: "request_id" });
  const ids = input.experimentIds.map(experimentIdNumber).filter((n): n is number => n !== undefined);
  if (ids.length === 0) return { traces: [] };
  const dialect = ctx.database.dialect;
  let q = ctx.database.db
    .selectFrom("trace_info")
    .select(traceColumns(ctx).map((c) => `trace_info.${c}`))
    .where("trace_info.experiment_id", "in", ids);
  if (input.readable) q = q.where((eb) => readableCondition(eb, "trace_info.experiment_id", input.readable!, experimentIdNumber, dialect));
  for (const clause of clauses) q = q.where((eb) => filterCondition(eb, ctx, clause));
  for (const o of orders) {
    // NULLs last in both directions, as MLflow's `case when x is null then 1 else 0 end` first
    // (left out for the NOT NULL columns, so the default order can walk the index).
    if (!NOT_NULL.has(o.key)) q = q.orderBy(sql`case when ${o.expression} is null then 1 else 0 end`);
    q = q.orderBy(o.expression, o.ascending ? "asc" : "desc");
  }
  const rows = (await q.limit(maxResults).offset(offset).execute()) as TraceInfoRow[];
  const traces = await withTraceDetails(ctx, ctx.database.db, rows);
  return rows.length === maxResults ? { traces, next_page_token: encodePageToken(offset + maxResults) } : { traces };
}
