import { useEffect, useMemo, useState } from "preact/hooks";
import type { Experiment } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { formatTime } from "../lib/format.js";
import { link } from "../lib/router.js";
import { buildSpanTree } from "../lib/span-tree.js";
import { deleteTraceTag, getTraceInfo, getTraceSpans, setTraceTag } from "../lib/trace-api.js";
import { durationMs, formatLatency } from "../lib/trace-format.js";
import { useAsync } from "../lib/use-async.js";
import { AssessmentsPanel } from "../components/AssessmentsPanel.js";
import { SpanDetail } from "../components/SpanDetail.js";
import { SpanTree } from "../components/SpanTree.js";
import { TagTable } from "../components/TagTable.js";
import "../traces.css";

/** A key–value table of read-only pairs (metadata, system tags). */
function PairTable(props: { caption: string; pairs: readonly [string, string][] }) {
  return (
    <table class="kv">
      <caption class="sr-only">{props.caption}</caption>
      <tbody>
        {props.pairs.length === 0 && (
          <tr>
            <td class="muted">None</td>
          </tr>
        )}
        {props.pairs.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td class="pre">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * `#/experiments/<id>/traces/<trace_id>` (and MLflow's `…/traces?selectedEvaluationId=<id>`): the
 * span tree with a timeline, the selected span's inputs, outputs, attributes and events, the
 * trace's assessments (add, edit, delete), tags and metadata.
 */
export function TracePage(props: { experimentId: string; traceId: string }) {
  const info = useAsync((signal) => getTraceInfo(props.traceId, signal), [props.traceId]);
  const experiment = useAsync((signal) => get<{ experiment: Experiment }>("experiments/get", { experiment_id: props.experimentId }, signal), [props.experimentId]);
  // The info of this trace (a previous trace's stays in `info.value` while the next one loads).
  const current = info.value?.trace_id === props.traceId ? info.value : undefined;
  const location = current?.tags?.["mlflow.trace.spansLocation"];
  // Spans load once the info says where they are; tag and assessment edits reload the info only.
  const spans = useAsync(
    (signal) => (current ? getTraceSpans(current, signal).then((list) => ({ traceId: current.trace_id, list })) : Promise.resolve(undefined)),
    [props.traceId, current !== undefined, location],
  );
  const spanList = spans.value?.traceId === props.traceId ? spans.value.list : undefined;
  const tree = useMemo(() => buildSpanTree(spanList ?? []), [spanList]);
  const [selected, setSelected] = useState<string>();
  useEffect(() => setSelected(undefined), [props.traceId]);
  const selectedSpan = (selected && spanList?.find((s) => s.spanId === selected)) || tree.roots[0]?.span;
  const t = current;
  const traceTab = link.traces(props.experimentId);
  if (info.error) {
    return (
      <section class="page">
        <nav class="crumbs" aria-label="Breadcrumb">
          <a href={traceTab}>Traces</a> /
        </nav>
        <h1>Trace {props.traceId}</h1>
        <p class="error" role="alert">
          {info.error.message}
        </p>
      </section>
    );
  }
  const tags = Object.entries(t?.tags ?? {});
  const name = t?.tags?.["mlflow.traceName"] ?? tree.roots[0]?.span.name ?? props.traceId;
  return (
    <section class="page wide trace-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={link.experiments()}>Experiments</a> / <a href={link.experiment(props.experimentId)}>{experiment.value?.experiment.name ?? props.experimentId}</a> /{" "}
        <a href={traceTab}>Traces</a> /
      </nav>
      <div class="page-head">
        <h1>{name}</h1>
        {t && (
          <span class="muted">
            <span class={`status ${t.state === "OK" ? "finished" : t.state === "ERROR" ? "failed" : "running"}`}>{t.state}</span> · {t.trace_id} · {formatTime(t.request_time ? Date.parse(t.request_time) : undefined)} ·{" "}
            {formatLatency(durationMs(t.execution_duration))} · {tree.size} spans
          </span>
        )}
      </div>
      {spans.error && !spans.loading && (
        <p class="error" role="alert">
          Spans could not be loaded: {spans.error.message}
        </p>
      )}
      <div class="trace-body">
        <div class="trace-spans">
          {spanList === undefined && !spans.error ? <p class="muted">Loading spans…</p> : tree.size === 0 && !spans.error ? <p class="muted">This trace has no spans.</p> : <SpanTree tree={tree} selected={selectedSpan?.spanId} onSelect={setSelected} />}
        </div>
        <div class="trace-detail">{selectedSpan && <SpanDetail span={selectedSpan} traceStartNs={tree.startNs} />}</div>
      </div>
      {t && (
        <>
          <h2>Assessments</h2>
          <AssessmentsPanel traceId={t.trace_id} assessments={t.assessments ?? []} onChange={info.reload} />
          <div class="trace-meta">
            <div>
              <h2>Tags</h2>
              <TagTable
                caption="Trace tags"
                tags={tags.map(([key, value]) => ({ key, value }))}
                onSet={async (key, value) => {
                  await setTraceTag(t.trace_id, key, value);
                  info.reload();
                }}
                onDelete={async (key) => {
                  await deleteTraceTag(t.trace_id, key);
                  info.reload();
                }}
              />
            </div>
            <div>
              <h2>Metadata</h2>
              <PairTable caption="Trace metadata and system tags" pairs={[...Object.entries(t.trace_metadata ?? {}), ...tags.filter(([k]) => k.startsWith("mlflow."))]} />
              {(t.request_preview || t.response_preview) && (
                <>
                  <h2>Previews</h2>
                  <PairTable
                    caption="Request and response previews"
                    pairs={[
                      ["request", t.request_preview ?? ""],
                      ["response", t.response_preview ?? ""],
                      ...(t.client_request_id ? [["client request id", t.client_request_id] as [string, string]] : []),
                    ]}
                  />
                </>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
