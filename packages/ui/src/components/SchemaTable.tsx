import type { ParamField, SchemaField } from "../lib/mlmodel.js";

/**
 * An input or output schema of a model's signature as a table: name, type, required or optional.
 *
 * @example
 * <SchemaTable caption="Inputs" fields={signature.inputs} />
 */
export function SchemaTable(props: { caption: string; fields: readonly SchemaField[] }) {
  return (
    <table class="kv schema">
      <caption>
        {props.caption} ({props.fields.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
        </tr>
      </thead>
      <tbody>
        {props.fields.slice(0, 2000).map((f, i) => (
          <tr key={i}>
            <td>{f.name ?? <span class="muted">(unnamed)</span>}</td>
            <td>
              <code>{f.type}</code>
            </td>
            <td>{f.required ? "required" : <span class="muted">optional</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The inference parameters of a model's signature: name, type, default and shape.
 *
 * @example
 * <ParamSchemaTable fields={signature.params} />
 */
export function ParamSchemaTable(props: { fields: readonly ParamField[] }) {
  return (
    <table class="kv schema">
      <caption>Parameters ({props.fields.length})</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Default</th>
          <th scope="col">Shape</th>
        </tr>
      </thead>
      <tbody>
        {props.fields.map((f) => (
          <tr key={f.name}>
            <td>{f.name}</td>
            <td>
              <code>{f.type}</code>
            </td>
            <td>
              <code>{f.default}</code>
            </td>
            <td>{f.shape}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
