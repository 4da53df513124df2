import type { Run } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { formatDuration, formatTime, formatValue } from "../lib/format.js";
import { indexOf } from "../lib/columns.js";
import { link } from "../lib/router.js";
import { runColor } from "../lib/run-color.js";
import { useAsync } from "../lib/use-async.js";
import { RunCharts } from "../components/RunCharts.js";
import { RunCrumbs } from "../components/RunCrumbs.js";

/** `#/compare-runs?runs=[…]`: the runs side by side (params and metrics, differences marked) and their charts. */
export function ComparePage(props: { runIds: string[] }) {
  const runs = useAsync((signal) => Promise.all(props.runIds.slice(0, 200).map((id) => get<{ run: Run }>("runs/get", { run_id: id }, signal).then((r) => r.run))), [props.runIds.join(",")]);
  if (runs.error) return <section class="page"><p class="error">{runs.error.message}</p></section>;
  if (!runs.value) return <section class="page">Loading…</section>;
  const list = runs.value;
  const paramKeys = [...new Set(list.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort();
  const metricKeys = [...new Set(list.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort();
  const experiments = [...new Set(list.map((r) => r.info.experiment_id))];
  const differs = (values: (string | undefined)[]) => new Set(values).size > 1;
  return (
    <section class="page wide">
      {experiments.length === 1 && <RunCrumbs experimentId={experiments[0]!} />}
      <h1>Comparing {list.length} runs</h1>
      <div class="table-scroll">
        <table class="grid compare">
          <thead>
            <tr>
              <th scope="col">Run</th>
              {list.map((r) => (
                <th key={r.info.run_id} scope="col">
                  <span class="swatch" style={{ background: runColor(r.info.run_id) }} /> <a href={link.run(r.info.experiment_id, r.info.run_id)}>{r.info.run_name || r.info.run_id}</a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Start time</th>
              {list.map((r) => <td key={r.info.run_id}>{formatTime(r.info.start_time)}</td>)}
            </tr>
            <tr>
              <th scope="row">Duration</th>
              {list.map((r) => <td key={r.info.run_id}>{formatDuration(r.info.start_time, r.info.end_time)}</td>)}
            </tr>
            <tr class="group">
              <th scope="rowgroup" colSpan={list.length + 1}>
                Parameters
              </th>
            </tr>
            {paramKeys.slice(0, 1000).map((k) => {
              const values = list.map((r) => indexOf(r).params.get(k));
              return (
                <tr key={`p${k}`} class={differs(values) ? "differs" : ""}>
                  <th scope="row">{k}</th>
                  {values.map((v, i) => <td key={i}>{v ?? ""}</td>)}
                </tr>
              );
            })}
            <tr class="group">
              <th scope="rowgroup" colSpan={list.length + 1}>
                Metrics
              </th>
            </tr>
            {metricKeys.slice(0, 1000).map((k) => {
              const values = list.map((r) => indexOf(r).metrics.get(k));
              return (
                <tr key={`m${k}`} class={differs(values.map(String)) ? "differs" : ""}>
                  <th scope="row">{k}</th>
                  {values.map((v, i) => <td key={i} class="num">{formatValue(v)}</td>)}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>Charts</h2>
      <RunCharts runs={list.slice(0, 100)} />
    </section>
  );
}
