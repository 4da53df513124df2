import { useEffect, useMemo, useState } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { filterByBrush, type Brush } from "../lib/brush.js";
import { defaultCharts, isSystemChart, moveChart, newChartId, type ChartSettings, type ChartSpec } from "../lib/chart-layout.js";
import { indexOf } from "../lib/columns.js";
import { toNumber } from "../lib/format.js";
import { defaultParallelAxes, varies } from "../lib/parallel-axes.js";
import { fieldId, fieldLabel, fieldValue, numericValue, parseField } from "../lib/run-field.js";
import { runColor } from "../lib/run-color.js";
import type { XAxis } from "../lib/series.js";
import { isSystemMetric } from "../lib/system-metrics.js";
import { useChartLayout } from "../lib/use-chart-layout.js";
import { useHiddenRuns } from "../lib/use-hidden-runs.js";
import { AddChartDialog } from "./AddChartDialog.js";
import { AxisPicker } from "./AxisPicker.js";
import { BarChart, type Bar } from "./BarChart.js";
import { ChartCard } from "./ChartCard.js";
import { ChartControls } from "./ChartControls.js";
import { LazyParallelCoordinates } from "./LazyParallelCoordinates.js";
import { GATE_MAX_WAIT_MS, MetricPanel, RenderGate } from "./MetricPanel.js";
import { ScatterChart, type ScatterPoint } from "./ScatterChart.js";
import "../charts.css";

function keysOf(runs: readonly Run[], kind: "metrics" | "params"): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const m of r.data[kind] ?? []) keys.add(m.key);
  return [...keys].sort();
}

/** A scatter's points: one per run with both values, in the run's colour. */
function scatterPoints(runs: readonly Run[], x: string, y: string): ScatterPoint[] {
  const out: ScatterPoint[] = [];
  const xIsParam = parseField(x).kind === "param";
  for (const run of runs) {
    const xv = fieldValue(run, x);
    const yv = numericValue(fieldValue(run, y));
    if (xv === undefined || yv === undefined || !Number.isFinite(yv)) continue;
    out.push({ label: run.info.run_name, color: runColor(run.info.run_id), x: xIsParam ? xv : Number(xv), y: yv });
  }
  return out;
}

