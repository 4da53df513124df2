import { searchDatasets } from "../lib/dataset-api.js";
import { useAsync } from "../lib/use-async.js";
import { DatasetsTable } from "../components/DatasetsTable.js";
import { DatasetView } from "./DatasetView.js";
import "../traces.css";
import "../datasets.css";

/**
 * `#/experiments/<id>/datasets`: the experiment's evaluation datasets; `…/datasets/<dataset_id>`:
 * one dataset's records.
 */
export function ExperimentDatasetsView(props: { experimentId: string; datasetId?: string }) {
  if (props.datasetId) return <DatasetView key={props.datasetId} experimentId={props.experimentId} datasetId={props.datasetId} />;
  return <DatasetsList experimentId={props.experimentId} />;
}

function DatasetsList(props: { experimentId: string }) {
  const datasets = useAsync((signal) => searchDatasets(props.experimentId, signal), [props.experimentId]);
  if (datasets.error) {
    // A database older than MLflow 3.4 answers 501 naming the revision datasets need.
    return (
      <p class="error" role="alert">
        {datasets.error.message}
      </p>
    );
  }
  if (!datasets.value) return <p class="muted">Loading datasets…</p>;
  if (datasets.value.length === 0) {
    return <p class="muted empty">No evaluation datasets in this experiment yet. Create one with mlflow.genai.datasets.create_dataset(…, experiment_id=…).</p>;
  }
  return (
    <>
      <p class="muted" aria-live="polite">
        {datasets.value.length} {datasets.value.length === 1 ? "dataset" : "datasets"}
      </p>
      <DatasetsTable experimentId={props.experimentId} datasets={datasets.value} />
    </>
  );
}
