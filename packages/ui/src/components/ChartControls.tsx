import type { XAxis } from "../lib/series.js";

/**
 * A line chart's settings: x axis (step, wall time, relative time), log scale, smoothing — for every
 * chart of a panel, or (given `of`, which names the chart in the controls' labels) for one chart.
 *
 * @example
 * <ChartControls axis={axis} setAxis={setAxis} log={log} setLog={setLog} smoothing={s} setSmoothing={setS} />
 */
export function ChartControls(props: { axis: XAxis; setAxis: (a: XAxis) => void; log: boolean; setLog: (b: boolean) => void; smoothing: number; setSmoothing: (n: number) => void; of?: string }) {
  const of = props.of ? ` of ${props.of}` : "";
  return (
    <div class="toolbar chart-controls">
      <label>
        X axis{" "}
        <select aria-label={of ? `X axis${of}` : undefined} value={props.axis} onChange={(e) => props.setAxis((e.target as HTMLSelectElement).value as XAxis)}>
          <option value="step">Step</option>
          <option value="time">Time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        <input type="checkbox" aria-label={of ? `Log scale${of}` : undefined} checked={props.log} onChange={(e) => props.setLog((e.target as HTMLInputElement).checked)} /> Log scale
      </label>
      <label>
        Smoothing{" "}
        <input
          type="range"
          aria-label={of ? `Smoothing${of}` : undefined}
          min={0}
          max={0.99}
          step={0.01}
          value={props.smoothing}
          onInput={(e) => props.setSmoothing(Number((e.target as HTMLInputElement).value))}
          aria-valuetext={props.smoothing.toFixed(2)}
        />{" "}
        {props.smoothing.toFixed(2)}
      </label>
    </div>
  );
}
