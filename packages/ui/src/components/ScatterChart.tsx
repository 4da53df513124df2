import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { loadUplot } from "./LineChart.js";
import { chartTheme, useThemeName } from "../lib/theme.js";

/** A point of a scatter: a run, its x (number or category) and y. */
export interface ScatterPoint {
  readonly label: string;
  /** The run's colour ({@link runColor}), as in every other chart. */
  readonly color: string;
  readonly x: number | string;
  readonly y: number;
}

/** A scale's data range with 4 % either side: points at the extremes are drawn whole, not halved by the edge. */
function padded(_u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const pad = (max - min) * 0.04 || Math.abs(min) * 0.1 || 1;
  return [min - pad, max + pad];
}

/**
 * A param (or metric) against a metric over runs: points only; a non-numeric x is laid out as
 * categories.
 */
export function ScatterChart(props: { title: string; xLabel: string; yLabel: string; points: readonly ScatterPoint[] }) {
  const host = useRef<HTMLDivElement>(null);
  const themeName = useThemeName();
  useEffect(() => {
    let plot: uPlot | undefined;
    let cancelled = false;
    void loadUplot().then((UPlot) => {
      if (cancelled || !host.current) return;
      const numeric = props.points.every((p) => typeof p.x === "number" || (p.x !== "" && Number.isFinite(Number(p.x))));
      const categories = numeric ? [] : [...new Set(props.points.map((p) => String(p.x)))].sort();
      const xOf = (p: ScatterPoint) => (numeric ? Number(p.x) : categories.indexOf(String(p.x)));
      const theme = chartTheme();
      const sorted = [...props.points].sort((a, b) => xOf(a) - xOf(b));
      plot = new UPlot(
        {
          width: Math.max(280, host.current.clientWidth),
          height: 280,
          legend: { show: false },
          scales: { x: { time: false, range: numeric ? padded : ([-0.5, categories.length - 0.5] as uPlot.Range.MinMax) }, y: { range: padded } },
          axes: [
            { label: props.xLabel, stroke: theme.text, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid }, ...(numeric ? {} : { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? categories[t] ?? "" : "")) }) },
            { label: props.yLabel, size: 60, stroke: theme.text, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
          ],
          // uPlot fills a series' points in one colour: each run's point is drawn here in its own.
          series: [{}, { label: props.yLabel, stroke: "transparent", paths: () => null, points: { show: false } }],
          hooks: {
            draw: [
              (u: uPlot) => {
                const ctx = u.ctx;
                const radius = 3.5 * devicePixelRatio;
                ctx.save();
                ctx.beginPath();
                ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
                ctx.clip();
                for (const p of sorted) {
                  ctx.fillStyle = p.color;
                  ctx.beginPath();
                  ctx.arc(u.valToPos(xOf(p), "x", true), u.valToPos(p.y, "y", true), radius, 0, 2 * Math.PI);
                  ctx.fill();
                }
                ctx.restore();
              },
            ],
          },
        },
        [sorted.map(xOf), sorted.map((p) => p.y)] as uPlot.AlignedData,
        host.current,
      );
    });
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [props.points, props.xLabel, props.yLabel, themeName]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} class="chart-canvas" role="img" aria-label={`Scatter of ${props.yLabel} against ${props.xLabel} over ${props.points.length} runs`} />
    </figure>
  );
}
