import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { barScale } from "../lib/bar-scale.js";
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
 * On a log scale (`log`) bars start at the decade below the smallest value, and a value ≤ 0, which
 * has no place there, is written "n/a on log scale" instead of a bar. Runs hidden through the legend
 * leave their row empty.
 *
 * @example
 * <BarChart title="accuracy (latest)" bars={bars} log={false} hidden={hidden} onToggle={toggle} />
 */
export function BarChart(props: { title: string; bars: readonly Bar[]; log: boolean; hidden: ReadonlySet<string>; onToggle: (runId: string) => void }) {
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
  const scale = barScale(props.bars.flatMap((b) => (props.hidden.has(b.runId) ? [] : [b.value])), props.log);
  const plot = width - LABEL - VALUE;
  const x = (at: number) => LABEL + at * plot;
  const height = props.bars.length * ROW + 8;
  return (
    <figure class="chart bar-chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} class="chart-canvas">
        <svg width={width} height={height} role="img" aria-label={`Bar chart of ${props.title} for ${props.bars.length} runs${props.log ? ", log scale" : ""}`}>
          <line class="zero" x1={x(scale.origin)} x2={x(scale.origin)} y1={0} y2={height} />
          {props.bars.map((b, i) => {
            const y = i * ROW + 4;
            const visible = !props.hidden.has(b.runId);
            const at = scale.position(b.value);
            // Only a log scale refuses a finite value: NaN and ±∞ are written as they are either way.
            const na = at === undefined && props.log && Number.isFinite(b.value);
            return (
              <g key={b.runId} class={visible ? "bar-row" : "bar-row hidden"}>
                {na && <title>{`${b.label}: ${formatValue(b.value)}`}</title>}
                <text class="bar-label" x={LABEL - 6} y={y + ROW / 2} text-anchor="end" dominant-baseline="middle">
                  {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
                </text>
                {visible && at !== undefined && (
                  <rect class="bar" data-run={b.runId} x={x(Math.min(at, scale.origin))} y={y + 3} width={Math.max(1, Math.abs(at - scale.origin) * plot)} height={ROW - 8} rx={2} fill={b.color}>
                    <title>{`${b.label}: ${formatValue(b.value)}`}</title>
                  </rect>
                )}
                {visible && (
                  <text class={na ? "bar-value na" : "bar-value"} x={x(Math.max(at ?? 0, scale.origin)) + 4} y={y + ROW / 2} dominant-baseline="middle">
                    {na ? "n/a on log scale" : formatValue(b.value)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      {props.log && (
        <p class="bar-scale muted">
          Log scale, {formatValue(scale.domain[0])} to {formatValue(scale.domain[1])}
        </p>
      )}
      <ChartLegend title={props.title} entries={props.bars} hidden={props.hidden} onToggle={props.onToggle} />
    </figure>
  );
}
