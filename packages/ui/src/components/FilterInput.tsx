import { useId, useRef, useState } from "preact/hooks";
import { suggestFilter, type FilterKeys, type Suggestions } from "../lib/suggest-filter.js";

/**
 * The runs filter box with key completion (the ARIA combobox pattern): typing `metrics.` lists the
 * metric keys of the loaded runs; ↓/↑ move through the list, Enter or Tab takes the highlighted
 * key, Escape closes the list (and, pressed again, clears the box as a search box does). With no
 * list open, Enter submits the form around it.
 *
 * @example
 * <FilterInput value={draft} onInput={setDraft} keys={keys} label="Filter runs" placeholder="metrics.rmse < 1" />
 */
export function FilterInput(props: { value: string; onInput: (value: string) => void; keys: FilterKeys; label: string; placeholder: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState<Suggestions>();
  const [active, setActive] = useState(0);
  const refresh = (el: HTMLInputElement) => {
    const caret = el.selectionStart ?? el.value.length;
    setOpen(suggestFilter(el.value, caret, props.keys));
    setActive(0);
  };
  const accept = (index: number) => {
    const el = input.current;
    const list = open;
    const item = list?.items[index];
    if (!el || !list || !item) return;
    const value = el.value.slice(0, list.from) + item.insert + el.value.slice(list.to);
    const caret = list.from + item.insert.length;
    props.onInput(value);
    // The value is set here too, so the caret can be placed before the next render.
    el.value = value;
    el.setSelectionRange(caret, caret);
    // An entity (`metrics.`) goes straight on to its keys; a key is complete.
    setOpen(item.kind === "entity" ? suggestFilter(value, caret, props.keys) : undefined);
    setActive(0);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) {
      if (e.key === "ArrowDown" && input.current) {
        refresh(input.current);
        e.preventDefault();
      }
      return;
    }
    const n = open.items.length;
    if (e.key === "ArrowDown") setActive((a) => (a + 1) % n);
    else if (e.key === "ArrowUp") setActive((a) => (a - 1 + n) % n);
    else if (e.key === "Enter" || e.key === "Tab") accept(active);
    else if (e.key === "Escape") setOpen(undefined);
    else return;
    // Handled here: no form submit, no focus move, no clearing of the search box.
    e.preventDefault();
  };
  // Unique per box: option ids are what aria-activedescendant points at.
  const listId = `filter-keys-${useId()}`;
  return (
    <span class="filter-box">
      <input
        ref={input}
        type="search"
        class="filter"
        role="combobox"
        aria-label={props.label}
        aria-autocomplete="list"
        aria-expanded={open !== undefined}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        autoComplete="off"
        spellcheck={false}
        placeholder={props.placeholder}
        value={props.value}
        onInput={(e) => {
          const el = e.target as HTMLInputElement;
          props.onInput(el.value);
          refresh(el);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(undefined)}
      />
      <ul id={listId} role="listbox" aria-label="Filter keys" class="suggestions" hidden={!open}>
        {open?.items.map((item, i) => (
          <li
            key={item.insert}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? "active" : undefined}
            // Before the input's blur: a click takes the key and keeps the focus in the box.
            onMouseDown={(e) => {
              e.preventDefault();
              accept(i);
            }}
          >
            {item.kind !== "entity" && <span class={`kind ${item.kind}`}>{item.kind}</span>}
            {item.label}
          </li>
        ))}
      </ul>
    </span>
  );
}
