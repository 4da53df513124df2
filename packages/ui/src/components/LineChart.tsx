import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { ChartLegend } from "./ChartLegend.js";
import type uPlot from "uplot";
import { alignSeries, type RunSeries, type XAxis } from "../lib/series.js";
import { formatValue } from "../lib/format.js";
import { chartTheme, useThemeName } from "../lib/theme.js";

let uplotModule: Promise<typeof uPlot> | undefined;
/** uPlot's constructor and its stylesheet, loaded with the first chart (not with the UI's first page). */
export function loadUplot(): Promise<typeof uPlot> {
  // uPlot's types describe a CommonJS export; the bundle hands its ES default export.
  uplotModule ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => ((m as { default?: typeof uPlot }).default ?? m) as typeof uPlot);
  return uplotModule;
}

function tooltipPlugin(series: readonly RunSeries[], axis: XAxis): uPlot.Plugin {
  let tip: HTMLDivElement;
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement("div");
        tip.className = "chart-tip";
        tip.setAttribute("role", "status");
        u.over.appendChild(tip);
      },
      setCursor: (u) => {
        const idx = u.cursor.idx;
        if (idx === null || idx === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
          tip.style.display = "none";
          return;
        }
        const x = u.data[0]![idx]!;
        const rows = series
          .map((s, i) => ({ s, v: u.data[i + 1]![idx], shown: u.series[i + 1]!.show !== false }))
          .filter((r) => r.shown && r.v !== null && r.v !== undefined)
          .sort((a, b) => (b.v as number) - (a.v as number))
          .slice(0, 12);
        const xLabel = axis === "step" ? `step ${x}` : axis === "time" ? new Date(x * 1000).toLocaleString() : `${x.toFixed(1)} s`;
        tip.replaceChildren();
        const head = document.createElement("div");
        head.className = "tip-head";
        head.textContent = xLabel;
        tip.appendChild(head);
        for (const r of rows) {
          const line = document.createElement("div");
          const dot = document.createElement("span");
          dot.className = "dot";
          dot.style.background = r.s.color;
          line.append(dot, `${r.s.label}: ${formatValue(r.v as number)}`);
          tip.appendChild(line);
        }
        tip.style.display = rows.length ? "block" : "none";
        const left = u.cursor.left + 12;
        tip.style.left = `${left > u.over.clientWidth - 220 ? u.cursor.left - 230 : left}px`;
        tip.style.top = `${(u.cursor.top ?? 0) + 8}px`;
      },
    },
  };
}

/**
 * The x range of a chart whose points all share one x (a metric logged once): a step either side,
 * or a minute for time axes, so the point sits in the middle instead of on an empty 0–100 axis.
 */
function xRange(axis: XAxis) {
  // uPlot widens a single x before it asks (to a day, on a time axis, with the point at its left
  // edge), so the data decides, not the `min` and `max` handed in.
  return (u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
    const xs = u.data[0];
    if (xs.length !== 1) return [min, max];
    const pad = axis === "step" ? 1 : 60;
    return [xs[0]! - pad, xs[0]! + pad];
  };
}

/** The y range when every value is the same: 10 % of it either side (1 around 0). */
function yRange(log: boolean) {
  return (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
    if (min !== max) return log ? [min, max] : [min - (max - min) * 0.05, max + (max - min) * 0.05];
    const pad = Math.abs(min) * 0.1 || 1;
    return log ? [min / 2, max * 2] : [min - pad, max + pad];
  };
}

/** How many of a column's cells hold a value. */
function countValues(column: readonly (number | null)[]): number {
  let n = 0;
  for (const v of column) if (v !== null) n += 1;
  return n;
}

// Steps are whole numbers: their axis never ticks at 4.5.
const STEP_INCREMENTS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3));

// A series with at most this many points is drawn with markers: one or two points make no line.
const MARKERS_UP_TO = 2;

