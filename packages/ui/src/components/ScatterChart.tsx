import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { loadUplot } from "./LineChart.js";
import { chartTheme, useThemeName } from "../lib/theme.js";

/** A point of a scatter: a run, its x (number or category) and y. */
export interface ScatterPoint {
  readonly label: string;
  readonly x: number | string;
  readonly y: number;
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
          scales: { x: { time: false, ...(numeric ? {} : { range: [-0.5, categories.length - 0.5] as uPlot.Range.MinMax }) } },
          axes: [
            { label: props.xLabel, stroke: theme.text, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid }, ...(numeric ? {} : { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? categories[t] ?? "" : "")) }) },
            { label: props.yLabel, size: 60, stroke: theme.text, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
          ],
          series: [{}, { label: props.yLabel, stroke: "#1f77b4", paths: () => null, points: { show: true, size: 7, fill: "#1f77b4" } }],
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
