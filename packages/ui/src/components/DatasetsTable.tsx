import type { EvaluationDataset } from "@mlflow-ts/protocol";
import { parseJsonObject } from "../lib/dataset-api.js";
import { formatTime } from "../lib/format.js";
import { link } from "../lib/router.js";

/** The number of records a dataset's `profile` counts (`{"num_records": N}`), when it says. */
export function recordCount(dataset: EvaluationDataset): number | undefined {
  const n = parseJsonObject(dataset.profile)?.num_records;
  return typeof n === "number" ? n : undefined;
}

/** A dataset's tags, MLflow's own `mlflow.*` plumbing left out. */
export function userTags(dataset: EvaluationDataset): [string, string][] {
  return Object.entries(parseJsonObject(dataset.tags) ?? {})
    .filter(([k]) => !k.startsWith("mlflow."))
    .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

/** An experiment's evaluation datasets, one row each; a name opens the dataset's records. */
export function DatasetsTable(props: { experimentId: string; datasets: readonly EvaluationDataset[] }) {
  return (
    <div class="table-scroll" role="region" aria-label="Evaluation datasets" tabIndex={0}>
      <table class="grid datasets">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Digest</th>
            <th scope="col" class="num">
              Records
            </th>
            <th scope="col">Created</th>
            <th scope="col">Updated</th>
            <th scope="col">Tags</th>
          </tr>
        </thead>
        <tbody>
          {props.datasets.map((d) => (
            <tr key={d.dataset_id} data-dataset-id={d.dataset_id}>
              <td>
                <a href={link.dataset(props.experimentId, d.dataset_id)}>{d.name}</a>
              </td>
              <td>
                <code>{d.digest}</code>
              </td>
              <td class="num">{recordCount(d)?.toLocaleString("en-US") ?? ""}</td>
              <td>
                {formatTime(d.created_time)}
                {d.created_by ? <span class="muted"> by {d.created_by}</span> : ""}
              </td>
              <td>
                {formatTime(d.last_update_time)}
                {d.last_updated_by ? <span class="muted"> by {d.last_updated_by}</span> : ""}
              </td>
              <td class="chips">
                {userTags(d).map(([k, v]) => (
                  <span key={k} class="chip" title={`${k} = ${v}`}>
                    {k}={v}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
