import type { Run } from "@mlflow-ts/protocol";
import { formatAgo, formatDuration, formatValue, toNumber } from "./format.js";

/** A column of the runs table: an attribute, or a metric / param / tag key. */
export interface Column {
  readonly kind: "attribute" | "metric" | "param" | "tag";
  readonly key: string;
}

export const ATTRIBUTE_COLUMNS: readonly (Column & { label: string; orderBy?: string; width: number })[] = [
  { kind: "attribute", key: "run_name", label: "Run name", orderBy: "attributes.run_name", width: 220 },
  { kind: "attribute", key: "start_time", label: "Created", orderBy: "attributes.start_time", width: 110 },
  { kind: "attribute", key: "duration", label: "Duration", width: 90 },
  { kind: "attribute", key: "user_id", label: "User", orderBy: "attributes.user_id", width: 110 },
  { kind: "attribute", key: "status", label: "Status", orderBy: "attributes.status", width: 100 },
];

/** The id of a column in `order_by` / sort state: `metrics.acc`, `attributes.start_time`. */
export function columnId(c: Column): string {
  return c.kind === "attribute" ? `attributes.${c.key}` : `${c.kind}s.${c.key}`;
}

/** MLflow's `order_by` entry for a column (keys quoted with backticks). */
export function orderByClause(c: Column, ascending: boolean): string | undefined {
  if (c.kind === "attribute") {
    const attr = ATTRIBUTE_COLUMNS.find((a) => a.key === c.key)?.orderBy;
    return attr ? `${attr} ${ascending ? "ASC" : "DESC"}` : undefined;
  }
  return `${c.kind}s.\`${c.key}\` ${ascending ? "ASC" : "DESC"}`;
}

/** Per-run lookups built once per run (metrics, params and tags by key). */
export interface RunIndex {
  readonly metrics: Map<string, number | string>;
  readonly params: Map<string, string>;
  readonly tags: Map<string, string>;
}

const indexes = new WeakMap<Run, RunIndex>();

/** The run's metrics, params and tags by key (memoized per run object). */
export function indexOf(run: Run): RunIndex {
  let index = indexes.get(run);
  if (!index) {
    index = {
      metrics: new Map((run.data.metrics ?? []).map((m) => [m.key, m.value])),
      params: new Map((run.data.params ?? []).map((p) => [p.key, p.value])),
      tags: new Map((run.data.tags ?? []).map((t) => [t.key, t.value])),
    };
    indexes.set(run, index);
  }
  return index;
}

/** The value a column sorts by (undefined when the run has none). */
export function sortValue(run: Run, c: Column): number | string | undefined {
  const index = indexOf(run);
  switch (c.kind) {
    case "metric": {
      const v = index.metrics.get(c.key);
      return v === undefined ? undefined : toNumber(v);
    }
    case "param":
      return index.params.get(c.key);
    case "tag":
      return index.tags.get(c.key);
    default:
      switch (c.key) {
        case "run_name":
          return run.info.run_name;
        case "start_time":
          return run.info.start_time;
        case "duration":
          return run.info.end_time !== undefined && run.info.start_time !== undefined ? run.info.end_time - run.info.start_time : undefined;
        case "user_id":
          return run.info.user_id;
        case "status":
          return run.info.status;
        default:
          return undefined;
      }
  }
}

/** The text a cell shows. */
export function cellText(run: Run, c: Column, now: number): string {
  const index = indexOf(run);
  switch (c.kind) {
    case "metric":
      return formatValue(index.metrics.get(c.key));
    case "param":
      return index.params.get(c.key) ?? "";
    case "tag":
      return index.tags.get(c.key) ?? "";
    default:
      switch (c.key) {
        case "run_name":
          return run.info.run_name;
        case "start_time":
          return formatAgo(run.info.start_time, now);
        case "duration":
          return formatDuration(run.info.start_time, run.info.end_time);
        case "user_id":
          return run.info.user_id;
        case "status":
          return run.info.status;
        default:
          return "";
      }
  }
}

/**
 * Sorts runs in the browser as MLflow's server does: missing values last whatever the direction,
 * NaN after numbers; ties by start time (newest first), then run ID.
 */
export function sortRuns(runs: readonly Run[], c: Column, ascending: boolean): Run[] {
  const keyed = runs.map((run) => ({ run, v: sortValue(run, c) }));
  const rank = (v: number | string | undefined) => (v === undefined ? 2 : typeof v === "number" && Number.isNaN(v) ? 1 : 0);
  keyed.sort((a, b) => {
    const ra = rank(a.v);
    const rb = rank(b.v);
    if (ra !== rb) return ra - rb;
    if (ra === 0 && a.v !== b.v) {
      const cmp = typeof a.v === "number" && typeof b.v === "number" ? a.v - b.v : String(a.v) < String(b.v) ? -1 : 1;
      return ascending ? cmp : -cmp;
    }
    const ta = a.run.info.start_time ?? 0;
    const tb = b.run.info.start_time ?? 0;
    if (ta !== tb) return tb - ta;
    return a.run.info.run_id < b.run.info.run_id ? -1 : 1;
  });
  return keyed.map((k) => k.run);
}

/** Every metric, param and tag key among the runs (sorted), for the column picker. */
export function collectKeys(runs: readonly Run[]): { metrics: string[]; params: string[]; tags: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    for (const m of run.data.metrics ?? []) metrics.add(m.key);
    for (const p of run.data.params ?? []) params.add(p.key);
    for (const t of run.data.tags ?? []) if (!t.key.startsWith("mlflow.")) tags.add(t.key);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { metrics: sorted(metrics), params: sorted(params), tags: sorted(tags) };
}
