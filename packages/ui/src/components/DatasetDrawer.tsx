import { useEffect, useRef, useState } from "preact/hooks";
import type { DatasetInput } from "@mlflow-ts/protocol";
import { datasetContext, parseDatasetProfile, parseDatasetSchema } from "../lib/dataset-schema.js";
import { JsonView } from "./JsonView.js";

function sourceText(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return source;
  }
}

/** One dataset input: where it came from, its schema as a table, its profile. */
function DatasetDetail(props: { input: DatasetInput }) {
  const { dataset } = props.input;
  const schema = parseDatasetSchema(dataset.schema);
  const profile = parseDatasetProfile(dataset.profile);
  const context = datasetContext(props.input);
  const hasShape = schema && "fields" in schema && schema.fields.some((f) => f.shape);
  const hasPart = schema && "fields" in schema && schema.fields.some((f) => f.part);
  return (
    <div class="dataset-detail">
      <table class="kv">
        <caption class="sr-only">Dataset {dataset.name}</caption>
        <tbody>
          <tr>
            <th scope="row">Digest</th>
            <td>
              <code>{dataset.digest}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Context</th>
            <td>{context ?? <span class="muted">none</span>}</td>
          </tr>
          <tr>
            <th scope="row">Source type</th>
            <td>{dataset.source_type}</td>
          </tr>
          <tr>
            <th scope="row">Source</th>
            <td>
              <JsonView label="Dataset source" value={sourceText(dataset.source)} />
            </td>
          </tr>
        </tbody>
      </table>
      <h3>Schema</h3>
      {!schema ? (
        <p class="muted">No schema was logged with this dataset.</p>
      ) : "fields" in schema ? (
        <table class="grid dataset-schema">
          <caption class="sr-only">Schema of {dataset.name}</caption>
          <thead>
            <tr>
              {hasPart && <th scope="col">Part</th>}
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              {hasShape ? <th scope="col">Shape</th> : <th scope="col">Required</th>}
            </tr>
          </thead>
          <tbody>
            {schema.fields.map((f, i) => (
              <tr key={i}>
                {hasPart && <td>{f.part}</td>}
                <td>{f.name}</td>
                <td>
                  <code>{f.type}</code>
                </td>
                {hasShape ? <td>{f.shape ? `(${f.shape.join(", ")})` : ""}</td> : <td>{f.required === undefined ? "" : f.required ? "yes" : "no"}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <JsonView label={`Schema of ${dataset.name}`} value={schema.raw} />
      )}
      <h3>Profile</h3>
      {!profile ? (
        <p class="muted">No profile was logged with this dataset.</p>
      ) : (
        <table class="kv dataset-profile">
          <caption class="sr-only">Profile of {dataset.name}</caption>
          <tbody>
            {profile.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td class="pre">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * A run's datasets in a drawer at the side of the page (a modal `<dialog>`: focus kept inside,
 * Escape closes, the focus goes back where it was): a list of the run's inputs when it has several,
 * and the chosen one's digest, context, source, schema (MLflow's column or tensor spec as a table)
 * and profile.
 *
 * @example
 * {open && <DatasetDrawer runName={run.info.run_name} inputs={run.inputs.dataset_inputs ?? []} initial={0} onClose={() => setOpen(undefined)} />}
 */
export function DatasetDrawer(props: { runName: string; inputs: readonly DatasetInput[]; initial: number; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [index, setIndex] = useState(props.initial);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const input = props.inputs[index] ?? props.inputs[0];
  if (!input) return null;
  const title = `Dataset ${input.dataset.name}`;
  return (
    <dialog ref={ref} class="drawer" onClose={props.onClose} aria-label={title}>
      <div class="drawer-head">
        <h2>
          {input.dataset.name} <span class="muted">({input.dataset.digest})</span>
        </h2>
        <button type="button" onClick={() => ref.current?.close()} aria-label="Close dataset drawer">
          ✕
        </button>
      </div>
      <p class="muted">Input of run {props.runName}</p>
      {props.inputs.length > 1 && (
        <div class="dataset-tabs" role="group" aria-label="Datasets of the run">
          {props.inputs.map((d, i) => (
            <button key={i} type="button" aria-pressed={i === index} onClick={() => setIndex(i)}>
              {d.dataset.name}
              {datasetContext(d) ? ` (${datasetContext(d)})` : ""}
            </button>
          ))}
        </div>
      )}
      <DatasetDetail key={index} input={input} />
    </dialog>
  );
}
