/**
 * The parameters an entry keeps: ids and names that say *what* a request touched.
 *
 * @example
 * RESOURCE_KEYS.has("run_id"); // true
 * RESOURCE_KEYS.has("value"); // false
 * Everything else
 * — values, descriptions, passwords, tokens, tags, params and metrics of a batch, bodies — is never
 * read into an entry, whatever the endpoint.
 */
export const RESOURCE_KEYS: ReadonlySet<string> = new Set([
  "experiment_id",
  "experiment_ids",
  "run_id",
  "name",
  "new_name",
  "version",
  "key",
  "tag_key",
  "alias",
  "stage",
  "model_id",
  "trace_id",
  "trace_ids",
  "request_id",
  "request_ids",
  "assessment_id",
  "dataset_id",
  "scorer_name",
  "username",
  "is_admin",
  "permission",
  "group",
  "kind",
  "resource",
  "path",
]);

// Bounds, so a hostile request cannot make a line long.
const MAX_CHARS = 256;
const MAX_ITEMS = 100;

function clip(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > MAX_CHARS ? `${value.slice(0, MAX_CHARS)}…` : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * The {@link RESOURCE_KEYS} of a request's parameters, as strings (lists as lists of strings),
 * clipped to 256 characters and 100 items; undefined when there are none.
 *
 * @example
 * resourceIds({ run_id: "abc", key: "loss", value: 0.3 }); // { run_id: "abc", key: "loss" }
 */
export function resourceIds(params: Readonly<Record<string, unknown>> | undefined): Record<string, string | string[]> | undefined {
  if (!params) return undefined;
  let out: Record<string, string | string[]> | undefined;
  // The request's own keys (a handful), each looked up in the set: cheaper than probing every key.
  for (const key of Object.keys(params)) {
    if (!RESOURCE_KEYS.has(key)) continue;
    const value = params[key];
    if (value === undefined || value === null) continue;
    let kept: string | string[] | undefined;
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map(clip).filter((v): v is string => v !== undefined);
      kept = items.length ? items : undefined;
    } else kept = clip(value);
    if (kept !== undefined) (out ??= {})[key] = kept;
  }
  return out;
}
