import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatValue } from "../lib/format.js";
import { ChartLegend } from "./ChartLegend.js";

/** A bar: a run's latest value of a metric. */
export interface Bar {
  readonly runId: string;
  readonly label: string;
  /** The run's colour ({@link runColor}), as in every other chart. */
  readonly color: string;
  readonly value: number;
}

const ROW = 24;
const LABEL = 140;
const VALUE = 70;

/**
 * The latest value of one metric per run as horizontal bars (SVG: a hundred bars are a hundred
 * elements, no library needed), one per run in its colour, from zero — negative values to its left.
 * Runs hidden through the legend leave their row empty.
 *
 * @example
 * <BarChart title="accuracy (latest)" bars={bars} hidden={hidden} onToggle={toggle} />
 */
export function BarChart(props: { title: string; bars: readonly Bar[]; hidden: ReadonlySet<string>; onToggle: (runId: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(420);
  useLayoutEffect(() => {
    const el = host.current;
    if (!el) return;
    setWidth(Math.max(280, el.clientWidth));
    const observer = new ResizeObserver(() => setWidth(Math.max(280, el.clientWidth)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const shown = props.bars.filter((b) => !props.hidden.has(b.runId) && Number.isFinite(b.value));
  const lo = Math.min(0, ...shown.map((b) => b.value));
  const hi = Math.max(0, ...shown.map((b) => b.value));
  const plot = width - LABEL - VALUE;
  const x = (v: number) => LABEL + (hi === lo ? 0 : ((v - lo) / (hi - lo)) * plot);
  const height = props.bars.length * ROW + 8;
  return (
    <figure class="chart bar-chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} class="chart-canvas">
        <svg width={width} height={height} role="img" aria-label={`Bar chart of ${props.title} for ${props.bars.length} runs`}>
          <line class="zero" x1={x(0)} x2={x(0)} y1={0} y2={height} />
          {props.bars.map((b, i) => {
            const y = i * ROW + 4;
            const visible = !props.hidden.has(b.runId);
            const finite = Number.isFinite(b.value);
            const x0 = x(Math.min(0, b.value));
            const w = finite ? Math.max(1, Math.abs(x(b.value) - x(0))) : 0;
            return (
              <g key={b.runId} class={visible ? "bar-row" : "bar-row hidden"}>
                <text class="bar-label" x={LABEL - 6} y={y + ROW / 2} text-anchor="end" dominant-baseline="middle">
                  {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
                </text>
                {visible && finite && (
                  <rect class="bar" data-run={b.runId} x={x0} y={y + 3} width={w} height={ROW - 8} rx={2} fill={b.color}>
                    <title>{`${b.label}: ${formatValue(b.value)}`}</title>
                  </rect>
                )}
                {visible && (
                  <text class="bar-value" x={finite ? Math.max(x(b.value), x(0)) + 4 : LABEL + 4} y={y + ROW / 2} dominant-baseline="middle">
                    {formatValue(b.value)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <ChartLegend title={props.title} entries={props.bars} hidden={props.hidden} onToggle={props.onToggle} />
    </figure>
  );
}
