import { useLayoutEffect, useState } from "preact/hooks";
import type { Metric, Run } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { toNumber } from "../lib/format.js";
import type { RunSeries, XAxis } from "../lib/series.js";
import { runColor } from "../lib/run-color.js";
import { LineChart } from "./LineChart.js";

// Points per run and chart: about a chart's width in pixels, as MLflow's UI asks for.
const POINTS_PER_RUN = 320;
// get-history-bulk-interval takes up to 100 runs per request.
const RUNS_PER_REQUEST = 100;

/**
 * Every run's history of one metric, sampled for charting (runs without it are left out).
 *
 * @example
 * const series = await loadSeries(runs, "loss", signal);
 */
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

/**
 * Lets the charts of one panel appear together: each chart's data, as it arrives, waits until every
 * chart's has (or `maxWaitMs` passed), then all are drawn in one render and one frame; later ones
 * are drawn as they come. Drawn one by one, twenty charts cost twenty layouts and frames, each
 * compositing every canvas already there — the browser's work grows with the square of the count.
 *
 * @example
 * const gate = new RenderGate(charts.length, GATE_MAX_WAIT_MS);
 * gate.pass(() => setSeries(loaded));
 */
export class RenderGate {
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

/**
 * How long charts whose data is in wait for the others before they are drawn anyway (ms).
 *
 * @example
 * new RenderGate(20, GATE_MAX_WAIT_MS);
 */
export const GATE_MAX_WAIT_MS = 400;

/**
 * One metric's line chart over a panel's runs: its histories loaded (sampled), then drawn when the
 * panel's gate lets it.
 *
 * @example
 * <MetricPanel runs={runs} runIds={ids} metric="loss" axis="step" log={false} smoothing={0} gate={gate} hidden={hidden} onToggle={toggle} />
 */
export function MetricPanel(props: { runs: readonly Run[]; runIds: string; metric: string; axis: XAxis; log: boolean; smoothing: number; gate: RenderGate; hidden: ReadonlySet<string>; onToggle: (runId: string) => void }) {
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
  return <LineChart title={props.metric} series={series} axis={props.axis} logScale={props.log} smoothing={props.smoothing} hidden={props.hidden} onToggle={props.onToggle} />;
}

