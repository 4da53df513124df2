import { invalidParameter, type ModelVersion, type RegisteredModel } from "@mlflow-ts/protocol";
import type { Expression, ExpressionBuilder, SelectQueryBuilder, SqlBool } from "kysely";
import { parseFilter, parseOrderBy, type Comparison } from "../search/parse-filter.js";
import { checkMaxResults, lowerCaseIds, numberCompare, stringCompare } from "../search/compare.js";
import { decodePageToken, encodePageToken } from "../search/page-token.js";
import type { TrackingContext } from "../tracking/context.js";
import type { DialectName } from "../create-database.js";
import { loadModels, loadVersions } from "./load-registry.js";
import { VERSION_COLUMNS, DELETED_STAGE, type ModelVersionRow, type RegisteredModelRow } from "./rows.js";
import { readableCondition, type ReadableKeys } from "../search/readable.js";

const asName = (name: string) => name;

/** Parameters of a registry search. */
export interface SearchRegistryInput {
  readonly filter?: string;
  readonly maxResults?: number;
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
  /** Only models (or versions of models) in this set of names, applied in the query. */
  readonly readable?: ReadableKeys;
}

const PROMPT_TAG = "mlflow.prompt.is_prompt";
const TAG_PREFIXES = new Set(["tag", "tags"]);
const ATTRIBUTE_PREFIXES = new Set([undefined, "attribute", "attributes", "attr"]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EB = ExpressionBuilder<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = SelectQueryBuilder<any, any, any>;

/**
 * A tag clause. For `mlflow.prompt.is_prompt`, an entity *without* the tag matches `!= 'true'`
 * (and `= 'false'`): 3.x clients append that clause to every model search to hide prompts, and
 * without this rule every ordinary model would disappear.
 */
function tagClause(eb: EB, table: string, join: (sub: Sub) => Sub, clause: Comparison, dialect: DialectName): Expression<SqlBool> {
  // Keys compare case-sensitively, on MySQL too (MLflow's "=" there is repeated on BINARY).
  const sameKey = (sub: Sub) => sub.where((e2: EB) => stringCompare(e2, "t.key", { ...clause, comparator: "=", value: clause.key, numeric: false }, ["="], `tags.${clause.key}`, dialect));
  const matching = join(sameKey(eb.selectFrom(`${table} as t`).select("t.key") as Sub)).where((e2: EB) =>
    stringCompare(e2, "t.value", clause, ["=", "!=", "LIKE", "ILIKE"], `tags.${clause.key}`, dialect),
  );
  if (clause.key === PROMPT_TAG && ((clause.comparator === "!=" && clause.value === "true") || (clause.comparator === "=" && clause.value === "false"))) {
    const any = join(sameKey(eb.selectFrom(`${table} as t`).select("t.key") as Sub));
    return eb.or([eb.exists(matching), eb.not(eb.exists(any))]);
  }
  return eb.exists(matching);
}

/**
 * Applies `order_by` entries over attribute columns (`keys`: order-by name → column); unknown or
 * repeated keys are 400. Returns the query and the columns it now orders on, for tie-breakers.
 */
function applyOrder(query: Sub, orderBy: readonly string[] | undefined, keys: Readonly<Record<string, string>>): { query: Sub; columns: Set<string> } {
  let q = query;
  const columns = new Set<string>();
  for (const entry of orderBy ?? []) {
    const order = parseOrderBy(entry);
    const column = ATTRIBUTE_PREFIXES.has(order.entity) ? keys[order.key] : undefined;
    if (!column) throw invalidParameter(`Invalid order by key '${entry}' specified. Valid keys are ${[...new Set(Object.keys(keys))].filter((k) => k !== "timestamp").join(", ")}.`);
    if (columns.has(column)) throw invalidParameter(`'order_by' contains duplicate fields: ${entry}`);
    columns.add(column);
    q = q.orderBy(column, order.ascending ? "asc" : "desc");
  }
  return { query: q, columns };
}

/** Searches registered models (§5.3): name and tag filters, ordered by name by default. */
export async function searchRegisteredModels(
  ctx: TrackingContext,
  input: SearchRegistryInput,
): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }> {
  const maxResults = input.maxResults ?? 100;
  checkMaxResults(maxResults, 1000, "search_registered_models");
  const offset = decodePageToken(input.pageToken);
  const dialect = ctx.database.dialect;
  let q = ctx.database.db.selectFrom("registered_models as rm").select(["rm.name", "rm.creation_time", "rm.last_updated_time", "rm.description"]);
  const readable = input.readable;
  if (readable) q = q.where((eb) => readableCondition(eb, "rm.name", readable, asName, dialect));
  for (const clause of parseFilter(input.filter)) {
    if (TAG_PREFIXES.has(clause.entity!)) {
      q = q.where((eb) => tagClause(eb, "registered_model_tags", (sub: Sub) => sub.whereRef("t.name", "=", "rm.name"), clause, dialect));
    } else if (ATTRIBUTE_PREFIXES.has(clause.entity) && clause.key === "name") {
      q = q.where((eb) => stringCompare(eb, "rm.name", clause, ["=", "!=", "LIKE", "ILIKE"], "name", dialect));
    } else {
      throw invalidParameter(`Invalid filter '${input.filter}': registered models can be filtered by name and tags only.`);
    }
  }
  const ordered = applyOrder(q, input.orderBy, { name: "rm.name", creation_timestamp: "rm.creation_time", last_updated_timestamp: "rm.last_updated_time", timestamp: "rm.last_updated_time" });
  q = ordered.query;
  if (!ordered.columns.has("rm.name")) q = q.orderBy("rm.name", "asc");
  const rows = (await q.limit(maxResults + 1).offset(offset).execute()) as RegisteredModelRow[];
  const models = await loadModels(ctx, rows.slice(0, maxResults));
  return rows.length > maxResults ? { registered_models: models, next_page_token: encodePageToken(offset + maxResults) } : { registered_models: models };
}

