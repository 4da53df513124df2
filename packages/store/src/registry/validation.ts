import path from "node:path";
import { STAGES, invalidParameter, type KeyValue, type Stage } from "@mlflow-ts/protocol";
import { rejectLong, validateKey } from "../validation.js";
import type { TrackingContext } from "../tracking/context.js";

/** Registry tag limits (model and version tags are not truncated). */
export const REGISTRY_TAG_VALUE_LIMIT = 5000;

/** Checks a registered model name: non-empty. */
export function validateModelName(name: string): void {
  if (name.trim() === "") throw invalidParameter("Registered model name cannot be empty.");
  rejectLong(name, 256, "Registered model name");
}

/** Parses a version string: it must be integer-like. */
export function parseVersion(version: string | number): number {
  const text = String(version).trim();
  // MLflow 3's wording (2.x: "Model version must be an integer").
  // A negative version parses, as Python's int() reads it, and then names no version (404).
  if (!/^-?\d{1,9}$/.test(text)) throw invalidParameter(`Parameter 'version' must be an integer, got '${version}'.`);
  return Number(text);
}

/**
 * Checks a registry tag key and value against what the database holds: VARCHAR(5000), except
 * version tags from MLflow 3.0.1 on (bda7b8c39065), which are TEXT — 100,000 characters as
 * MLflow 3 allows (prompts), and on MySQL, whose TEXT holds 65,535 bytes, no more bytes than that.
 *
 * @example
 * validateRegistryTag({ key: "team", value: "vision" }, ctx);
 */
export function validateRegistryTag(tag: KeyValue, ctx: TrackingContext, versionTag = false): void {
  validateKey(tag.key, "tag");
  const text = versionTag && ctx.schema.atLeast("bda7b8c39065");
  const limit = text ? 100_000 : REGISTRY_TAG_VALUE_LIMIT;
  const what = tag.key === "mlflow.prompt.text" ? "Prompt text" : `Registry tag value of '${tag.key}'`;
  if (tag.value.length > limit) throw invalidParameter(`${what} exceeds the maximum length of ${limit} characters (got ${tag.value.length}).`);
  if (text && ctx.database.dialect === "mysql" && Buffer.byteLength(tag.value) > 65_535) {
    throw invalidParameter(`${what} exceeds the 65,535 bytes a MySQL TEXT column holds.`);
  }
}

/**
 * Parses a stage name without regard to case.
 *
 * @example
 * parseStage("production"); // "Production"
 */
