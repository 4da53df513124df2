/** A run as a chart's legend shows it. */
export interface LegendEntry {
  readonly runId: string;
  readonly label: string;
  readonly color: string;
}

/**
 * The legend of a multi-run chart: one button per run, in its colour, that hides and shows the
 * run (pressed = shown). Nothing for a single run: its chart's title says whose it is.
 *
 * @example
 * <ChartLegend title="loss" entries={series} hidden={hidden} onToggle={toggle} />
 */
export function ChartLegend(props: { title: string; entries: readonly LegendEntry[]; hidden: ReadonlySet<string>; onToggle: (runId: string) => void }) {
  if (props.entries.length < 2) return null;
  return (
    <ul class="chart-legend" aria-label={`Runs in ${props.title}`}>
      {props.entries.map((s) => (
        <li key={s.runId}>
          <button type="button" class="legend-item" aria-pressed={!props.hidden.has(s.runId)} title={props.hidden.has(s.runId) ? `Show ${s.label}` : `Hide ${s.label}`} onClick={() => props.onToggle(s.runId)}>
            <span class="swatch" style={{ background: s.color }} />
            {s.label}
          </button>
        </li>
      ))}
    </ul>
  );
}
