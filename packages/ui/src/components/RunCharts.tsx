import { useEffect, useLayoutEffect, useMemo, useState } from "preact/hooks";
import type { Metric, Run } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { indexOf } from "../lib/columns.js";
import { toNumber } from "../lib/format.js";
import type { RunSeries, XAxis } from "../lib/series.js";
import { runColor } from "../lib/run-color.js";
import { LineChart } from "./LineChart.js";
import { ScatterChart, type ScatterPoint } from "./ScatterChart.js";

// Points per run and chart: about a chart's width in pixels, as MLflow's UI asks for.
const POINTS_PER_RUN = 320;
// get-history-bulk-interval takes up to 100 runs per request.
const RUNS_PER_REQUEST = 100;

/** Every run's history of one metric, sampled for charting. */
export async function loadSeries(runs: readonly Run[], key: string, signal?: AbortSignal): Promise<RunSeries[]> {
  const byRun = new Map<string, Metric[]>();
  for (let i = 0; i < runs.length; i += RUNS_PER_REQUEST) {
    const ids = runs.slice(i, i + RUNS_PER_REQUEST).map((r) => r.info.run_id);
    const { metrics } = await get<{ metrics?: Metric[] }>("metrics/get-history-bulk-interval", { run_ids: ids, metric_key: key, max_results: POINTS_PER_RUN }, signal);
    for (const m of metrics ?? []) (byRun.get(m.run_id!) ?? byRun.set(m.run_id!, []).get(m.run_id!)!).push(m);
  }
  // Runs without this metric stay out of its chart (and its legend).
  return runs.filter((run) => byRun.has(run.info.run_id)).map((run) => {
    const points = byRun.get(run.info.run_id)!;
    return {
      runId: run.info.run_id,
      label: run.info.run_name || run.info.run_id,
      color: runColor(run.info.run_id),
      steps: points.map((p) => p.step),
      timestamps: points.map((p) => p.timestamp),
      values: points.map((p) => toNumber(p.value)),
    };
  });
}

/** Chart settings shared by every chart of a panel. */
export function ChartControls(props: { axis: XAxis; setAxis: (a: XAxis) => void; log: boolean; setLog: (b: boolean) => void; smoothing: number; setSmoothing: (n: number) => void }) {
  return (
    <div class="toolbar chart-controls">
      <label>
        X axis{" "}
        <select value={props.axis} onChange={(e) => props.setAxis((e.target as HTMLSelectElement).value as XAxis)}>
          <option value="step">Step</option>
          <option value="time">Time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={props.log} onChange={(e) => props.setLog((e.target as HTMLInputElement).checked)} /> Log scale
      </label>
      <label>
        Smoothing{" "}
        <input type="range" min={0} max={0.99} step={0.01} value={props.smoothing} onInput={(e) => props.setSmoothing(Number((e.target as HTMLInputElement).value))} aria-valuetext={props.smoothing.toFixed(2)} />{" "}
        {props.smoothing.toFixed(2)}
      </label>
    </div>
  );
}

/**
 * Lets the charts of one panel appear together: each chart's data, as it arrives, waits until every
 * chart's has (or `maxWaitMs` passed), then all are drawn in one render and one frame; later ones
 * are drawn as they come. Drawn one by one, twenty charts cost twenty layouts and frames, each
 * compositing every canvas already there — the browser's work grows with the square of the count.
 */
class RenderGate {
  private waiting: (() => void)[] = [];
  private arrived = 0;
  private open = false;
  private closed = false;
  private readonly timer: number;

  constructor(
    private readonly total: number,
    maxWaitMs: number,
  ) {
    this.timer = window.setTimeout(() => this.release(), maxWaitMs);
  }

  /** Runs `draw` now if the gate is open, else when it opens; never once the gate is closed. */
  pass(draw: () => void): void {
    if (this.closed) return;
    if (this.open) return draw();
    this.waiting.push(draw);
    this.arrived += 1;
    if (this.arrived >= this.total) this.release();
  }

  /** Stops waiting and drops what arrives late (the runs changed, or the panel went away). */
  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    this.waiting = [];
  }

  private release(): void {
    window.clearTimeout(this.timer);
    this.open = true;
    const draws = this.waiting;
    this.waiting = [];
    for (const draw of draws) draw();
  }
}

// How long charts whose data is in wait for the others before they are drawn anyway.
const GATE_MAX_WAIT_MS = 400;

function MetricPanel(props: { runs: readonly Run[]; runIds: string; metric: string; axis: XAxis; log: boolean; smoothing: number; gate: RenderGate }) {
  const [series, setSeries] = useState<RunSeries[]>();
  const [error, setError] = useState<string>();
  // Asked for in the task that renders the panel, not after the next paint.
  useLayoutEffect(() => {
    const controller = new AbortController();
    setSeries(undefined);
    loadSeries(props.runs, props.metric, controller.signal).then(
      (loaded) => props.gate.pass(() => setSeries(loaded)),
      (e: Error) => e.name !== "AbortError" && props.gate.pass(() => setError(e.message)),
    );
    return () => controller.abort();
  }, [props.runIds, props.metric]);
  if (error) return <p class="error">{props.metric}: {error}</p>;
  if (!series) return <div class="chart loading">Loading {props.metric}…</div>;
  return <LineChart title={props.metric} series={series} axis={props.axis} logScale={props.log} smoothing={props.smoothing} />;
}

