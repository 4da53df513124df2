/** What {@link element} takes as children: nodes or text; `false`, `null` and `undefined` are skipped. */
export type ElementChild = Node | string | false | null | undefined;

/**
 * A DOM element from a tag, attributes and children: what the UI hands apps' pages as
 * `host.element` (their modules bring no framework). `class` sets the class name, `value` the
 * property, `on<event>` functions become listeners, `true` a bare attribute; `false` and
 * `undefined` are left out.
 *
 * @example
 * element("label", { class: "field" }, element("span", {}, "Name"), element("input", { value: "alice" }));
 */
export function element(tag: string, attrs: Readonly<Record<string, unknown>> = {}, ...children: ElementChild[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    else if (k === "class") el.className = String(v);
    else if (k === "value") (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== false && c !== null && c !== undefined) el.append(c);
  return el;
}
