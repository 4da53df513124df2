import { useEffect, useRef } from "preact/hooks";
import { JsonView } from "./JsonView.js";

/**
 * A value's full JSON in a modal (native `<dialog>`: focus trapped, Escape closes), for cells that
 * show it on one line.
 *
 * @example
 * {open && <JsonDialog title="inputs.question" value={open.value} onClose={() => setOpen(undefined)} />}
 */
export function JsonDialog(props: { title: string; value: unknown; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="json-dialog" onClose={props.onClose} aria-label={props.title}>
      <h2>{props.title}</h2>
      <JsonView label={`${props.title} (full JSON)`} value={props.value} />
      <div class="actions">
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
