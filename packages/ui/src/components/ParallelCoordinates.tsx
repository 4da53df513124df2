import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { inBrush, withAxisBrush, type Brush } from "../lib/brush.js";
import { formatValue } from "../lib/format.js";
import { parallelAxes, type ParallelAxis } from "../lib/parallel-axes.js";
import { fieldValue } from "../lib/run-field.js";
import { runColor } from "../lib/run-color.js";
import { chartTheme, useThemeName } from "../lib/theme.js";

/** What {@link ParallelCoordinates} draws and whom it tells about a brush. */
export interface ParallelCoordinatesProps {
  readonly title: string;
  /** Every run to draw; those outside the brush are drawn grey, behind the others. */
  readonly runs: readonly Run[];
  /** Field IDs (`param:<key>`, `metric:<key>`), left to right. */
  readonly axes: readonly string[];
  readonly brush: Brush;
  onBrush(brush: Brush): void;
}

const HEIGHT = 340;
const TOP = 48;
const BOTTOM = 22;
const SIDE = 60;
// A drag shorter than this (pixels) is a click: it clears the axis's brush.
const CLICK = 4;
// A line nearer the pointer than this (pixels) is named on hover.
const NEAR = 8;

interface Drag {
  readonly axis: number;
  readonly from: number;
  readonly to: number;
}

function xsOf(count: number, width: number): number[] {
  if (count === 1) return [width / 2];
  return Array.from({ length: count }, (_, i) => SIDE + (i * (width - 2 * SIDE)) / (count - 1));
}

const yOf = (p: number) => TOP + (1 - p) * (HEIGHT - TOP - BOTTOM);

/** Tick labels of an axis, bottom to top, with their positions. */
function ticksOf(axis: ParallelAxis): { p: number; text: string }[] {
  if (axis.kind === "category") {
    const every = Math.ceil(axis.categories.length / 12);
    return axis.categories.filter((_, i) => i % every === 0).map((c) => ({ p: axis.position(c), text: c.length > 12 ? `${c.slice(0, 11)}…` : c }));
  }
  if (axis.min === axis.max) return [{ p: 0.5, text: formatValue(axis.min) }];
  return [0, 0.25, 0.5, 0.75, 1].map((p) => ({ p, text: formatValue(Number((axis.min + p * (axis.max - axis.min)).toPrecision(4))) }));
}

/**
 * Parallel coordinates over runs: one vertical axis per param or metric, one line per run in its
 * colour, on a canvas (a thousand runs over ten axes are ten thousand segments: a few milliseconds);
 * axes, labels and brushes in SVG over it. Dragging along an axis brushes it: the runs outside every
 * brush turn grey here and leave the runs table and the other charts (`onBrush`); a click on an
 * axis, or Escape on it, clears its brush. Hovering a line names its run and values.
 *
 * Loaded on first use (dynamic import), not with the UI's first page.
 *
 * @example
 * <ParallelCoordinates title="Parallel coordinates" runs={rows} axes={["param:lr", "metric:acc"]} brush={brush} onBrush={setBrush} />
 */
