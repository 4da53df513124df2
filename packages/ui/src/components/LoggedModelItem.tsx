import type { LoggedModel } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import type { Registration } from "../lib/registrations.js";
import { useAsync } from "../lib/use-async.js";
import { RegisteredAs } from "./RegisteredAs.js";

/** A model to register: a folder of the run's artifacts, or an MLflow 3 logged model. */
export interface RegisterTarget {
  readonly label: string;
  readonly path?: string;
  readonly modelId?: string;
}

/**
 * One MLflow 3 logged model of a run (`outputs.model_outputs`): its name and type, a Register
 * button, and the versions registered from it (the server's `registrations` of the logged model,
 * and `registered`, those of the run's versions that point at it).
 *
 * @example
 * <LoggedModelItem modelId="m-0a1b…" step={0} registered={[]} onRegister={setRegister} />
 */
export function LoggedModelItem(props: { modelId: string; step: number; registered: readonly Registration[]; onRegister: (target: RegisterTarget) => void }) {
  const model = useAsync((signal) => get<{ model: LoggedModel }>(`logged-models/${encodeURIComponent(props.modelId)}`, undefined, signal).then((r) => r.model), [props.modelId]);
  const name = model.value?.info.name;
  // The server lists a logged model's versions itself (`registrations`); the run's versions add any it has not.
  const all = [...(model.value?.info.registrations ?? []), ...props.registered];
  const registrations = all.filter((r, i) => all.findIndex((x) => x.name === r.name && x.version === r.version) === i);
  return (
    <li>
      {name ? <strong>{name}</strong> : "model"} <code>{props.modelId}</code> <span class="muted">(step {props.step}{model.value?.info.model_type ? `, ${model.value.info.model_type}` : ""})</span>{" "}
      <button type="button" onClick={() => props.onRegister({ label: name ?? props.modelId, modelId: props.modelId })}>
        Register model
      </button>{" "}
      <RegisteredAs registrations={registrations} />
    </li>
  );
}
