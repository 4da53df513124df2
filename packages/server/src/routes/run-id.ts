import { invalidParameter, missingParameterMessage } from "@mlflow-ts/protocol";

/**
 * The run a request names: `run_id`, falling back to the deprecated `run_uuid` that many clients
 * still send (alone or alongside).
 *
 * @example
 * runIdOf({ run_uuid: "abc" }); // "abc"
 */
export function runIdOf(params: { run_id?: string; run_uuid?: string }): string {
  const id = params.run_id || params.run_uuid;
  if (!id) throw invalidParameter(missingParameterMessage("run_id"));
  return id;
}