/** Searches model versions (§5.4); deleted versions are never returned. */
export async function searchModelVersions(
  ctx: TrackingContext,
  input: SearchRegistryInput,
): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
  const maxResults = input.maxResults ?? 200_000;
  checkMaxResults(maxResults, 200_000, "search_model_versions");
  const offset = decodePageToken(input.pageToken);
  const dialect = ctx.database.dialect;
  let q = ctx.database.db
    .selectFrom("model_versions as mv")
    .select(VERSION_COLUMNS.map((c) => `mv.${c}` as const))
    .where("mv.current_stage", "!=", DELETED_STAGE);
  const readable = input.readable;
  if (readable) q = q.where((eb) => readableCondition(eb, "mv.name", readable, asName, dialect));
  for (const clause of parseFilter(input.filter)) {
    if (TAG_PREFIXES.has(clause.entity!)) {
      q = q.where((eb) =>
        tagClause(eb, "model_version_tags", (sub: Sub) => sub.whereRef("t.name", "=", "mv.name").whereRef("t.version", "=", "mv.version"), clause, dialect),
      );
      continue;
    }
    if (!ATTRIBUTE_PREFIXES.has(clause.entity)) throw invalidParameter(`Invalid entity '${clause.entity}' in filter '${input.filter}'`);
    if (clause.key === "name") q = q.where((eb) => stringCompare(eb, "mv.name", clause, ["=", "!=", "LIKE", "ILIKE"], "name", dialect));
    else if (clause.key === "run_id") {
      const value = clause.comparator === "IN" && Array.isArray(clause.value) ? lowerCaseIds(clause.value as string[]) : clause.value;
      q = q.where((eb) => stringCompare(eb, "mv.run_id", { ...clause, value }, ["=", "!=", "LIKE", "ILIKE", "IN"], "run_id", dialect));
    }
    else if (clause.key === "source_path") q = q.where((eb) => stringCompare(eb, "mv.source", clause, ["=", "!=", "LIKE", "ILIKE"], "source_path", dialect));
    else if (clause.key === "version_number") q = q.where((eb) => numberCompare(eb, "mv.version", clause, "version_number"));
    else throw invalidParameter(`Invalid attribute '${clause.key}' in filter '${input.filter}'. Valid: name, run_id, source_path, version_number, tags.`);
  }
  // MLflow's default order: most recently updated first.
  const orderBy = input.orderBy?.length ? input.orderBy : ["last_updated_timestamp DESC", "name ASC", "version_number DESC"];
  const ordered = applyOrder(q, orderBy, {
    name: "mv.name",
    version_number: "mv.version",
    creation_timestamp: "mv.creation_time",
    last_updated_timestamp: "mv.last_updated_time",
    timestamp: "mv.last_updated_time",
  });
  q = ordered.query;
  if (!ordered.columns.has("mv.name")) q = q.orderBy("mv.name", "asc");
  if (!ordered.columns.has("mv.version")) q = q.orderBy("mv.version", "desc");
  const rows = (await q.limit(maxResults + 1).offset(offset).execute()) as ModelVersionRow[];
  const versions = await loadVersions(ctx, rows.slice(0, maxResults));
  return rows.length > maxResults ? { model_versions: versions, next_page_token: encodePageToken(offset + maxResults) } : { model_versions: versions };
}
