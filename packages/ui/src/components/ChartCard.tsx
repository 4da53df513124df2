import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

/**
 * A chart of an arranged panel with its own buttons: settings (when the chart has any), move
 * earlier and later, remove. The settings open in a panel under the chart, which stays in view
 * while they change it (Escape or Done closes it).
 *
 * @example
 * <ChartCard title="loss" onMove={move} onRemove={remove} settings={() => <LineSettings … />}><MetricPanel … /></ChartCard>
 */
export function ChartCard(props: {
  title: string;
  first: boolean;
  last: boolean;
  onMove: (direction: -1 | 1) => void;
  onRemove: () => void;
  settings?: () => ComponentChildren;
  /** The chart keeps settings of its own (marked on its settings button). */
  customised?: boolean;
  class?: string;
  children: ComponentChildren;
}) {
  const [open, setOpen] = useState(false);
  return (
    <div class={`chart-cell${props.class ? ` ${props.class}` : ""}`}>
      <div class="chart-actions">
        {props.settings && (
          <button type="button" class={props.customised ? "customised" : undefined} aria-expanded={open} aria-label={`Chart settings: ${props.title}`} title={props.customised ? "Settings (its own)" : "Settings"} onClick={() => setOpen(!open)}>
            ⚙
          </button>
        )}
        <button type="button" aria-label={`Move chart earlier: ${props.title}`} title="Move earlier" disabled={props.first} onClick={() => props.onMove(-1)}>
          ←
        </button>
        <button type="button" aria-label={`Move chart later: ${props.title}`} title="Move later" disabled={props.last} onClick={() => props.onMove(1)}>
          →
        </button>
        <button type="button" aria-label={`Remove chart: ${props.title}`} title="Remove" onClick={props.onRemove}>
          ×
        </button>
      </div>
      {props.children}
      {open && props.settings && (
        <div
          class="chart-settings"
          role="group"
          aria-label={`Settings of ${props.title}`}
          onKeyDown={(e) => {
            if (e.key === "Escape") setOpen(false);
          }}
        >
          {props.settings()}
          <div class="actions">
            <button type="button" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
