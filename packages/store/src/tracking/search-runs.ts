import { invalidParameter, type Run, type ViewType } from "@mlflow-ts/protocol";
import { sql, type Expression, type ExpressionBuilder, type SqlBool, type SelectQueryBuilder } from "kysely";
import { FILTER_LIMITS, parseFilter, parseOrderBy, type Comparison } from "../search/parse-filter.js";
import { numberCompare, stringCompare, checkMaxResults, keyValueExists, lowerCaseIds } from "../search/compare.js";
import { decodePageToken, encodePageToken } from "../search/page-token.js";
import { experimentIdNumber, sqlBool, type TrackingContext } from "./context.js";
import type { DialectName } from "../create-database.js";
import { stagesFor } from "./experiments.js";
import { loadRuns } from "./load-runs.js";
import { RUN_COLUMNS, type RunRow } from "./rows.js";

/** Parameters of a run search. */
export interface SearchRunsInput {
  readonly experimentIds: readonly string[];
  readonly filter?: string;
  readonly runViewType?: ViewType;
  readonly maxResults?: number;
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
}

type Entity = "metric" | "param" | "tag" | "attribute" | "dataset";

const ENTITIES: Record<string, Entity> = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset",
};

// MLflow's searchable run attributes (`RunInfo.get_searchable_attributes`): experiment_id and
// lifecycle_stage are not among them, and a filter naming them is a 400 there.
const STRING_ATTRIBUTES: Record<string, string> = {
  run_id: "runs.run_uuid",
  run_name: "runs.name",
  user_id: "runs.user_id",
  status: "runs.status",
  artifact_uri: "runs.artifact_uri",
};
const NUMERIC_ATTRIBUTES: Record<string, string> = { start_time: "runs.start_time", end_time: "runs.end_time" };
const ATTRIBUTE_ALIASES: Record<string, string> = {
  created: "start_time",
  Created: "start_time",
  "run name": "run_name",
  "Run name": "run_name",
  "Run Name": "run_name",
};

