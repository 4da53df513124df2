import { useState } from "preact/hooks";
import { useApp } from "../lib/app-context.js";

interface Tag {
  readonly key: string;
  readonly value: string;
}

/**
 * Tags with add, edit and delete (the caller's `onSet` / `onDelete` call the API). System tags
 * (`mlflow.*`) are listed apart and not editable here.
 */
export function TagTable(props: { tags: readonly Tag[]; onSet?: (key: string, value: string) => Promise<void>; onDelete?: (key: string) => Promise<void>; caption?: string }) {
  const { notify } = useApp();
  const [editing, setEditing] = useState<string>();
  const [draft, setDraft] = useState({ key: "", value: "" });
  const user = props.tags.filter((t) => !t.key.startsWith("mlflow."));
  const save = async (key: string, value: string) => {
    try {
      await props.onSet!(key, value);
      setEditing(undefined);
      setDraft({ key: "", value: "" });
      notify(`Tag '${key}' saved`);
    } catch (err) {
      notify((err as Error).message, "error");
    }
  };
  return (
    <div>
      <table class="kv">
        <caption class="sr-only">{props.caption ?? "Tags"}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
            {props.onSet && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {user.length === 0 && (
            <tr>
              <td colSpan={3} class="muted">
                No tags
              </td>
            </tr>
          )}
          {user.map((t) => (
            <tr key={t.key}>
              <td>{t.key}</td>
              <td>
                {editing === t.key ? (
                  <input aria-label={`Value of tag ${t.key}`} value={draft.value} onInput={(e) => setDraft({ key: t.key, value: (e.target as HTMLInputElement).value })} />
                ) : (
                  <span class="pre">{t.value}</span>
                )}
              </td>
              {props.onSet && (
                <td class="row-actions">
                  {editing === t.key ? (
                    <>
                      <button type="button" class="primary" onClick={() => save(t.key, draft.value)}>
                        Save
                      </button>
                      <button type="button" onClick={() => setEditing(undefined)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        aria-label={`Edit tag ${t.key}`}
                        onClick={() => {
                          setEditing(t.key);
                          setDraft({ key: t.key, value: t.value });
                        }}
                      >
                        Edit
                      </button>
                      {props.onDelete && (
                        <button
                          type="button"
                          aria-label={`Delete tag ${t.key}`}
                          onClick={async () => {
                            try {
                              await props.onDelete!(t.key);
                              notify(`Tag '${t.key}' deleted`);
                            } catch (err) {
                              notify((err as Error).message, "error");
                            }
                          }}
                        >
                          Delete
                        </button>
                      )}
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.onSet && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.key && editing === undefined) void save(draft.key, draft.value);
          }}
        >
          <input aria-label="New tag key" placeholder="key" value={editing === undefined ? draft.key : ""} onInput={(e) => setDraft({ ...draft, key: (e.target as HTMLInputElement).value })} />
          <input aria-label="New tag value" placeholder="value" value={editing === undefined ? draft.value : ""} onInput={(e) => setDraft({ ...draft, value: (e.target as HTMLInputElement).value })} />
          <button type="submit">Add tag</button>
        </form>
      )}
    </div>
  );
}
