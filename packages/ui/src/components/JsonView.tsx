/**
 * A value as pretty JSON text in a `<pre>` (strings stay readable: a plain string is shown as is,
 * not quoted and escaped).
 *
 * @example
 * <JsonView label="Inputs" value={{ question: "What is MLflow?" }} />
 */
export function JsonView(props: { label: string; value: unknown }) {
  const text = props.value === undefined ? "" : typeof props.value === "string" ? props.value : JSON.stringify(props.value, null, 2);
  if (!text) return <p class="muted">None</p>;
  return (
    <pre class="json" aria-label={props.label} tabIndex={0}>
      {text}
    </pre>
  );
}
