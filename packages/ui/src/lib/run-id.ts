// MLflow's own rule for a run ID (`_RUN_ID_REGEX` of mlflow/utils/validation.py): what the server
// can have stored. Anything else read from a URL or local storage is not a run of ours.
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/**
 * Whether a string read back from a URL or local storage can be a run ID.
 *
 * @example
 * isRunId("4b0c9e2f1d6a4c1f9a7e3b5d2c8f0a61"); // true
 * isRunId("x]&y=1"); // false
 */
export function isRunId(text: string): boolean {
  return RUN_ID.test(text);
}
