import type { Experiment } from "@mlflow-ts/protocol";
import { get, post } from "../lib/api.js";
import { link } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { useHashQuery } from "../lib/hash-query.js";
import { EditableText } from "../components/EditableText.js";
import { ExperimentRunsView } from "./ExperimentRunsView.js";
import { ExperimentTracesView } from "./ExperimentTracesView.js";
import { ExperimentDatasetsView } from "./ExperimentDatasetsView.js";

/**
 * `#/experiments/<id>[/charts|/evaluation|/traces|/datasets[/<dataset_id>]]`: the experiment's name
 * and description, and its Runs, Charts, Evaluation, Traces and Datasets tabs.
 */
export function ExperimentPage(props: { experimentId: string; tab?: string; datasetId?: string }) {
  const experiment = useAsync((signal) => get<{ experiment: Experiment }>("experiments/get", { experiment_id: props.experimentId }, signal), [props.experimentId]);
  const exp = experiment.value?.experiment;
  const note = exp?.tags?.find((t) => t.key === "mlflow.note.content")?.value;
  const tab = props.tab === "charts" || props.tab === "evaluation" || props.tab === "traces" || props.tab === "datasets" ? props.tab : "runs";
  // Runs, Charts and Evaluation share the filter, sort and columns in the URL: switching keeps them
  // (not MLflow's `compareRunsMode`, which would open Evaluation again).
  const query = useHashQuery().replace(/(^|&)compareRunsMode=[^&]*/, "").replace(/^&/, "");
  const keep = (tab === "runs" || tab === "charts" || tab === "evaluation") && query ? `?${query}` : "";
  if (experiment.error) {
    return (
      <section class="page">
        <h1>Experiment {props.experimentId}</h1>
        <p class="error">{experiment.error.message}</p>
      </section>
    );
  }
  return (
    <section class="page wide">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={link.experiments()}>Experiments</a> /
      </nav>
      <div class="page-head">
        <h1>{exp?.name ?? `Experiment ${props.experimentId}`}</h1>
        <span class="muted">
          ID {props.experimentId}
          {exp?.artifact_location ? ` · artifacts ${exp.artifact_location}` : ""}
        </span>
      </div>
      {exp && (
        <EditableText
          label="Description"
          value={note}
          onSave={async (value) => {
            await post("experiments/set-experiment-tag", { experiment_id: props.experimentId, key: "mlflow.note.content", value });
            experiment.reload();
          }}
        />
      )}
      <div class="tabs" role="tablist">
        <a role="tab" aria-selected={tab === "runs"} href={link.experiment(props.experimentId) + keep}>
          Runs
        </a>
        <a role="tab" aria-selected={tab === "charts"} href={link.experiment(props.experimentId, "charts") + keep}>
          Charts
        </a>
        <a role="tab" aria-selected={tab === "evaluation"} href={link.experiment(props.experimentId, "evaluation") + keep}>
          Evaluation
        </a>
        <a role="tab" aria-selected={tab === "traces"} href={link.traces(props.experimentId)}>
          Traces
        </a>
        <a role="tab" aria-selected={tab === "datasets"} href={link.datasets(props.experimentId)}>
          Datasets
        </a>
      </div>
      {/* Keyed by experiment so a switch starts with a fresh filter and selection. */}
      {tab === "traces" ? (
        <ExperimentTracesView key={props.experimentId} experimentId={props.experimentId} />
      ) : tab === "datasets" ? (
        <ExperimentDatasetsView key={props.experimentId} experimentId={props.experimentId} datasetId={props.datasetId} />
      ) : (
        <ExperimentRunsView key={props.experimentId} experimentId={props.experimentId} tab={tab} />
      )}
    </section>
  );
}
