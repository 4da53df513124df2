import { useEffect, useRef, useState } from "preact/hooks";

/** An option of a {@link CheckListPopover}; a disabled one says why in `note`. */
export interface CheckOption {
  readonly value: string;
  readonly disabled?: boolean;
  readonly note?: string;
}

/**
 * A multiple choice in a popover: a button showing the label and what is chosen, which opens a list
 * of checkboxes. Keyboard and pointer as in the Columns popover: Escape closes it and gives the focus
 * back to its button, a click outside closes it. Values are kept in the order they were ticked.
 *
 * @example
 * <CheckListPopover label="Group by" options={[{ value: "question" }]} chosen={["question"]} onChange={setGroupBy} />
 */
export function CheckListPopover(props: { label: string; options: readonly CheckOption[]; chosen: readonly string[]; onChange: (chosen: string[]) => void; disabled?: boolean }) {
  const details = useRef<HTMLDetailsElement>(null);
  const [isOpen, setIsOpen] = useState(false);
  useEffect(() => {
    if (!isOpen) return;
    const onDown = (e: PointerEvent) => {
      if (details.current && !details.current.contains(e.target as Node)) details.current.open = false;
    };
    document.addEventListener("pointerdown", onDown);
    return () => document.removeEventListener("pointerdown", onDown);
  }, [isOpen]);
  const toggle = (value: string, on: boolean) => props.onChange(on ? [...props.chosen.filter((v) => v !== value), value] : props.chosen.filter((v) => v !== value));
  return (
    <details
      class={`check-popover${props.disabled ? " disabled" : ""}`}
      ref={details}
      onToggle={(e) => setIsOpen((e.currentTarget as HTMLDetailsElement).open)}
      onKeyDown={(e) => {
        if (e.key !== "Escape" || !details.current?.open) return;
        e.preventDefault();
        details.current.open = false;
        details.current.querySelector("summary")?.focus();
      }}
    >
      <summary
        aria-label={`${props.label}: ${props.chosen.join(", ") || "none"}`}
        aria-disabled={props.disabled}
        onClick={(e) => props.disabled && e.preventDefault()}
        title={props.chosen.join(", ")}
      >
        <span class="muted">{props.label}:</span> {props.chosen.length ? props.chosen.join(", ") : "none"}
      </summary>
      <div class="popover checklist" role="group" aria-label={props.label}>
        {props.options.map((o) => (
          <label key={o.value} class={o.disabled ? "muted" : undefined} title={o.note}>
            <input type="checkbox" checked={props.chosen.includes(o.value)} disabled={o.disabled} onChange={(e) => toggle(o.value, (e.target as HTMLInputElement).checked)} /> {o.value}
            {o.note && <span class="muted"> ({o.note})</span>}
          </label>
        ))}
      </div>
    </details>
  );
}