/** A scatter with its two fields chosen above it. */
function ScatterCell(props: { runs: readonly Run[]; spec: { x: string; y: string }; fields: readonly string[]; metricKeys: readonly string[]; onChange: (x: string, y: string) => void }) {
  const points = useMemo(() => scatterPoints(props.runs, props.spec.x, props.spec.y), [props.runs, props.spec.x, props.spec.y]);
  const yKey = parseField(props.spec.y).key;
  return (
    <section class="scatter">
      <div class="toolbar">
        <label>
          X{" "}
          <select aria-label="Scatter X" value={props.spec.x} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value, props.spec.y)}>
            {props.fields.map((f) => (
              <option key={f} value={f}>
                {fieldLabel(f)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Y{" "}
          <select aria-label="Scatter Y" value={props.spec.y} onChange={(e) => props.onChange(props.spec.x, (e.target as HTMLSelectElement).value)}>
            {props.metricKeys.slice(0, 500).map((k) => (
              <option key={k} value={fieldId("metric", k)}>
                metric {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ScatterChart title={`${yKey} against ${fieldLabel(props.spec.x)}`} xLabel={fieldLabel(props.spec.x)} yLabel={yKey} points={points} />
    </section>
  );
}

/** The title a chart is known by (its buttons' labels, its settings). */
function chartTitle(chart: ChartSpec): string {
  switch (chart.type) {
    case "line":
      return chart.metric;
    case "bar":
      return `${chart.metric} (latest)`;
    case "scatter":
      return `${parseField(chart.y).key} against ${fieldLabel(chart.x)}`;
    default:
      return "Parallel coordinates";
  }
}

/**
 * Charts for a set of runs, as a layout the user arranges: line charts of metric histories (each
 * with its own x axis, smoothing and log scale, or the panel's), bars of latest values (each linear
 * or on a log scale), scatters, parallel coordinates whose brush filters the runs; model metrics
 * first, system metrics (`system/…`) in their own section. Legends hide and show a run in every
 * chart of the panel.
 *
 * `storageKey` keeps the layout and the hidden runs (an experiment's, in local storage); `allRuns`
 * (the table's rows) feed the scatter and parallel coordinates; `brush`/`onBrush` share the brush
 * with the page, whose table follows it (without them the panel keeps its own).
 *
 * @example
 * <RunCharts runs={selected} allRuns={rows} storageKey={chartLayoutKey(experimentId)} brush={brush} onBrush={setBrush} />
 */
export function RunCharts(props: { runs: readonly Run[]; allRuns?: readonly Run[]; storageKey?: string; brush?: Brush; onBrush?: (brush: Brush) => void }) {
  const [ownBrush, setOwnBrush] = useState<Brush>({});
  const brush = props.brush ?? ownBrush;
  const setBrush = props.onBrush ?? setOwnBrush;
  const all = props.allRuns ?? props.runs;
  const runs = useMemo(() => filterByBrush(props.runs, brush), [props.runs, brush]);
  const brushedAll = useMemo(() => filterByBrush(all, brush), [all, brush]);
  const metricKeys = useMemo(() => keysOf(runs, "metrics"), [runs]);
  const allMetricKeys = useMemo(() => keysOf(all, "metrics"), [all]);
  const paramKeys = useMemo(() => keysOf(all, "params"), [all]);
  const modelMetricKeys = useMemo(() => allMetricKeys.filter((k) => !isSystemMetric(k)), [allMetricKeys]);
  // By default the first param whose value differs between runs: the one a scatter can explain.
  const varying = useMemo(() => paramKeys.find((k) => varies(all, fieldId("param", k))) ?? paramKeys[0], [paramKeys, all]);
  const firstMetric = metricKeys.find((k) => !isSystemMetric(k)) ?? metricKeys[0];
  const fallback = useMemo(
    () => defaultCharts(metricKeys, firstMetric ? { x: varying ? fieldId("param", varying) : fieldId("metric", firstMetric), y: fieldId("metric", firstMetric) } : undefined),
    [metricKeys, varying, firstMetric],
  );
  const layout = useChartLayout(props.storageKey, fallback);
  const [panel, setPanel] = useState<ChartSettings>({ axis: "step", smoothing: 0, log: false });
  const { hidden, toggle, show } = useHiddenRuns(props.storageKey);
  const [filter, setFilter] = useState("");
  const [adding, setAdding] = useState(false);
  // Line and bar charts of metrics none of these runs has are kept in the layout, not drawn.
  const has = useMemo(() => new Set(metricKeys), [metricKeys]);
  const visible = layout.charts.filter((c) => (c.type === "line" || c.type === "bar" ? has.has(c.metric) : c.type === "parallel" || metricKeys.length > 0));
  const lineCount = visible.filter((c) => c.type === "line").length;
  // The runs, as one string: what the panels reload on. A new set of runs gets a new gate, as its
  // charts load afresh. (A chart added later finds the gate open and is drawn as soon as its data is in.)
  const runIds = runs.map((r) => r.info.run_id).join(",");
  const gate = useMemo(() => new RenderGate(lineCount, GATE_MAX_WAIT_MS), [runIds]);
  useEffect(() => () => gate.close(), [gate]);
  const replace = (id: string, chart: ChartSpec) => layout.update(layout.charts.map((c) => (c.id === id ? chart : c)));
  const lines = new Set(layout.charts.flatMap((c) => (c.type === "line" ? [c.metric] : [])));
  const setLine = (metric: string, on: boolean) =>
    layout.update(on ? [...layout.charts, { id: newChartId("line"), type: "line", metric }] : layout.charts.filter((c) => c.type !== "line" || c.metric !== metric));
  const fields = useMemo(() => [...paramKeys.map((k) => fieldId("param", k)), ...allMetricKeys.slice(0, 500).map((k) => fieldId("metric", k))], [paramKeys, allMetricKeys]);

  if (all.length === 0) return <p class="muted">Select runs in the table to chart them.</p>;

  const bars = (metric: string): Bar[] =>
    runs.flatMap((run) => {
      const v = indexOf(run).metrics.get(metric);
      return v === undefined ? [] : [{ runId: run.info.run_id, label: run.info.run_name || run.info.run_id, color: runColor(run.info.run_id), value: toNumber(v) }];
    });
  const render = (chart: ChartSpec, i: number, section: readonly ChartSpec[]) => {
    const title = chartTitle(chart);
    const card = { title, first: i === 0, last: i === section.length - 1, onMove: (d: -1 | 1) => layout.update(moveChart(layout.charts, chart.id, d)), onRemove: () => layout.update(layout.charts.filter((c) => c.id !== chart.id)) };
    switch (chart.type) {
      case "line": {
        const s = chart.settings ?? panel;
        const own = (next: Partial<ChartSettings>) => replace(chart.id, { ...chart, settings: { ...s, ...next } });
        return (
          <ChartCard
            key={chart.id}
            {...card}
            customised={chart.settings !== undefined}
            settings={() => (
              <>
                <ChartControls of={title} axis={s.axis} setAxis={(axis: XAxis) => own({ axis })} log={s.log} setLog={(log) => own({ log })} smoothing={s.smoothing} setSmoothing={(smoothing) => own({ smoothing })} />
                {chart.settings ? (
                  <button type="button" onClick={() => replace(chart.id, { id: chart.id, type: "line", metric: chart.metric })}>
                    Use the panel's settings
                  </button>
                ) : (
                  <p class="muted">Follows the panel's settings until changed here.</p>
                )}
              </>
            )}
          >
            <MetricPanel runs={runs} runIds={runIds} metric={chart.metric} axis={s.axis} log={s.log} smoothing={s.smoothing} gate={gate} hidden={hidden} onToggle={toggle} />
          </ChartCard>
        );
      }
      case "bar": {
        const log = chart.settings?.log === true;
        return (
          <ChartCard
            key={chart.id}
            {...card}
            customised={log}
            settings={() => (
              <label>
                <input type="checkbox" aria-label={`Log scale of ${title}`} checked={log} onChange={(e) => replace(chart.id, (e.target as HTMLInputElement).checked ? { ...chart, settings: { log: true } } : { id: chart.id, type: "bar", metric: chart.metric })} /> Log scale
              </label>
            )}
          >
            <BarChart title={title} bars={bars(chart.metric)} log={log} hidden={hidden} onToggle={toggle} />
          </ChartCard>
        );
      }
      case "scatter":
        return (
          <ChartCard key={chart.id} {...card}>
            <ScatterCell runs={brushedAll} spec={chart} fields={fields} metricKeys={allMetricKeys} onChange={(x, y) => replace(chart.id, { ...chart, x, y })} />
          </ChartCard>
        );
      default:
        return (
          <ChartCard key={chart.id} {...card} class="wide" settings={() => <AxisPicker paramKeys={paramKeys} metricKeys={allMetricKeys} chosen={chart.axes} onChange={(axes) => replace(chart.id, { ...chart, axes })} />}>
            <LazyParallelCoordinates title={title} runs={all} axes={chart.axes} brush={brush} onBrush={setBrush} />
          </ChartCard>
        );
    }
  };
  const model = visible.filter((c) => !isSystemChart(c));
  const system = visible.filter(isSystemChart);
  // Kept hidden runs that are not charted now change nothing, and are not counted.
  const hiddenHere = runs.flatMap((r) => (hidden.has(r.info.run_id) ? [r.info.run_id] : []));
  const matching = allMetricKeys.filter((k) => k.toLowerCase().includes(filter.toLowerCase())).slice(0, 200);
  return (
    <div class="charts">
      <ChartControls axis={panel.axis} setAxis={(axis) => setPanel({ ...panel, axis })} log={panel.log} setLog={(log) => setPanel({ ...panel, log })} smoothing={panel.smoothing} setSmoothing={(smoothing) => setPanel({ ...panel, smoothing })} />
      <div class="toolbar layout-tools">
        <details class="metric-picker">
          <summary>
            Metrics: {visible.filter((c) => c.type === "line").length} of {metricKeys.length} shown
          </summary>
          <input type="search" placeholder="Filter metrics" aria-label="Filter metrics" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
          <div class="checklist">
            {matching.map((k) => (
              <label key={k}>
                <input type="checkbox" checked={lines.has(k)} onChange={(e) => setLine(k, (e.target as HTMLInputElement).checked)} /> {k}
              </label>
            ))}
            {allMetricKeys.length > matching.length && <p class="muted">{allMetricKeys.length - matching.length} more: refine the filter</p>}
          </div>
        </details>
        <button type="button" onClick={() => setAdding(true)}>
          Add chart
        </button>
        {layout.arranged && (
          <button type="button" onClick={layout.reset} title="Back to a chart per metric">
            Reset layout
          </button>
        )}
        {hiddenHere.length > 0 && (
          <button type="button" onClick={() => show(hiddenHere)}>
            Show {hiddenHere.length} hidden {hiddenHere.length === 1 ? "run" : "runs"}
          </button>
        )}
        <span class="muted">
          {runs.length} runs{runs.length < props.runs.length ? ` (${props.runs.length - runs.length} outside the brush)` : ""}; hover for values, drag to zoom, double-click to reset; a legend entry hides its run.
        </span>
      </div>
      {system.length > 0 && <h3 class="chart-section">Model metrics</h3>}
      <div class="chart-grid">{model.map((c, i) => render(c, i, model))}</div>
      {system.length > 0 && (
        <section class="system-metrics" aria-labelledby="system-metrics-heading">
          <h3 class="chart-section" id="system-metrics-heading">
            System metrics
          </h3>
          <div class="chart-grid">{system.map((c, i) => render(c, i, system))}</div>
        </section>
      )}
      {adding && (
        <AddChartDialog
          metricKeys={allMetricKeys}
          paramKeys={paramKeys}
          defaultAxes={defaultParallelAxes(all, paramKeys, modelMetricKeys)}
          onAdd={(chart) => layout.update([...layout.charts, chart])}
          onClose={() => setAdding(false)}
        />
      )}
    </div>
  );
}
