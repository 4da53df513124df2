import { useMemo, useState } from "preact/hooks";
import type { Experiment } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { link } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { ExperimentRunsView } from "./ExperimentRunsView.js";
import "../models.css";

/**
 * `#/compare-experiments/s?experiments=["1","2"]` (MLflow's URL): the runs of several experiments
 * in one table with an Experiment column — one `runs/search` over all of them, so filter, sort,
 * columns, selection and charts work across experiments as within one.
 */
export function CompareExperimentsPage(props: { experimentIds: string[] }) {
  const ids = useMemo(() => [...new Set(props.experimentIds)].slice(0, 100), [props.experimentIds.join(",")]);
  const [tab, setTab] = useState<"runs" | "charts">("runs");
  const experiments = useAsync(
    (signal) => Promise.all(ids.map((id) => get<{ experiment: Experiment }>("experiments/get", { experiment_id: id }, signal).then((r) => r.experiment))),
    [ids.join(",")],
  );
  const names = useMemo(() => new Map((experiments.value ?? []).map((e) => [e.experiment_id, e.name])), [experiments.value]);
  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href={link.experiments()}>Experiments</a> /
    </nav>
  );
  if (ids.length === 0) {
    return (
      <section class="page">
        {crumbs}
        <h1>No experiments chosen</h1>
        <p>
          Select experiments on the <a href={link.experiments()}>experiments list</a> to see their runs together.
        </p>
      </section>
    );
  }
  if (experiments.error) return <section class="page">{crumbs}<p class="error">{experiments.error.message}</p></section>;
  return (
    <section class="page wide">
      {crumbs}
      <div class="page-head">
        <h1>Runs of {ids.length} experiments</h1>
      </div>
      <ul class="experiment-chips" aria-label="Experiments shown">
        {ids.map((id) => (
          <li key={id} class="badge">
            <a href={link.experiment(id)}>{names.get(id) ?? `Experiment ${id}`}</a>
          </li>
        ))}
      </ul>
      <div class="tabs" role="tablist">
        {(["runs", "charts"] as const).map((t) => (
          <a
            key={t}
            role="tab"
            aria-selected={tab === t}
            href={link.compareExperiments(ids)}
            onClick={(e) => {
              e.preventDefault();
              setTab(t);
            }}
          >
            {t === "runs" ? "Runs" : "Charts"}
          </a>
        ))}
      </div>
      {/* Runs load at once, alongside the names (a run's experiment shows its ID until they come). */}
      <ExperimentRunsView key={ids.join(",")} experimentId={ids.join(",")} experimentIds={ids} experimentNames={names} tab={tab} />
    </section>
  );
}