function entityOf(raw: string | undefined): Entity {
  if (raw === undefined) return "attribute";
  const entity = ENTITIES[raw];
  if (!entity) {
    throw invalidParameter(`Invalid entity type '${raw}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`);
  }
  return entity;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EB = ExpressionBuilder<any, any>;


function datasetExists(eb: EB, clause: Comparison, dialect: DialectName): Expression<SqlBool> {
  const ops = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"] as const;
  let sub = eb
    .selectFrom("inputs as i")
    .select("i.input_uuid")
    .whereRef("i.destination_id", "=", "runs.run_uuid")
    .where("i.destination_type", "=", "RUN")
    .where("i.source_type", "=", "DATASET");
  if (clause.key === "name" || clause.key === "digest") {
    sub = sub
      .innerJoin("datasets as d", "d.dataset_uuid", "i.source_id")
      .where((eb2) => stringCompare(eb2, `d.${clause.key}`, clause, ops, `datasets.${clause.key}`, dialect));
  } else if (clause.key === "context") {
    sub = sub
      .innerJoin("input_tags as it", "it.input_uuid", "i.input_uuid")
      .where("it.name", "=", "mlflow.data.context")
      .where((eb2) => stringCompare(eb2, "it.value", clause, ops, "datasets.context", dialect));
  } else {
    throw invalidParameter(`Invalid dataset key '${clause.key}'. Valid keys are name, digest and context.`);
  }
  return eb.exists(sub);
}

function clauseExpression(eb: EB, clause: Comparison, dialect: DialectName): Expression<SqlBool> {
  const entity = entityOf(clause.entity);
  switch (entity) {
    case "metric":
      return eb.exists(
        eb
          .selectFrom("latest_metrics as lm")
          .select("lm.key")
          .whereRef("lm.run_uuid", "=", "runs.run_uuid")
          .where((eb2) => stringCompare(eb2, "lm.key", { ...clause, comparator: "=", value: clause.key, numeric: false }, ["="], `metrics.${clause.key}`, dialect))
          .where("lm.is_nan", "=", sqlBool(dialect, false))
          .where((eb2) => numberCompare(eb2, "lm.value", clause, `metrics.${clause.key}`)),
      );
    case "param":
      return keyValueExists(eb, "params", ["run_uuid", "runs.run_uuid"], clause, `params.${clause.key}`, dialect);
    case "tag":
      return keyValueExists(eb, "tags", ["run_uuid", "runs.run_uuid"], clause, `tags.${clause.key}`, dialect);
    case "dataset":
      return datasetExists(eb, clause, dialect);
    case "attribute": {
      const key = ATTRIBUTE_ALIASES[clause.key] ?? clause.key;
      if (NUMERIC_ATTRIBUTES[key]) return numberCompare(eb, NUMERIC_ATTRIBUTES[key]!, clause, key);
      const column = STRING_ATTRIBUTES[key];
      if (!column) {
        throw invalidParameter(
          `Invalid attribute key '${clause.key}' specified. Valid keys are 'run_id', 'run_name', 'user_id', 'status', 'artifact_uri', 'start_time', 'end_time', 'created'`,
        );
      }
      if (key === "run_id" && Array.isArray(clause.value)) {
        return stringCompare(eb, column, { ...clause, value: lowerCaseIds(clause.value as string[]) }, ["IN", "NOT IN"], key, dialect);
      }
      const ops = key === "run_id" ? (["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"] as const) : (["=", "!=", "LIKE", "ILIKE"] as const);
      return stringCompare(eb, column, clause, ops, key, dialect);
    }
  }
}

const ORDERABLE_ATTRIBUTES: Record<string, string> = {
  run_id: "runs.run_uuid",
  run_name: "runs.name",
  user_id: "runs.user_id",
  status: "runs.status",
  start_time: "runs.start_time",
  end_time: "runs.end_time",
  artifact_uri: "runs.artifact_uri",
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Query = SelectQueryBuilder<any, any, any>;

function applyOrder(query: Query, orderBy: readonly string[], dialect: DialectName): Query {
  // Each metric/param/tag key is a join: bounded like filter clauses.
  if (orderBy.length > FILTER_LIMITS.clauses) throw invalidParameter(`'order_by' may have at most ${FILTER_LIMITS.clauses} entries`);
  let q = query;
  const seen = new Set<string>();
  let orderedOnStart = false;
  orderBy.forEach((entry, i) => {
    const order = parseOrderBy(entry);
    const entity = entityOf(order.entity);
    const dir = order.ascending ? "asc" : "desc";
    const id = `${entity}:${order.key}`;
    if (seen.has(id)) throw invalidParameter(`'order_by' contains duplicate fields: ${entry}`);
    seen.add(id);
    const alias = `o${i}`;
    if (entity === "metric") {
      q = q
        .leftJoin(`latest_metrics as ${alias}`, (join) =>
          join.onRef(`${alias}.run_uuid`, "=", "runs.run_uuid").on(`${alias}.key`, "=", order.key),
        )
        // Missing values sort last whatever the direction; NaN after numbers, before missing.
        .orderBy(sql`case when ${sql.ref(`${alias}.run_uuid`)} is null then 2 when ${sql.ref(`${alias}.is_nan`)} = ${sqlBool(dialect, true)} then 1 else 0 end`)
        .orderBy(`${alias}.value`, dir);
    } else if (entity === "param" || entity === "tag") {
      const table = entity === "param" ? "params" : "tags";
      q = q
        .leftJoin(`${table} as ${alias}`, (join) => join.onRef(`${alias}.run_uuid`, "=", "runs.run_uuid").on(`${alias}.key`, "=", order.key))
        .orderBy(sql`case when ${sql.ref(`${alias}.value`)} is null then 1 else 0 end`)
        .orderBy(`${alias}.value`, dir);
    } else if (entity === "attribute") {
      const key = ATTRIBUTE_ALIASES[order.key] ?? order.key;
      const column = ORDERABLE_ATTRIBUTES[key];
      if (!column) throw invalidParameter(`Invalid order_by key '${order.key}' specified for runs.`);
      if (key === "start_time") orderedOnStart = true;
      q = q.orderBy(sql`case when ${sql.ref(column)} is null then 1 else 0 end`).orderBy(column, dir);
    } else {
      throw invalidParameter(`Invalid order_by entity '${order.entity}' in '${entry}'`);
    }
  });
  if (!orderedOnStart) q = q.orderBy("runs.start_time", "desc");
  return q.orderBy("runs.run_uuid", "asc");
}

/**
 * Searches runs (§5.1): filter on metrics (latest value), params, tags, attributes and datasets;
 * order with missing values last; offset page tokens, emitted whenever the page is full. The page's
 * data is read in a handful of batched queries.
 *
 * @example
 * await searchRuns(ctx, { experimentIds: ["1"], filter: "metrics.rmse < 0.8", orderBy: ["metrics.rmse"] });
 */
export async function searchRuns(ctx: TrackingContext, input: SearchRunsInput): Promise<{ runs: Run[]; next_page_token?: string }> {
  const maxResults = input.maxResults ?? 1000;
  checkMaxResults(maxResults, 50000, "search_runs");
  const offset = decodePageToken(input.pageToken);
  const clauses = parseFilter(input.filter);
  const experimentIds = input.experimentIds.map(experimentIdNumber).filter((n): n is number => n !== undefined);
  if (experimentIds.length === 0) {
    // Still validate the filter and order so bad input is reported even on an empty search.
    applyOrder(ctx.database.db.selectFrom("runs"), input.orderBy ?? [], ctx.database.dialect);
    ctx.database.db.selectFrom("runs").where((eb) => eb.and(clauses.map((c) => clauseExpression(eb, c, ctx.database.dialect))));
    return { runs: [] };
  }
  let q: Query = ctx.database.db
    .selectFrom("runs")
    .select(RUN_COLUMNS)
    .where("runs.experiment_id", "in", experimentIds)
    .where("runs.lifecycle_stage", "in", stagesFor(input.runViewType ?? "ACTIVE_ONLY"));
  for (const clause of clauses) q = q.where((eb) => clauseExpression(eb, clause, ctx.database.dialect));
  q = applyOrder(q, input.orderBy ?? [], ctx.database.dialect);
  const rows = (await q.limit(maxResults).offset(offset).execute()) as RunRow[];
  const runs = await loadRuns(ctx, rows);
  return rows.length === maxResults ? { runs, next_page_token: encodePageToken(offset + maxResults) } : { runs };
}
