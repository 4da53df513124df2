import { useState } from "preact/hooks";
import { Markdown } from "./Markdown.js";

/** A text (a description) rendered from Markdown, with an Edit button that turns it into a textarea. */
export function EditableText(props: { label: string; value: string | undefined; onSave: (value: string) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(props.value ?? "");
  const [error, setError] = useState<string>();
  if (!editing) {
    return (
      <div class="editable">
        {props.value ? <Markdown text={props.value} /> : <p class="muted">No {props.label.toLowerCase()}</p>}
        <button
          type="button"
          onClick={() => {
            setDraft(props.value ?? "");
            setEditing(true);
          }}
        >
          Edit {props.label.toLowerCase()}
        </button>
      </div>
    );
  }
  return (
    <form
      class="editable"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await props.onSave(draft);
          setEditing(false);
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <label class="field">
        <span>{props.label}</span>
        <textarea rows={4} value={draft} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
      </label>
      {error && <p class="error">{error}</p>}
      <div class="actions">
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <button type="submit" class="primary">
          Save
        </button>
      </div>
    </form>
  );
}
