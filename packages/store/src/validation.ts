import { invalidParameter, invalidValueMessage } from "@mlflow-ts/protocol";

/**
 * MLflow's limits (mlflow/utils/validation.py), and the sizes of MLflow's columns where MLflow
 * checks nothing: PostgreSQL and MySQL refuse a longer value ("value too long", a 500 unless
 * checked first) and SQLite stores it, so every dialect checks here.
 */
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  experimentTagValueLength: 5000,
  experimentNameLength: 256,
  runNameLength: 250,
  artifactLocationLength: 256,
  runArtifactUriLength: 200,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
  /** runs.user_id and model_versions.user_id, VARCHAR(256). */
  userIdLength: 256,
  /** registered_models.description and model_versions.description, VARCHAR(5000). */
  descriptionLength: 5000,
  /** logged_models.name and model_type, VARCHAR(500). */
  loggedModelNameLength: 500,
  loggedModelTypeLength: 500,
  /** A run ID stored in another table (model_versions.run_id, logged_models.source_run_id), VARCHAR(32). */
  runIdColumnLength: 32,
} as const;

const KEY_CHARS = /^[\w\-. /:]*$/;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/**
 * Python's `posixpath.normpath`, which MLflow uses to tell whether a name would act as a path.
 *
 * @example
 * normpath("a//b/../c/"); // "a/c"
 */
export function normpath(p: string): string {
  if (p === "") return ".";
  // POSIX keeps exactly two leading slashes; three or more are one.
  const initial = p.startsWith("/") ? (p.startsWith("//") && !p.startsWith("///") ? 2 : 1) : 0;
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (initial === 0 && out.length === 0) || out.at(-1) === "..") out.push(part);
    else if (out.length > 0) out.pop();
  }
  return "/".repeat(initial) + out.join("/") || ".";
}

/**
 * Checks a metric, param or tag key: ≤250 characters of letters, digits, `_ - . space / :`,
 * and unchanged by path normalisation (no leading `/`, no `..`, no `//`, no trailing `/`).
 * Refusals are MLflow 2.17+'s (`_validate_metric_name`, `_validate_param_name`,
 * `_validate_tag_name` in mlflow/utils/validation.py): `Invalid value "../x" for parameter
 * 'metrics[0].name' supplied: …`, the key named by `path` — `name` for a metric, `key` for a param
 * or tag, `metrics[i].name`, `params[i].key`, `tags[i].key` in a batch.
 *
 * @example
 * validateKey("train/loss", "metric"); // ok
 * validateKey("../x", "metric");       // throws 400
 */
export function validateKey(key: string, what: "metric" | "param" | "tag", path = what === "metric" ? "name" : "key"): void {
  if (key.length > LIMITS.keyLength) {
    throw invalidParameter(`'${what}' name '${key.slice(0, 50)}...' had length ${key.length}, which exceeded length limit of ${LIMITS.keyLength}`);
  }
  if (!KEY_CHARS.test(key)) {
    throw invalidParameter(
      invalidValueMessage(path, key, "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."),
    );
  }
  const normal = normpath(key);
  // MLflow's path_not_unique; "" normalises to "." and is refused here too.
  if (normal !== key || normal === "." || normal.startsWith("..") || normal.startsWith("/")) {
    const resolved = normal.includes("'") ? JSON.stringify(normal) : `'${normal}'`;
    throw invalidParameter(
      invalidValueMessage(path, key, `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to ${resolved}`),
    );
  }
}

/**
 * Checks the run-ID format that log-batch and log-inputs require.
 *
 * @example
 * validateRunIdFormat("0123abcd"); // ok
 */
export function validateRunIdFormat(runId: string): void {
  // MLflow 2.17+'s `_validate_run_id`: `invalid_value("run_id", run_id)`.
  if (!RUN_ID.test(runId)) throw invalidParameter(invalidValueMessage("run_id", runId));
}

/**
 * Truncates a param or tag value over its limit (MLflow's default, `MLFLOW_TRUNCATE_LONG_VALUES`),
 * or rejects it with 400 when truncation is off.
 *
 * @example
 * limitValue("x".repeat(7000), 6000, "param", "lr", true).length; // 6000
 */
export function limitValue(value: string, limit: number, what: string, key: string, truncate: boolean): string {
  if (value.length <= limit) return value;
  if (truncate) return value.slice(0, limit);
  throw invalidParameter(`'${what}' value of '${key}' had length ${value.length}, which exceeded length limit of ${limit}`);
}

/**
 * Rejects a value over its limit with 400 (experiment tags, registry tags, dataset fields).
 *
 * @example
 * rejectLong("v", 5000, "experiment tag value");
 */
export function rejectLong(value: string, limit: number, what: string): void {
  if (value.length > limit) throw invalidParameter(`${what} had length ${value.length}, which exceeded length limit of ${limit}`);
}
