import { invalidParameter, type Experiment, type ViewType } from "@mlflow-ts/protocol";
import { parseFilter, parseOrderBy } from "../search/parse-filter.js";
import { numberCompare, stringCompare, checkMaxResults, keyValueExists } from "../search/compare.js";
import { decodePageToken, encodePageToken } from "../search/page-token.js";
import type { TrackingContext } from "./context.js";
import { stagesFor, withExperimentTags } from "./experiments.js";
import type { ExperimentRow } from "./rows.js";
import { experimentIdNumber } from "./context.js";
import { readableCondition, type ReadableKeys } from "../search/readable.js";

/** Parameters of an experiment search. */
export interface SearchExperimentsInput {
  readonly viewType?: ViewType;
  readonly maxResults?: number;
  readonly filter?: string;
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
  /** Only experiments in this set (a caller's readable ones), applied in the query. */
  readonly readable?: ReadableKeys;
}

const ATTRIBUTE_PREFIXES = new Set([undefined, "attribute", "attributes", "attr"]);
const TAG_PREFIXES = new Set(["tag", "tags"]);
const ORDER_KEYS = new Set(["name", "experiment_id", "creation_time", "last_update_time"]);

/**
 * Searches experiments (§5.2): filter on `name`, `creation_time`, `last_update_time` and tags,
 * order on the attributes, offset page tokens. Fetches one row more than asked to know whether a
 * next page exists.
 */
export async function searchExperiments(
  ctx: TrackingContext,
  input: SearchExperimentsInput,
): Promise<{ experiments: Experiment[]; next_page_token?: string }> {
  // Absent or 0 means the client's default, as the spec recommends, instead of MLflow's 400.
  const maxResults = input.maxResults === undefined || input.maxResults === 0 ? 1000 : input.maxResults;
  checkMaxResults(maxResults, 50000, "search_experiments");
  const offset = decodePageToken(input.pageToken);
  const clauses = parseFilter(input.filter);
  let q = ctx.database.db.selectFrom("experiments").selectAll("experiments").where("lifecycle_stage", "in", stagesFor(input.viewType ?? "ACTIVE_ONLY"));
  const readable = input.readable;
  if (readable) q = q.where((eb) => readableCondition(eb, "experiments.experiment_id", readable, experimentIdNumber, ctx.database.dialect));
  for (const clause of clauses) {
    if (ATTRIBUTE_PREFIXES.has(clause.entity)) {
      if (clause.key === "name") q = q.where((eb) => stringCompare(eb, "experiments.name", clause, ["=", "!=", "LIKE", "ILIKE"], "name", ctx.database.dialect));
      else if (clause.key === "creation_time" || clause.key === "last_update_time") {
        q = q.where((eb) => numberCompare(eb, `experiments.${clause.key}`, clause, clause.key));
      } else throw invalidParameter(`Invalid attribute key '${clause.key}' specified. Valid keys are '{'name', 'creation_time', 'last_update_time'}'`);
    } else if (TAG_PREFIXES.has(clause.entity!)) {
      q = q.where((eb) => keyValueExists(eb, "experiment_tags", ["experiment_id", "experiments.experiment_id"], clause, `tags.${clause.key}`, ctx.database.dialect));
    } else {
      throw invalidParameter(`Invalid entity type '${clause.entity}'. Valid values are ['attribute', 'tag']`);
    }
  }
  const seen = new Set<string>();
  for (const entry of input.orderBy ?? []) {
    const order = parseOrderBy(entry);
    if (!ATTRIBUTE_PREFIXES.has(order.entity) || !ORDER_KEYS.has(order.key)) {
      throw invalidParameter(`Invalid order_by entity '${entry}'. Experiments can be ordered by name, experiment_id, creation_time, last_update_time.`);
    }
    if (seen.has(order.key)) throw invalidParameter(`'order_by' contains duplicate fields: ${order.key}`);
    seen.add(order.key);
    q = q.orderBy(`experiments.${order.key}`, order.ascending ? "asc" : "desc");
  }
  if (seen.size === 0) q = q.orderBy("experiments.creation_time", "desc").orderBy("experiments.experiment_id", "asc");
  else if (!seen.has("experiment_id")) q = q.orderBy("experiments.experiment_id", "desc");
  const rows = (await q.limit(maxResults + 1).offset(offset).execute()) as ExperimentRow[];
  const page = rows.slice(0, maxResults);
  const experiments = await withExperimentTags(ctx, page);
  return rows.length > maxResults ? { experiments, next_page_token: encodePageToken(offset + maxResults) } : { experiments };
}
