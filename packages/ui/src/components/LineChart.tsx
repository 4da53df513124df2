import { useLayoutEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { alignSeries, type RunSeries, type XAxis } from "../lib/series.js";
import { formatValue } from "../lib/format.js";

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
          .map((s, i) => ({ s, v: u.data[i + 1]![idx] }))
          .filter((r) => r.v !== null && r.v !== undefined)
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
 * One metric of several runs over step, wall time or relative time (uPlot: canvas, made for large
 * series), with a log scale, smoothing and values on hover.
 */
export function LineChart(props: { title: string; series: readonly RunSeries[]; axis: XAxis; logScale: boolean; smoothing: number; height?: number; onRendered?: () => void }) {
  const host = useRef<HTMLDivElement>(null);
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
      plot = new UPlot(
        {
          width,
          height: props.height ?? 240,
          legend: { show: false },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: props.axis === "time" }, y: { distr: props.logScale ? 3 : 1 } },
          axes: [{ label: props.axis === "step" ? "step" : props.axis === "time" ? "time" : "seconds" }, { size: 60 }],
          series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: false } }))],
          plugins: [tooltipPlugin(props.series, props.axis)],
        },
        data as uPlot.AlignedData,
        host.current,
      );
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
    };
  }, [props.series, props.axis, props.logScale, props.smoothing]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} class="chart-canvas" role="img" aria-label={`Chart of ${props.title} for ${props.series.length} runs`} />
    </figure>
  );
}
