import { useState } from "preact/hooks";
import { fieldId, fieldLabel } from "../lib/run-field.js";

/**
 * Chooses the axes of parallel coordinates among the runs' params and metrics (thousands of keys
 * included: a search narrows them, 200 at a time); the chosen ones first, in their order, each
 * removable; a newly checked one is added on the right.
 *
 * @example
 * <AxisPicker paramKeys={params} metricKeys={metrics} chosen={axes} onChange={setAxes} />
 */
export function AxisPicker(props: { paramKeys: readonly string[]; metricKeys: readonly string[]; chosen: readonly string[]; onChange: (axes: string[]) => void }) {
  const [query, setQuery] = useState("");
  const q = query.toLowerCase();
  const chosen = new Set(props.chosen);
  const all = [...props.paramKeys.map((k) => fieldId("param", k)), ...props.metricKeys.map((k) => fieldId("metric", k))];
  const matches = all.filter((id) => !chosen.has(id) && id.slice(id.indexOf(":") + 1).toLowerCase().includes(q));
  const toggle = (id: string, on: boolean) => props.onChange(on ? [...props.chosen, id] : props.chosen.filter((x) => x !== id));
  return (
    <fieldset class="axis-picker">
      <legend>Axes, left to right ({props.chosen.length})</legend>
      <div class="checklist">
        {props.chosen.map((id) => (
          <label key={id}>
            <input type="checkbox" checked onChange={() => toggle(id, false)} /> {fieldLabel(id)}
          </label>
        ))}
      </div>
      <input type="search" placeholder="Find a param or metric" aria-label="Find a param or metric" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      <div class="checklist">
        {matches.slice(0, 200).map((id) => (
          <label key={id}>
            <input type="checkbox" checked={false} onChange={() => toggle(id, true)} /> {fieldLabel(id)}
          </label>
        ))}
        {matches.length > 200 && <p class="muted">{matches.length - 200} more: refine the search</p>}
      </div>
    </fieldset>
  );
}
