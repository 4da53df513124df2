import type { Experiment, Run } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { link } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";

/**
 * The breadcrumb above a run (or runs) of an experiment: "Experiments / <experiment name> /", and
 * the parent run's name for a nested run. Names, not IDs: the ID shows only while the name loads
 * or when it cannot be read.
 *
 * @example
 * <RunCrumbs experimentId="3" parentRunId={tagOf(run, "mlflow.parentRunId")} />
 */
export function RunCrumbs(props: { experimentId: string; parentRunId?: string }) {
  const experiment = useAsync((signal) => get<{ experiment: Experiment }>("experiments/get", { experiment_id: props.experimentId }, signal).then((r) => r.experiment), [props.experimentId]);
  const parent = useAsync(
    (signal) => (props.parentRunId ? get<{ run: Run }>("runs/get", { run_id: props.parentRunId }, signal).then((r) => r.run) : Promise.resolve(undefined)),
    [props.parentRunId],
  );
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href={link.experiments()}>Experiments</a> / <a href={link.experiment(props.experimentId)}>{experiment.value?.name ?? `Experiment ${props.experimentId}`}</a> /
      {props.parentRunId && (
        <>
          {" "}
          <a href={link.run(props.experimentId, props.parentRunId)} title="Parent run">
            {parent.value?.info.run_name || props.parentRunId}
          </a>{" "}
          /
        </>
      )}
    </nav>
  );
}
