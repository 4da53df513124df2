import type { SpanView } from "../lib/normalize-spans.js";
import { formatLatency } from "../lib/trace-format.js";
import { JsonView } from "./JsonView.js";

/**
 * One span: its name, type, status, timing, and its inputs, outputs, attributes and events as
 * pretty JSON (decoded, whichever writer stored them).
 *
 * @example
 * <SpanDetail span={span} traceStartNs={tree.startNs} />
 */
export function SpanDetail(props: { span: SpanView; traceStartNs: number }) {
  const s = props.span;
  const { "mlflow.traceRequestId": _trace, "mlflow.spanType": _type, ...attributes } = s.attributes;
  return (
    <div class="span-detail" aria-label={`Span ${s.name}`} role="region">
      <h2>
        {s.name} {s.type && <span class="span-type">{s.type}</span>}
      </h2>
      <p class="muted">
        <span class={`status ${s.status === "OK" ? "finished" : s.status === "ERROR" ? "failed" : ""}`}>{s.status}</span>
        {s.statusMessage ? ` ${s.statusMessage}` : ""} · {formatLatency((s.endNs - s.startNs) / 1e6)} · starts at +{formatLatency((s.startNs - props.traceStartNs) / 1e6) || "0 ms"} · span {s.spanId}
      </p>
      <h3>Inputs</h3>
      <JsonView label="Span inputs" value={s.inputs} />
      <h3>Outputs</h3>
      <JsonView label="Span outputs" value={s.outputs} />
      <h3>Attributes</h3>
      <JsonView label="Span attributes" value={Object.keys(attributes).length ? attributes : undefined} />
      <h3>Events</h3>
      {s.events.length === 0 ? (
        <p class="muted">None</p>
      ) : (
        <JsonView label="Span events" value={s.events.map((e) => ({ name: e.name, at: `+${formatLatency((e.timeNs - s.startNs) / 1e6) || "0 ms"}`, attributes: e.attributes }))} />
      )}
    </div>
  );
}
