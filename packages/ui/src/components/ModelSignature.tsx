import type { AsyncState } from "../lib/use-async.js";
import type { ModelFiles } from "../lib/model-files.js";
import { exampleTable } from "../lib/example-table.js";
import { formatBytes } from "../lib/format.js";
import { JsonView } from "./JsonView.js";
import { ParamSchemaTable, SchemaTable } from "./SchemaTable.js";

/** The example's first rows as a table (its columns as the signature names them). */
function ExampleView(props: { example: unknown }) {
  const table = exampleTable(props.example);
  if (!table) return <JsonView label="Input example" value={props.example} />;
  return (
    <div class="table-scroll small">
      <table class="grid example" aria-label="Input example">
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.slice(0, 100).map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j}>{v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {table.rows.length > 100 && <p class="muted">First 100 of {table.rows.length} rows</p>}
    </div>
  );
}

/**
 * What a model's `MLmodel` says: flavors and versions, the signature (inputs, outputs, params) as
 * tables, and the saved input example — or why there is none.
 *
 * @example
 * const files = useAsync((signal) => loadVersionFiles(name, version, signal), [name, version]);
 * <ModelSignature files={files} />
 */
export function ModelSignature(props: { files: AsyncState<ModelFiles> }) {
  const { value, error, loading } = props.files;
  // While another version's files load, the last version's signature must not show under this one's name.
  if (loading) return <p class="muted">Reading MLmodel…</p>;
  if (error) {
    return (
      <>
        <h2>Signature</h2>
        <p class="error">{error.message}</p>
      </>
    );
  }
  if (!value) return null;
  const info = value.info;
  if (!info) {
    return (
      <>
        <h2>Signature</h2>
        <p class="muted">This version's files hold no MLmodel file, so there is no signature to show.</p>
      </>
    );
  }
  const signature = info.signature;
  const facts = [
    info.flavors.length ? `flavors ${info.flavors.join(", ")}` : "",
    info.mlflowVersion ? `MLflow ${info.mlflowVersion}` : "",
    info.pythonVersion ? `Python ${info.pythonVersion}` : "",
    info.sizeBytes !== undefined ? formatBytes(info.sizeBytes) : "",
  ].filter(Boolean);
  return (
    <>
      <h2>Signature</h2>
      <p class="muted model-facts">{facts.join(" · ")}</p>
      {!signature || (!signature.inputs && !signature.outputs && !signature.params) ? (
        <p class="muted">
          No signature was logged with this model. Log one with <code>signature=infer_signature(X, model.predict(X))</code> so callers know what it takes and returns.
        </p>
      ) : (
        <div class="schemas">
          {signature.inputs ? <SchemaTable caption="Inputs" fields={signature.inputs} /> : <p class="muted">No input schema</p>}
          {signature.outputs ? <SchemaTable caption="Outputs" fields={signature.outputs} /> : <p class="muted">No output schema</p>}
          {signature.params && <ParamSchemaTable fields={signature.params} />}
        </div>
      )}
      <h2>Input example</h2>
      {value.example !== undefined ? (
        <ExampleView example={value.example} />
      ) : value.exampleError ? (
        <p class="error">{value.exampleError}</p>
      ) : (
        <p class="muted">No input example was saved with this model.</p>
      )}
    </>
  );
}
