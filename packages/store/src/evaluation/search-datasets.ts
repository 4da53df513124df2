import { sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import { invalidParameter, type EvaluationDataset } from "@mlflow-ts/protocol";
import type { TrackingContext } from "../tracking/context.js";
import { parseFilter, parseOrderBy, type Comparison } from "../search/parse-filter.js";
import { numberCompare, stringCompare } from "../search/compare.js";
import { decodePageToken, encodePageToken } from "../search/page-token.js";
import { readableCondition, type ReadableKeys } from "../search/readable.js";
import { DATASET, EXPERIMENT, datasetsWithTags, type DatasetRow } from "./datasets.js";

/** Parameters of {@link searchDatasets}. */
export interface SearchDatasetsInput {
  readonly experimentIds?: readonly string[];
  readonly filter?: string;
  readonly maxResults?: number;
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
  /** Only datasets associated with at least one experiment in this set. */
  readonly readable?: ReadableKeys;
}

const STRING_ATTRIBUTES = ["name", "created_by", "last_updated_by"];
const NUMERIC_ATTRIBUTES = ["created_time", "last_update_time"];
// As Python prints MLflow's sets in its messages (a set's order varies between processes there).
const SEARCH_KEYS = "{'name', 'created_time', 'last_update_time', 'created_by', 'last_updated_by'}";
const ORDER_KEYS = "{'name', 'created_time', 'last_update_time'}";
const MAX_RESULTS = 50000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, any>;

function clauseSql(eb: Eb, clause: Comparison, ctx: TrackingContext): Expression<SqlBool> {
  const dialect = ctx.database.dialect;
  if (clause.entity === undefined) {
    if (STRING_ATTRIBUTES.includes(clause.key)) {
      if (!["=", "!=", "LIKE", "ILIKE"].includes(clause.comparator)) throw invalidParameter(`Invalid comparator for string attribute: ${clause.comparator}`);
      return stringCompare(eb, `d.${clause.key}`, clause, ["=", "!=", "LIKE", "ILIKE"], clause.key, dialect);
    }
    if (NUMERIC_ATTRIBUTES.includes(clause.key)) {
      if (!["=", "!=", "<", "<=", ">", ">="].includes(clause.comparator)) throw invalidParameter(`Invalid comparator for numeric attribute: ${clause.comparator}`);
      return numberCompare(eb, `d.${clause.key}`, clause, clause.key);
    }
    throw invalidParameter(`Invalid attribute key '${clause.key}' specified. Valid keys are: ${SEARCH_KEYS}`);
  }
  if (clause.entity === "tags" || clause.entity === "tag") {
    if (!["=", "!=", "LIKE", "ILIKE"].includes(clause.comparator)) throw invalidParameter(`Invalid comparator for tag: ${clause.comparator}`);
    return eb.exists(
      eb
        .selectFrom("evaluation_dataset_tags as t")
        .select(sql.lit(1).as("one"))
        .whereRef("t.dataset_id", "=", "d.dataset_id")
        .where("t.key", "=", clause.key)
        .where((inner) => stringCompare(inner, "t.value", clause, ["=", "!=", "LIKE", "ILIKE"], `tags.${clause.key}`, dialect)),
    );
  }
  throw invalidParameter(`Invalid identifier token '${clause.entity}' specified`);
}

function orderColumn(entry: string): { column: string; ascending: boolean } {
  const clause = parseOrderBy(entry);
  if (clause.entity !== undefined) {
    if (clause.entity === "tags" || clause.entity === "tag") throw invalidParameter("Invalid order_by entity: tag");
    throw invalidParameter(`Invalid identifier token '${clause.entity}' specified`);
  }
  if (!["name", "created_time", "last_update_time"].includes(clause.key)) {
    throw invalidParameter(`Invalid attribute key '${clause.key}' specified. Valid keys are: ${ORDER_KEYS}`);
  }
  return { column: clause.key, ascending: clause.ascending };
}

/**
 * MLflow's SearchEvaluationDatasets: datasets of some experiments (or all), filtered on `name`,
 * `created_time`, `last_update_time`, `created_by`, `last_updated_by` and `tags.<key>`, ordered by
 * `name`, `created_time` or `last_update_time` (default `created_time DESC`, then `dataset_id`
 * descending), paged by offset tokens.
 *
 * @example
 * await searchDatasets(ctx, { filter: "tags.team = 'ml'", orderBy: ["name ASC"] });
 */
export async function searchDatasets(ctx: TrackingContext, input: SearchDatasetsInput): Promise<{ datasets: EvaluationDataset[]; next_page_token?: string }> {
  const maxResults = input.maxResults ?? 1000;
  if (maxResults < 1) throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  if (maxResults > MAX_RESULTS) throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${MAX_RESULTS}`);
  const offset = decodePageToken(input.pageToken);
  const clauses = parseFilter(input.filter);
  const order = (input.orderBy && input.orderBy.length > 0 ? input.orderBy : ["created_time DESC"]).map(orderColumn);
  const db = ctx.database.db;
  const dialect = ctx.database.dialect;
  let q = db.selectFrom("evaluation_datasets as d").selectAll("d");
  const association = (eb: Eb) =>
    eb
      .selectFrom("entity_associations as a")
      .select(sql.lit(1).as("one"))
      .where("a.source_type", "=", DATASET)
      .whereRef("a.source_id", "=", "d.dataset_id")
      .where("a.destination_type", "=", EXPERIMENT);
  if (input.experimentIds && input.experimentIds.length > 0) {
    const ids = input.experimentIds;
    q = q.where((eb) => eb.exists(association(eb).where("a.destination_id", "in", ids)));
  }
  if (input.readable) {
    // Copies: readableCondition caches converted keys by list identity, and experiment searches
    // convert the same cached lists to numbers; destination_id is text, compared as text here.
    const readable = { ...(input.readable.only ? { only: [...input.readable.only] } : {}), ...(input.readable.except ? { except: [...input.readable.except] } : {}) };
    q = q.where((eb) => eb.exists(association(eb).where((inner) => readableCondition(inner, "a.destination_id", readable, (k) => k, dialect))));
  }
  for (const clause of clauses) q = q.where((eb) => clauseSql(eb, clause, ctx));
  for (const o of order) q = q.orderBy(`d.${o.column}`, o.ascending ? "asc" : "desc");
  if (!order.some((o) => o.column === "dataset_id")) q = q.orderBy("d.dataset_id", "desc");
  const rows = (await q.limit(maxResults + 1).offset(offset).execute()) as DatasetRow[];
  const page = rows.slice(0, maxResults);
  const datasets = await datasetsWithTags(db, page);
  return { datasets, ...(rows.length > maxResults ? { next_page_token: encodePageToken(offset + maxResults) } : {}) };
}