export function ParallelCoordinates(props: ParallelCoordinatesProps) {
  const host = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const figure = useRef<HTMLElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [drag, setDrag] = useState<Drag>();
  const themeName = useThemeName();
  const axes = useMemo(() => parallelAxes(props.runs, props.axes), [props.runs, props.axes.join("\n")]);
  // Every run's position on every axis, row by row (NaN: no value there).
  const positions = useMemo(() => {
    const out = new Float32Array(props.runs.length * axes.length);
    props.runs.forEach((run, r) => axes.forEach((axis, a) => (out[r * axes.length + a] = axis.position(fieldValue(run, axis.id)))));
    return out;
  }, [props.runs, axes]);
  const brush = useMemo(() => {
    if (!drag) return props.brush;
    const axis = axes[drag.axis]!;
    return withAxisBrush(props.brush, axis.id, axis.brushOf(Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)));
  }, [props.brush, drag, axes]);
  const inside = useMemo(() => props.runs.map((run) => inBrush(run, brush)), [props.runs, brush]);
  const insideCount = inside.filter(Boolean).length;
  const xs = xsOf(axes.length, width);

  useLayoutEffect(() => {
    const el = host.current;
    if (!el) return;
    setWidth(Math.max(360, el.clientWidth));
    const observer = new ResizeObserver(() => setWidth(Math.max(360, el.clientWidth)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(width * ratio);
    c.height = Math.round(HEIGHT * ratio);
    c.style.width = `${width}px`;
    c.style.height = `${HEIGHT}px`;
    const ctx = c.getContext("2d")!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const n = axes.length;
    const trace = (r: number) => {
      let open = false;
      for (let a = 0; a < n; a += 1) {
        const p = positions[r * n + a]!;
        if (Number.isNaN(p)) {
          open = false;
          continue;
        }
        if (open) ctx.lineTo(xs[a]!, yOf(p));
        else ctx.moveTo(xs[a]!, yOf(p));
        open = true;
      }
    };
    // Outside the brush: one grey path, under the coloured lines.
    ctx.globalAlpha = 0.22;
    ctx.strokeStyle = chartTheme().text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let r = 0; r < props.runs.length; r += 1) if (!inside[r]) trace(r);
    ctx.stroke();
    ctx.globalAlpha = insideCount > 200 ? 0.55 : 0.9;
    ctx.lineWidth = 1.4;
    for (let r = 0; r < props.runs.length; r += 1) {
      if (!inside[r]) continue;
      ctx.strokeStyle = runColor(props.runs[r]!.info.run_id);
      ctx.beginPath();
      trace(r);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    if (figure.current) {
      figure.current.dataset.drawn = String(props.runs.length);
      figure.current.dataset.inside = String(insideCount);
    }
  }, [positions, inside, width, themeName]);

  /** The position (0 bottom, 1 top) of a pointer event, within the axes' height. */
  const positionOf = (e: PointerEvent): number => {
    const box = host.current!.getBoundingClientRect();
    const y = e.clientY - box.top;
    return Math.min(1, Math.max(0, 1 - (y - TOP) / (HEIGHT - TOP - BOTTOM)));
  };
  const finish = () => {
    if (!drag) return;
    const axis = axes[drag.axis]!;
    const low = Math.min(drag.from, drag.to);
    const high = Math.max(drag.from, drag.to);
    setDrag(undefined);
    props.onBrush(withAxisBrush(props.brush, axis.id, (high - low) * (HEIGHT - TOP - BOTTOM) < CLICK ? undefined : axis.brushOf(low, high)));
  };
  const hover = (e: MouseEvent) => {
    const t = tip.current;
    if (!t || drag) return;
    const box = host.current!.getBoundingClientRect();
    const mx = e.clientX - box.left;
    const my = e.clientY - box.top;
    const n = axes.length;
    let seg = xs.findIndex((x, i) => i < n - 1 && mx >= x && mx <= xs[i + 1]!);
    if (n === 1) seg = Math.abs(mx - xs[0]!) < NEAR ? 0 : -1;
    let best = -1;
    let bestDistance = NEAR;
    if (seg >= 0) {
      const f = n === 1 ? 0 : (mx - xs[seg]!) / (xs[seg + 1]! - xs[seg]!);
      for (let r = 0; r < props.runs.length; r += 1) {
        if (!inside[r]) continue;
        const p0 = positions[r * n + seg]!;
        const p1 = n === 1 ? p0 : positions[r * n + seg + 1]!;
        if (Number.isNaN(p0) || Number.isNaN(p1)) continue;
        const d = Math.abs(yOf(p0 + (p1 - p0) * f) - my);
        if (d < bestDistance) [best, bestDistance] = [r, d];
      }
    }
    if (best < 0) {
      t.style.display = "none";
      return;
    }
    const run = props.runs[best]!;
    t.replaceChildren();
    const head = document.createElement("div");
    head.className = "tip-head";
    head.textContent = run.info.run_name || run.info.run_id;
    t.appendChild(head);
    for (const axis of axes) {
      const line = document.createElement("div");
      const v = fieldValue(run, axis.id);
      line.textContent = `${axis.label}: ${v === undefined ? "—" : formatValue(v)}`;
      t.appendChild(line);
    }
    t.style.display = "block";
    t.style.left = `${mx > width - 260 ? mx - 250 : mx + 12}px`;
    t.style.top = `${my + 10}px`;
  };

  const brushedHere = axes.filter((a) => props.brush[a.id]);
  const spacing = axes.length > 1 ? (width - 2 * SIDE) / (axes.length - 1) : width;
  const fit = (text: string) => {
    const chars = Math.max(6, Math.floor(spacing / 7));
    return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
  };
  return (
    <figure ref={figure} class="chart parallel" data-axes={axes.length}>
      <figcaption>{props.title}</figcaption>
      {axes.length === 0 ? (
        <p class="muted">Choose params and metrics for the axes (⚙).</p>
      ) : (
        <div ref={host} class="chart-canvas pc-host" style={{ height: `${HEIGHT}px` }} onMouseMove={hover} onMouseLeave={() => tip.current && (tip.current.style.display = "none")}>
          <canvas ref={canvas} role="img" aria-label={`Parallel coordinates of ${props.runs.length} runs over ${axes.length} axes; ${insideCount} inside the brush`} />
          <svg class="pc-overlay" width={width} height={HEIGHT}>
            {axes.map((axis, i) => {
              const x = xs[i]!;
              const range = brush[axis.id];
              const span = range ? axis.spanOf(range) : undefined;
              const [kind, ...rest] = axis.label.split(" ");
              return (
                <g key={axis.id} class="pc-axis" data-field={axis.id}>
                  <text class={`pc-kind ${kind}`} x={x} y={14} text-anchor="middle">
                    {kind}
                  </text>
                  <text class="pc-title" x={x} y={30} text-anchor="middle">
                    <title>{axis.label}</title>
                    {fit(rest.join(" "))}
                  </text>
                  <line x1={x} x2={x} y1={TOP} y2={HEIGHT - BOTTOM} />
                  {ticksOf(axis).map((t) => (
                    <text key={t.text} class="pc-tick" x={x - 6} y={yOf(t.p)} text-anchor="end" dominant-baseline="middle">
                      {t.text}
                    </text>
                  ))}
                  {span && <rect class="pc-brush" x={x - 8} width={16} y={yOf(span[1])} height={Math.max(2, yOf(span[0]) - yOf(span[1]))} />}
                  <rect
                    class="pc-hit"
                    x={x - 14}
                    width={28}
                    y={TOP - 6}
                    height={HEIGHT - TOP - BOTTOM + 12}
                    tabindex={0}
                    role="slider"
                    aria-label={`Brush on ${axis.label}`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={span ? Math.round(((span[0] + span[1]) / 2) * 100) : 50}
                    aria-valuetext={range ? ("values" in range ? range.values.join(", ") : `${formatValue(range.min)} to ${formatValue(range.max)}`) : "not brushed"}
                    onPointerDown={(e) => {
                      (e.currentTarget as Element).setPointerCapture(e.pointerId);
                      const p = positionOf(e);
                      setDrag({ axis: i, from: p, to: p });
                    }}
                    onPointerMove={(e) => drag && drag.axis === i && setDrag({ ...drag, to: positionOf(e) })}
                    onPointerUp={finish}
                    onPointerCancel={() => setDrag(undefined)}
                    onKeyDown={(e) => {
                      if (e.key === "Escape" || e.key === "Delete" || e.key === "Backspace") props.onBrush(withAxisBrush(props.brush, axis.id, undefined));
                      // From the keyboard: a brush over the middle fifth, moved up and down a twentieth at a time.
                      if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
                      e.preventDefault();
                      const [low, high] = span ?? [0.4, 0.6];
                      const shift = span ? (e.key === "ArrowUp" ? 0.05 : -0.05) : 0;
                      const d = Math.min(1 - high, Math.max(-low, shift));
                      props.onBrush(withAxisBrush(props.brush, axis.id, axis.brushOf(low + d, high + d)));
                    }}
                  />
                </g>
              );
            })}
          </svg>
          <div ref={tip} class="chart-tip" role="status" />
        </div>
      )}
      <p class="pc-summary muted" aria-live="polite">
        {brushedHere.length ? `${insideCount} of ${props.runs.length} runs inside the brush` : `${props.runs.length} runs; drag along an axis to brush`}
        {brushedHere.length > 0 && (
          <>
            {" "}
            <button type="button" class="link" onClick={() => props.onBrush(brushedHere.reduce((b, a) => withAxisBrush(b, a.id, undefined), props.brush))}>
              Clear brush
            </button>
          </>
        )}
      </p>
    </figure>
  );
}