/**
 * Charts for a set of runs: the histories of the chosen metrics (many at once), and a scatter of a
 * param or metric against a metric.
 */
export function RunCharts(props: { runs: readonly Run[]; allRuns?: readonly Run[] }) {
  const metricKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const r of props.runs) for (const m of r.data.metrics ?? []) keys.add(m.key);
    return [...keys].sort();
  }, [props.runs]);
  const paramKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const r of props.allRuns ?? props.runs) for (const p of r.data.params ?? []) keys.add(p.key);
    return [...keys].sort();
  }, [props.allRuns, props.runs]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [axis, setAxis] = useState<XAxis>("step");
  const [log, setLog] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [filter, setFilter] = useState("");
  const [scatterX, setScatterX] = useState<string>("");
  const [scatterY, setScatterY] = useState<string>("");
  const shown = chosen.length ? chosen.filter((k) => metricKeys.includes(k)) : metricKeys.slice(0, 20);
  // The runs, as one string: what the panels reload on. A new set of runs gets a new gate, as its
  // charts load afresh. (A metric added to the panel later finds the gate open and is drawn as soon
  // as its data is in.)
  const runIds = props.runs.map((r) => r.info.run_id).join(",");
  const gate = useMemo(() => new RenderGate(shown.length, GATE_MAX_WAIT_MS), [runIds]);
  useEffect(() => () => gate.close(), [gate]);
  // By default the first param whose value differs between runs: the one a scatter can explain.
  const varying = useMemo(() => paramKeys.find((k) => new Set((props.allRuns ?? props.runs).map((r) => indexOf(r).params.get(k))).size > 1) ?? paramKeys[0], [paramKeys, props.allRuns, props.runs]);
  const xChoice = scatterX || (varying ? `param:${varying}` : metricKeys[0] ? `metric:${metricKeys[0]}` : "");
  const yChoice = scatterY || metricKeys[0] || "";
  const points = useMemo<ScatterPoint[]>(() => {
    if (!xChoice || !yChoice) return [];
    const [kind, ...rest] = xChoice.split(":");
    const key = rest.join(":");
    const out: ScatterPoint[] = [];
    for (const run of props.allRuns ?? props.runs) {
      const index = indexOf(run);
      const y = index.metrics.get(yChoice);
      const x = kind === "param" ? index.params.get(key) : index.metrics.get(key);
      if (x === undefined || y === undefined) continue;
      const yn = toNumber(y);
      if (!Number.isFinite(yn)) continue;
      out.push({ label: run.info.run_name, color: runColor(run.info.run_id), x: typeof x === "number" ? x : kind === "metric" ? toNumber(x) : x, y: yn });
    }
    return out;
  }, [props.allRuns, props.runs, xChoice, yChoice]);
  if (props.runs.length === 0) return <p class="muted">Select runs in the table to chart them.</p>;
  const matching = metricKeys.filter((k) => k.toLowerCase().includes(filter.toLowerCase())).slice(0, 200);
  return (
    <div class="charts">
      <ChartControls axis={axis} setAxis={setAxis} log={log} setLog={setLog} smoothing={smoothing} setSmoothing={setSmoothing} />
      <details class="metric-picker">
        <summary>
          Metrics: {shown.length} of {metricKeys.length} shown
        </summary>
        <input type="search" placeholder="Filter metrics" aria-label="Filter metrics" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <div class="checklist">
          {matching.map((k) => (
            <label key={k}>
              <input type="checkbox" checked={shown.includes(k)} onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? [...shown, k] : shown.filter((x) => x !== k))} /> {k}
            </label>
          ))}
          {metricKeys.length > matching.length && <p class="muted">{metricKeys.length - matching.length} more: refine the filter</p>}
        </div>
      </details>
      <p class="muted">
        {props.runs.length} runs; hover a chart for values, drag to zoom, double-click to reset.
      </p>
      <div class="chart-grid">
        {shown.map((k) => (
          <MetricPanel key={k} runs={props.runs} runIds={runIds} metric={k} axis={axis} log={log} smoothing={smoothing} gate={gate} />
        ))}
      </div>
      {metricKeys.length > 0 && (
        <section class="scatter">
          <h3>Scatter</h3>
          <div class="toolbar">
            <label>
              X{" "}
              <select value={xChoice} onChange={(e) => setScatterX((e.target as HTMLSelectElement).value)}>
                {paramKeys.map((k) => (
                  <option key={`p${k}`} value={`param:${k}`}>
                    param {k}
                  </option>
                ))}
                {metricKeys.slice(0, 500).map((k) => (
                  <option key={`m${k}`} value={`metric:${k}`}>
                    metric {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Y{" "}
              <select value={yChoice} onChange={(e) => setScatterY((e.target as HTMLSelectElement).value)}>
                {metricKeys.slice(0, 500).map((k) => (
                  <option key={k} value={k}>
                    metric {k}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ScatterChart title={`${yChoice} against ${xChoice.replace(":", " ")}`} xLabel={xChoice.replace(":", " ")} yLabel={yChoice} points={points} />
        </section>
      )}
    </div>
  );
}
