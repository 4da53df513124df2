import { f, type KeyValue } from "@mlflow-ts/protocol";

/** The request schema of a tag or param: `key` required, `value` optional (absent means ""). */
export const keyValueSchema = { key: f.string(true), value: f.string() };

/**
 * Tags or params as read from a request, with an absent value as the empty string, as MLflow
 * stores it.
 *
 * @example
 * keyValues([{ key: "team" }]); // [{ key: "team", value: "" }]
 */
export function keyValues(list: readonly { key: string; value?: string }[] | undefined): KeyValue[] {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value ?? "" }));
}
