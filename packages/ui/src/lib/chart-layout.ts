import type { XAxis } from "./series.js";
import { isSystemMetric } from "./system-metrics.js";

/** How a line chart is drawn: its x axis, smoothing (0–0.99) and log scale. */
export interface ChartSettings {
  readonly axis: XAxis;
  readonly smoothing: number;
  readonly log: boolean;
}

/**
 * How a bar chart is drawn: on a log scale or not (the panel's controls are for line charts).
 *
 * @example
 * const bar: ChartSpec = { id: "bar-1", type: "bar", metric: "loss", settings: { log: true } satisfies BarSettings };
 */
export interface BarSettings {
  readonly log: boolean;
}

/**
 * One chart of a panel. A line chart without `settings` follows the panel's controls; with them it
 * keeps its own. A bar chart without `settings` is linear. Scatter and parallel coordinates name
 * their axes by field ID (`param:<key>`, `metric:<key>`).
 */
export type ChartSpec =
  | { readonly id: string; readonly type: "line"; readonly metric: string; readonly settings?: ChartSettings }
  | { readonly id: string; readonly type: "bar"; readonly metric: string; readonly settings?: BarSettings }
  | { readonly id: string; readonly type: "scatter"; readonly x: string; readonly y: string }
  | { readonly id: string; readonly type: "parallel"; readonly axes: readonly string[] };

/** A chart's kind: `line`, `bar`, `scatter` or `parallel`. */
export type ChartType = ChartSpec["type"];

/**
 * The chart types, as the "Add chart" form offers them.
 *
 * @example
 * CHART_TYPES.map((t) => t.label); // ["Line (metric history)", "Bar (latest values)", …]
 */
export const CHART_TYPES: readonly { readonly type: ChartType; readonly label: string }[] = [
  { type: "line", label: "Line (metric history)" },
  { type: "bar", label: "Bar (latest values)" },
  { type: "scatter", label: "Scatter" },
  { type: "parallel", label: "Parallel coordinates" },
];

const VERSION = 1;
// A charts panel draws at most this many line charts by default (more are one click away).
const DEFAULT_LINE_CHARTS = 20;

/**
 * The charts a panel shows before anyone arranges it: a line chart per metric (20 of the model's,
 * 20 of the system's), and a scatter when there is something to scatter.
 *
 * @example
 * defaultCharts(["acc", "loss"], { x: "param:lr", y: "metric:acc" });
 */
export function defaultCharts(metricKeys: readonly string[], scatter?: { x: string; y: string }): ChartSpec[] {
  const model = metricKeys.filter((k) => !isSystemMetric(k)).slice(0, DEFAULT_LINE_CHARTS);
  const system = metricKeys.filter(isSystemMetric).slice(0, DEFAULT_LINE_CHARTS);
  const charts: ChartSpec[] = [...model, ...system].map((metric) => ({ id: `line:${metric}`, type: "line", metric }));
  if (scatter) charts.push({ id: "scatter", type: "scatter", ...scatter });
  return charts;
}

/**
 * Whether a chart belongs in the system metrics section (a line or bar chart of a `system/…` key).
 *
 * @example
 * isSystemChart({ id: "a", type: "line", metric: "system/cpu_utilization_percentage" }); // true
 */
export function isSystemChart(chart: ChartSpec): boolean {
  return (chart.type === "line" || chart.type === "bar") && isSystemMetric(chart.metric);
}

/**
 * A fresh chart ID, unique within a layout.
 *
 * @example
 * newChartId("bar"); // "bar-lx2k3-8f1a"
 */