/**
 * One metric of several runs over step, wall time or relative time (uPlot: canvas, made for large
 * series), with a log scale, smoothing and values on hover. A run with a single point is drawn as
 * a marker; several runs get a legend whose entries hide and show their run's line. The hidden runs
 * are the chart's own, or — given `hidden` and `onToggle` — shared with the other charts of a panel.
 */
export function LineChart(props: {
  title: string;
  series: readonly RunSeries[];
  axis: XAxis;
  logScale: boolean;
  smoothing: number;
  height?: number;
  onRendered?: () => void;
  hidden?: ReadonlySet<string>;
  onToggle?: (runId: string) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot>();
  const [ownHidden, setOwnHidden] = useState<ReadonlySet<string>>(() => new Set());
  // Run IDs whose lines are hidden; kept across redraws (axis, log, smoothing).
  const hidden = props.hidden ?? ownHidden;
  const hiddenRef = useRef(hidden);
  hiddenRef.current = hidden;
  const themeName = useThemeName();
  // A layout effect: the chart is drawn in the task its data arrived in, not a frame and a timer
  // later (Preact runs plain effects after the next paint) — twenty charts arriving one by one
  // would otherwise each wait for a frame.
  useLayoutEffect(() => {
    let plot: uPlot | undefined;
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    void loadUplot().then((UPlot) => {
      if (cancelled || !host.current) return;
      const data = alignSeries(props.series, props.axis, props.smoothing);
      const width = Math.max(280, host.current.clientWidth);
      const theme = chartTheme();
      plot = new UPlot(
        {
          width,
          height: props.height ?? 240,
          legend: { show: false },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: props.axis === "time", range: xRange(props.axis) }, y: { distr: props.logScale ? 3 : 1, range: yRange(props.logScale) } },
          axes: [
            { label: props.axis === "step" ? "step" : props.axis === "time" ? "time" : "seconds", ...(props.axis === "step" ? { incrs: STEP_INCREMENTS } : {}), stroke: theme.text, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
            { size: 60, stroke: theme.text, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
          ],
          series: [
            {},
            ...props.series.map((s, i) => {
              const few = countValues(data[i + 1]!) <= MARKERS_UP_TO;
              return { label: s.label, stroke: s.color, width: 1.5, spanGaps: true, show: !hiddenRef.current.has(s.runId), points: few ? { show: true, size: 8, fill: s.color, stroke: s.color } : { show: false } };
            }),
          ],
          plugins: [tooltipPlugin(props.series, props.axis)],
        },
        data as uPlot.AlignedData,
        host.current,
      );
      plotRef.current = plot;
      // Only a real change of width redraws: the observer also reports the size it starts with.
      observer = new ResizeObserver(() => {
        const next = host.current ? Math.max(280, host.current.clientWidth) : width;
        if (plot && next !== plot.width) plot.setSize({ width: next, height: props.height ?? 240 });
      });
      observer.observe(host.current);
      props.onRendered?.();
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
      plotRef.current = undefined;
    };
  }, [props.series, props.axis, props.logScale, props.smoothing, themeName]);
  // Hidden and shown on the drawn chart: no rebuild, no refetch.
  useLayoutEffect(() => {
    const plot = plotRef.current;
    if (!plot) return;
    props.series.forEach((s, i) => {
      const show = !hidden.has(s.runId);
      if (plot.series[i + 1]?.show !== show) plot.setSeries(i + 1, { show });
    });
  }, [hidden]);
  const toggle = (runId: string) => {
    if (props.onToggle) return props.onToggle(runId);
    const next = new Set(ownHidden);
    if (next.has(runId)) next.delete(runId);
    else next.add(runId);
    setOwnHidden(next);
  };
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} class="chart-canvas" role="img" aria-label={`Chart of ${props.title} for ${props.series.length} runs`} />
      <ChartLegend title={props.title} entries={props.series} hidden={hidden} onToggle={toggle} />
    </figure>
  );
}