export function parseStage(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(", ")}.`);
  return found;
}

/**
 * Checks an alias: 1–255 letters, digits, `_` and `-`; not `latest`; not `v<digits>`.
 *
 * @example
 * validateAlias("champion");
 */
export function validateAlias(alias: string): void {
  if (!/^[\w-]{1,255}$/.test(alias)) {
    throw invalidParameter(`Invalid alias name: '${alias}'. Aliases may only contain alphanumerics, underscores (_) and dashes (-), and be 1 to 255 characters long.`);
  }
  if (alias.toLowerCase() === "latest") throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  if (/^v\d+$/i.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
}

/**
 * Whether a model-version source is a local path: no scheme, or `file:` (MLflow's `is_local_uri`).
 * A `file:` URI naming another host is refused, as MLflow refuses it (400 here, not MLflow's 500).
 *
 * @example
 * isLocalSource("/tmp/model"); // true
 * isLocalSource("s3://bucket/model"); // false
 */
export function isLocalSource(source: string): boolean {
  const scheme = /^([a-zA-Z][\w+.-]*):/.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined) return true;
  if (scheme !== "file") return false;
  const host = /^file:\/\/([^/]*)/i.exec(source)?.[1]?.split(":")[0] ?? "";
  if (host !== "" && host !== "." && !host.startsWith("localhost") && !host.startsWith("127.0.0.1")) {
    throw invalidParameter(`${source} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`);
  }
  return true;
}

/**
 * Python's `urllib.parse.unquote_plus`: `+` is a space, each run of `%xx` is UTF-8 (undecodable
 * bytes become U+FFFD) and a `%` not followed by two hex digits stays as it is. Lenient on purpose:
 * `decodeURIComponent` gives up on the whole text at one bad escape (`%zz/%2e%2e`), which would let
 * an encoded `..` through that MLflow decodes and refuses.
 */
function unquotePlus(text: string): string {
  return text.replace(/\+/g, " ").replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"));
}

/** Unquotes until nothing changes, as MLflow's loop does (bounded: each round must shorten the text). */
function unquoteFully(text: string): string {
  let current = text;
  for (;;) {
    const next = unquotePlus(current);
    if (next === current || next.length >= current.length) return next;
    current = next;
  }
}

/** The path of a local source (a `file:` URI's path, or the path itself), made absolute and normalised. */
function localPath(source: string, cwd: string): string {
  const raw = /^file:/i.test(source) ? decodeURIComponent(source.replace(/^file:(\/\/[^/]*)?/i, "")) : source;
  return path.resolve(cwd, raw);
}

/**
 * Checks a model-version source as MLflow does. A local path (or `file:` URI) needs the version's
 * run, and must lie inside the run's (local) artifact directory once resolved. Any other URI must
 * name an absolute path without relative parts — no `..`, `.`, NUL, even percent-encoded — so that
 * an `mlflow-artifacts:` or http source cannot climb out of the artifact root. That is MLflow 3.6's
 * `_validate_source_run` / `_validate_non_local_source_contains_relative_paths`
 * (mlflow/server/handlers.py), with the `..`-segment rule MLflow 2.17 added.
 *
 * @example
 * validateSource("runs:/abc/model", undefined); // ok
 * validateSource("mlflow-artifacts:/../../etc", undefined); // throws 400
 */
export function validateSource(source: string, runArtifactUri: string | undefined, cwd = process.cwd(), owner: "run_id" | "model_id" = "run_id"): void {
  if (source.trim() === "") throw invalidParameter("Missing value for required parameter 'source'.");
  if (isLocalSource(source)) {
    const resolved = localPath(source, cwd);
    if (runArtifactUri !== undefined && isLocalSource(runArtifactUri)) {
      const root = localPath(runArtifactUri, cwd);
      if (resolved === root || resolved.startsWith(`${root}${path.sep}`)) return;
    }
    // With a model_id, MLflow 3 checks the logged model's artifact directory instead (`_validate_source_model`).
    throw invalidParameter(
      `Invalid model version source: '${resolved}'. To use a local path as a model version source, the ${owner} request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the ${owner}.`,
    );
  }
  const unquoted = unquoteFully(source);
  let sourcePath: string;
  try {
    sourcePath = new URL(unquoted).pathname;
  } catch {
    sourcePath = unquoted.replace(/^[a-zA-Z][\w+.-]*:(\/\/[^/]*)?/, "").split(/[?#]/)[0]!;
  }
  sourcePath = sourcePath.replace(/\/+$/, "").replace(/\/+/g, "/");
  // WHATWG URL normalises '..' away in special schemes: the raw path decides for those.
  const rawPath = unquoted.replace(/^[a-zA-Z][\w+.-]*:(\/\/[^/]*)?/, "").split(/[?#]/)[0]!.replace(/\/+$/, "").replace(/\/+/g, "/");
  // MLflow 2.17+ also refuses a `..` segment anywhere in the unquoted source, query and fragment
  // included (`dbfs:/<run>/artifacts/a%3f/../../..`: the path ends at the encoded `?`).
  const bad =
    unquoted.split("/").some((segment) => segment === "..") ||
    [sourcePath, rawPath].some((p) => p.includes("\u0000") || !p.startsWith("/") || path.posix.normalize(p) !== p);
  if (bad) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    );
  }
}