export function newChartId(type: ChartType): string {
  return `${type}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

const isString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

function parseSettings(value: unknown): ChartSettings | undefined {
  if (!value || typeof value !== "object") return undefined;
  const s = value as Record<string, unknown>;
  const axis = s.axis === "time" || s.axis === "relative" ? s.axis : "step";
  const smoothing = typeof s.smoothing === "number" && s.smoothing >= 0 && s.smoothing < 1 ? s.smoothing : 0;
  return { axis, smoothing, log: s.log === true };
}

function parseChart(value: unknown): ChartSpec | undefined {
  if (!value || typeof value !== "object") return undefined;
  const c = value as Record<string, unknown>;
  if (!isString(c.id)) return undefined;
  switch (c.type) {
    case "line": {
      if (!isString(c.metric)) return undefined;
      const settings = parseSettings(c.settings);
      return settings ? { id: c.id, type: "line", metric: c.metric, settings } : { id: c.id, type: "line", metric: c.metric };
    }
    case "bar":
      if (!isString(c.metric)) return undefined;
      // Only `log: true` means anything; whatever else was stored is the default, linear.
      return (c.settings as { log?: unknown } | undefined)?.log === true ? { id: c.id, type: "bar", metric: c.metric, settings: { log: true } } : { id: c.id, type: "bar", metric: c.metric };
    case "scatter":
      return isString(c.x) && isString(c.y) ? { id: c.id, type: "scatter", x: c.x, y: c.y } : undefined;
    case "parallel":
      return Array.isArray(c.axes) && c.axes.every(isString) ? { id: c.id, type: "parallel", axes: c.axes } : undefined;
    default:
      return undefined;
  }
}

/**
 * A stored layout read back; charts it cannot read (another version's, or edited by hand) are left
 * out, one bad chart never loses the others. Undefined when there is no usable layout.
 *
 * @example
 * parseChartLayout('{"version":1,"charts":[{"id":"b","type":"bar","metric":"acc"}]}'); // [{ id: "b", type: "bar", metric: "acc" }]
 */
export function parseChartLayout(text: string | null): ChartSpec[] | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as { version?: unknown; charts?: unknown };
    if (value.version !== VERSION || !Array.isArray(value.charts)) return undefined;
    const seen = new Set<string>();
    const charts: ChartSpec[] = [];
    for (const raw of value.charts) {
      const chart = parseChart(raw);
      if (chart && !seen.has(chart.id)) {
        seen.add(chart.id);
        charts.push(chart);
      }
    }
    return charts;
  } catch {
    return undefined;
  }
}

/**
 * The local-storage key of an experiment's chart layout.
 *
 * @example
 * chartLayoutKey("3"); // "mlflow-ts.charts.3"
 */
export function chartLayoutKey(experimentId: string): string {
  return `mlflow-ts.charts.${experimentId}`;
}

/**
 * The layout kept under a key, if any.
 *
 * @example
 * loadChartLayout(chartLayoutKey("3"));
 */
export function loadChartLayout(key: string): ChartSpec[] | undefined {
  try {
    return parseChartLayout(window.localStorage.getItem(key));
  } catch {
    return undefined;
  }
}

/**
 * Keeps a layout under a key; `undefined` forgets it (the panel goes back to its default charts).
 *
 * @example
 * saveChartLayout(chartLayoutKey("3"), charts);
 */
export function saveChartLayout(key: string, charts: readonly ChartSpec[] | undefined): void {
  try {
    if (charts) window.localStorage.setItem(key, JSON.stringify({ version: VERSION, charts }));
    else window.localStorage.removeItem(key);
  } catch {
    // Storage refused (private mode, quota): the layout lasts for this page only.
  }
}

/**
 * A layout with one chart moved one place earlier (-1) or later (+1) among the charts of its own
 * section (model or system metrics), as the user sees them.
 *
 * @example
 * moveChart(charts, "line:loss", -1);
 */
export function moveChart(charts: readonly ChartSpec[], id: string, direction: -1 | 1): ChartSpec[] {
  const from = charts.findIndex((c) => c.id === id);
  if (from < 0) return [...charts];
  const system = isSystemChart(charts[from]!);
  let to = from + direction;
  while (to >= 0 && to < charts.length && isSystemChart(charts[to]!) !== system) to += direction;
  if (to < 0 || to >= charts.length) return [...charts];
  const next = [...charts];
  next[from] = charts[to]!;
  next[to] = charts[from]!;
  return next;
}
