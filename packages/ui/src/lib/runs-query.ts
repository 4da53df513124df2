import type { Column } from "./columns.js";
import { parseExpandedRuns, writeExpandedRuns, type ExpandedRuns } from "./expanded-runs.js";

/** What the runs table shows, as kept in the URL: filter, sort, lifecycle, chosen columns, expanded parents. */
export interface RunsQuery {
  readonly filter: string;
  readonly sort?: { readonly column: Column; readonly ascending: boolean };
  /** The `run_view_type` of runs/search. */
  readonly viewType: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  /** Undefined: the saved or default choice. */
  readonly columns?: readonly Column[];
  /** Undefined: every parent collapsed. */
  readonly expanded?: ExpandedRuns;
}

const KINDS: Readonly<Record<string, Column["kind"]>> = { metrics: "metric", params: "param", tags: "tag", attributes: "attribute" };
const PLURAL: Readonly<Record<Column["kind"], string>> = { metric: "metrics", param: "params", tag: "tags", attribute: "attributes" };
// MLflow's UI writes `lifecycleFilter=Active|Deleted` (2.x) or `ACTIVE|DELETED` (3.x); ALL is ours.
const LIFECYCLE: Readonly<Record<string, RunsQuery["viewType"]>> = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" };
const LIFECYCLE_PARAM: Readonly<Record<RunsQuery["viewType"], string>> = { ACTIVE_ONLY: "ACTIVE", DELETED_ONLY: "DELETED", ALL: "ALL" };

/**
 * A column from MLflow's canonical key (`metrics.\`val loss\``, `params.lr`, `attributes.start_time`):
 * the kind before the first dot, the key after it (backticks or double quotes optional).
 *
 * @example
 * parseColumnKey("metrics.`val loss`"); // { kind: "metric", key: "val loss" }
 * parseColumnKey("tags.team"); // { kind: "tag", key: "team" }
 */
export function parseColumnKey(text: string): Column | undefined {
  const dot = text.indexOf(".");
  if (dot <= 0) return undefined;
  const kind = KINDS[text.slice(0, dot)];
  let key = text.slice(dot + 1);
  if (key.length >= 2 && (key[0] === "`" || key[0] === '"') && key[key.length - 1] === key[0]) key = key.slice(1, -1);
  return kind && key ? { kind, key } : undefined;
}

/**
 * MLflow's canonical key of a column, as its UI writes `orderByKey`: metric, param and tag keys in
 * backticks, attributes bare.
 *
 * @example
 * columnKey({ kind: "metric", key: "acc" }); // "metrics.`acc`"
 */
export function columnKey(c: Column): string {
  return c.kind === "attribute" ? `attributes.${c.key}` : `${PLURAL[c.kind]}.\`${c.key}\``;
}

/**
 * Reads the runs table's state from a hash's query string, with MLflow's own parameter names
 * (`searchFilter`, `orderByKey`, `orderByAsc`, `lifecycleFilter`, MLflow 2's `runsExpanded[<run id>]`)
 * so links made by MLflow's UI open the same view here; chosen columns are `columns`, a JSON list of
 * keys (`["metrics.acc", …]`); expanded parents are read by `parseExpandedRuns`.
 * Anything malformed is ignored rather than breaking the page.
 *
 * @example
 * parseRunsQuery("searchFilter=metrics.acc%20%3E%200.9&orderByKey=metrics.%60acc%60&orderByAsc=false&lifecycleFilter=DELETED");
 * // { filter: "metrics.acc > 0.9", sort: { column: { kind: "metric", key: "acc" }, ascending: false }, viewType: "DELETED_ONLY" }
 */
export function parseRunsQuery(query: string): RunsQuery {
  const params = new URLSearchParams(query);
  const orderKey = params.get("orderByKey");
  const column = orderKey ? parseColumnKey(orderKey) : undefined;
  const sort = column ? { column, ascending: params.get("orderByAsc") === "true" } : undefined;
  const viewType = LIFECYCLE[(params.get("lifecycleFilter") ?? "").toLowerCase()] ?? "ACTIVE_ONLY";
  let columns: Column[] | undefined;
  const rawColumns = params.get("columns");
  if (rawColumns !== null) {
    try {
      const list: unknown = JSON.parse(rawColumns);
      if (Array.isArray(list)) columns = list.flatMap((item) => (typeof item === "string" ? (parseColumnKey(item) ?? []) : []));
    } catch {
      // A hand-edited list that is not JSON: the default columns.
    }
  }
  const expanded = parseExpandedRuns(params);
  return { filter: params.get("searchFilter") ?? "", viewType, ...(sort ? { sort } : {}), ...(columns ? { columns } : {}), ...(expanded ? { expanded } : {}) };
}

/**
 * The query string of a runs table state (defaults left out, so a plain view keeps a plain URL);
 * parameters the runs table does not own (`metric=`, other pages' keys) are kept.
 *
 * @example
 * runsQueryString({ filter: "params.opt = 'adam'", viewType: "ACTIVE_ONLY" }); // "searchFilter=params.opt+%3D+%27adam%27"
 */
export function runsQueryString(state: RunsQuery, keep = ""): string {
  const params = new URLSearchParams(keep);
  for (const name of ["searchFilter", "orderByKey", "orderByAsc", "lifecycleFilter", "columns"]) params.delete(name);
  if (state.filter) params.set("searchFilter", state.filter);
  if (state.sort) {
    params.set("orderByKey", columnKey(state.sort.column));
    params.set("orderByAsc", String(state.sort.ascending));
  }
  if (state.viewType !== "ACTIVE_ONLY") params.set("lifecycleFilter", LIFECYCLE_PARAM[state.viewType]);
  if (state.columns) params.set("columns", JSON.stringify(state.columns.map((c) => `${PLURAL[c.kind]}.${c.key}`)));
  writeExpandedRuns(params, state.expanded);
  return params.toString();
}
