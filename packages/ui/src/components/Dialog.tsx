import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/**
 * A modal form on the native `<dialog>` (focus trapped, Escape closes). `onSubmit` may throw: its
 * message is shown and the dialog stays open.
 */
export function FormDialog(props: { title: string; submitLabel: string; onSubmit: (data: FormData) => Promise<void>; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} onClose={props.onClose} aria-label={props.title}>
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await props.onSubmit(new FormData(e.currentTarget as HTMLFormElement));
            ref.current?.close();
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2>{props.title}</h2>
        {props.children}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** A labelled text input for a {@link FormDialog}. */
export function Field(props: { label: string; name: string; value?: string; required?: boolean; type?: string; placeholder?: string }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input name={props.name} type={props.type ?? "text"} defaultValue={props.value} required={props.required} placeholder={props.placeholder} autoFocus={props.value === undefined} />
    </label>
  );
}
