import { useState } from "preact/hooks";
import { CHART_TYPES, newChartId, type ChartSpec, type ChartType } from "../lib/chart-layout.js";
import { fieldId, fieldLabel } from "../lib/run-field.js";
import { FormDialog } from "./Dialog.js";
import { AxisPicker } from "./AxisPicker.js";

/**
 * The "Add chart" form: a chart type, then what it shows — a metric (line, bar), two fields
 * (scatter), or the axes of parallel coordinates (offered: the params that vary, then metrics).
 *
 * @example
 * <AddChartDialog metricKeys={metrics} paramKeys={params} defaultAxes={axes} onAdd={add} onClose={close} />
 */
export function AddChartDialog(props: { metricKeys: readonly string[]; paramKeys: readonly string[]; defaultAxes: readonly string[]; onAdd: (chart: ChartSpec) => void; onClose: () => void }) {
  const [type, setType] = useState<ChartType>("bar");
  const [metric, setMetric] = useState(props.metricKeys[0] ?? "");
  const fields = [...props.paramKeys.map((k) => fieldId("param", k)), ...props.metricKeys.slice(0, 500).map((k) => fieldId("metric", k))];
  const [x, setX] = useState(props.defaultAxes[0] ?? fields[0] ?? "");
  const [y, setY] = useState(props.metricKeys[0] ? fieldId("metric", props.metricKeys[0]) : "");
  const [axes, setAxes] = useState<string[]>([...props.defaultAxes]);
  const submit = async () => {
    const id = newChartId(type);
    if (type === "line" || type === "bar") {
      if (!props.metricKeys.includes(metric)) throw new Error(`No run here has a metric named "${metric}"`);
      props.onAdd({ id, type, metric });
    } else if (type === "scatter") {
      if (!x || !y) throw new Error("Choose both axes");
      props.onAdd({ id, type, x, y });
    } else {
      if (axes.length < 2) throw new Error("Choose at least two axes");
      props.onAdd({ id, type, axes });
    }
  };
  return (
    <FormDialog title="Add chart" submitLabel="Add" onSubmit={submit} onClose={props.onClose}>
      <label class="field">
        <span>Chart type</span>
        <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as ChartType)}>
          {CHART_TYPES.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      {(type === "line" || type === "bar") && (
        <label class="field">
          <span>Metric</span>
          <input list="add-chart-metrics" value={metric} required onInput={(e) => setMetric((e.target as HTMLInputElement).value)} />
          <datalist id="add-chart-metrics">
            {props.metricKeys.slice(0, 1000).map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </label>
      )}
      {type === "scatter" && (
        <>
          <label class="field">
            <span>Scatter X</span>
            <select value={x} onChange={(e) => setX((e.target as HTMLSelectElement).value)}>
              {fields.map((f) => (
                <option key={f} value={f}>
                  {fieldLabel(f)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>Scatter Y</span>
            <select value={y} onChange={(e) => setY((e.target as HTMLSelectElement).value)}>
              {props.metricKeys.slice(0, 500).map((k) => (
                <option key={k} value={fieldId("metric", k)}>
                  metric {k}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {type === "parallel" && <AxisPicker paramKeys={props.paramKeys} metricKeys={props.metricKeys} chosen={axes} onChange={setAxes} />}
    </FormDialog>
  );
}
