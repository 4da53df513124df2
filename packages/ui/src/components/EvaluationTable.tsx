import { useRef } from "preact/hooks";
import type { Run } from "@mlflow-ts/protocol";
import { artifactUrl } from "../lib/api.js";
import { highlightParts } from "../lib/evaluation-filter.js";
import { evaluationCellText, type EvaluationRow } from "../lib/evaluation-rows.js";
import { isImageCell } from "../lib/log-table.js";
import { runColor } from "../lib/run-color.js";
import { link } from "../lib/router.js";
import { useVirtualizer } from "../lib/use-virtualizer.js";

// Fixed row height (the virtualiser's): four lines of text, or a thumbnail.
const ROW = 96;
const GROUP_WIDTH = 220;
const RUN_WIDTH = 340;
// A cell draws at most this much text (it shows four lines); the whole value opens on a click.
const MAX_TEXT = 512;

/** What a click on a cell opens: a title and the cell's whole value. */
export interface OpenedCell {
  readonly title: string;
  readonly value: unknown;
}

function Cell(props: { run: Run; value: unknown; title: string; onOpen: (cell: OpenedCell) => void }) {
  const v = props.value;
  if (v === undefined || v === null || v === "") return <span class="muted">(empty)</span>;
  if (isImageCell(v)) {
    const id = props.run.info.run_id;
    return (
      <a href={artifactUrl(id, v.filepath)} target="_blank" rel="noopener noreferrer">
        <img class="eval-image" src={artifactUrl(id, v.compressed_filepath ?? v.filepath)} alt={`${props.title} (${v.filepath.split("/").pop() ?? "image"})`} loading="lazy" />
      </a>
    );
  }
  const text = evaluationCellText(v);
  return (
    <button type="button" class="eval-cell" onClick={() => props.onOpen({ title: props.title, value: v })}>
      {text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text}
    </button>
  );
}

/**
 * The Evaluation view's table: the "group by" columns (pinned at the left, filter matches
 * highlighted) and one column per compared run, headed by the run's name in its colour, holding
 * the run's value of the compared column ("(empty)" where it has none). Rows are virtualised (only
 * those in view are in the DOM: 10,000 rows × 10 runs scroll as 30 do) and of a fixed height; a
 * cell shows four lines and opens its whole value on a click. Every value is drawn as text.
 *
 * @example
 * <EvaluationTable runs={runs} groupBy={["question"]} output="answer" rows={rows} onOpen={setOpened} />
 */
export function EvaluationTable(props: {
  runs: readonly Run[];
  groupBy: readonly string[];
  output: string;
  rows: readonly EvaluationRow[];
  pattern?: RegExp;
  /** Positions of runs that logged none of the chosen tables: their header says so. */
  withoutTable?: ReadonlySet<number>;
  onOpen: (cell: OpenedCell) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: props.rows.length, estimateSize: () => ROW, getScrollElement: () => scroller.current, overscan: 6 });
  const items = virtualizer.getVirtualItems();
  const before = items.length ? items[0]!.start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const span = props.groupBy.length + props.runs.length;
  const width = props.groupBy.length * GROUP_WIDTH + props.runs.length * RUN_WIDTH;
  const runName = (run: Run) => run.info.run_name || run.info.run_id;
  const pin = (i: number) => ({ left: `${i * GROUP_WIDTH}px` });
  const last = props.groupBy.length - 1;
  return (
    <div class="table-scroll eval-scroll" ref={scroller} role="region" aria-label="Evaluation results" tabIndex={0}>
      {/* Run columns share what the screen has beyond their least width; group-by columns keep theirs (they are pinned at fixed offsets). */}
      <table class="grid eval-table" style={{ minWidth: `${width}px` }}>
        <colgroup>
          {props.groupBy.map((c) => (
            <col key={`g:${c}`} style={{ width: `${GROUP_WIDTH}px` }} />
          ))}
          {props.runs.map((r) => (
            <col key={`r:${r.info.run_id}`} />
          ))}
        </colgroup>
        <thead>
          <tr class="eval-bands">
            <th scope="colgroup" colSpan={props.groupBy.length} class="pin last-pin" style={pin(0)}>
              Group by
            </th>
            <th scope="colgroup" colSpan={props.runs.length}>
              {/* Stays in view, right of the pinned columns, while the runs scroll sideways. */}
              <span class="band-label" style={pin(props.groupBy.length)}>
                <span class="muted">Compare:</span> {props.output}
              </span>
            </th>
          </tr>
          <tr>
            {props.groupBy.map((c, i) => (
              <th key={`g:${c}`} scope="col" class={`pin${i === last ? " last-pin" : ""}`} style={pin(i)} title={c}>
                {c}
              </th>
            ))}
            {props.runs.map((r, i) => (
              <th key={`r:${r.info.run_id}`} scope="col" class="eval-run" data-run-id={r.info.run_id} title={runName(r)}>
                <span class="swatch" style={{ background: runColor(r.info.run_id) }} />
                <a href={link.run(r.info.experiment_id, r.info.run_id)}>{runName(r)}</a>
                {props.withoutTable?.has(i) && <span class="muted no-table"> · no such table</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr aria-hidden="true" style={{ height: `${before}px` }}>
              <td colSpan={span} />
            </tr>
          )}
          {items.map((item) => {
            const row = props.rows[item.index]!;
            const context = props.groupBy.map((c, i) => `${c} = ${row.groups[i] || "(empty)"}`).join(", ");
            return (
              <tr key={row.key} style={{ height: `${ROW}px` }} data-index={item.index}>
                {row.groups.map((text, i) => (
                  <td key={`g:${i}`} class={`group pin${i === last ? " last-pin" : ""}`} style={pin(i)}>
                    {text ? (
                      <button type="button" class="eval-cell" onClick={() => props.onOpen({ title: props.groupBy[i]!, value: text })}>
                        {highlightParts(text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text, props.pattern).map((p, j) => (p.match ? <mark key={j}>{p.text}</mark> : p.text))}
                      </button>
                    ) : (
                      <span class="muted">(empty)</span>
                    )}
                  </td>
                ))}
                {props.runs.map((r, i) => (
                  <td key={`r:${r.info.run_id}`} class="output" data-run-id={r.info.run_id}>
                    <Cell run={r} value={row.cells[i]} title={`${runName(r)}: ${props.output} for ${context}`} onOpen={props.onOpen} />
                  </td>
                ))}
              </tr>
            );
          })}
          {after > 0 && (
            <tr aria-hidden="true" style={{ height: `${after}px` }}>
              <td colSpan={span} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
