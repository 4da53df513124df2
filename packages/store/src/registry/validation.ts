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
  if (!/^\d{1,9}$/.test(text)) throw invalidParameter(`Parameter 'version' must be an integer, got '${version}'.`);
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
 * Whether a model-version source is a local path (or `file:` URI): those must lie in the artifact
 * directory of the version's run.
 *
 * @example
 * isLocalSource("/tmp/model"); // true
 */
export function isLocalSource(source: string): boolean {
  const hasScheme = /^[a-zA-Z][\w+.-]*:/.test(source) && !/^[a-zA-Z]:[\\/]/.test(source);
  return !hasScheme || source.startsWith("file:");
}

/**
 * Checks a model-version source: a URI with a scheme may not contain `..` segments (even
 * URL-encoded); a local path needs a run, whose artifact directory it must lie inside.
 */
export function validateSource(source: string, runArtifactUri: string | undefined): void {
  if (source.trim() === "") throw invalidParameter("Missing value for required parameter 'source'.");
  let decoded = source;
  for (let i = 0; i < 3; i += 1) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  const segments = decoded.split(/[\\/]+/);
  if (segments.includes("..")) throw invalidParameter(`Invalid model version source: '${source}'. It may not contain '..' segments.`);
  if (!isLocalSource(source)) return;
  if (!runArtifactUri) {
    throw invalidParameter(`Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`);
  }
  const local = source.replace(/^file:(\/\/)?/, "");
  const root = runArtifactUri.replace(/^file:(\/\/)?/, "");
  if (!(local === root || local.startsWith(root.endsWith("/") ? root : `${root}/`))) {
    throw invalidParameter(`Invalid model version source: '${source}'. The local path has to be contained within the artifact directory of the run '${runArtifactUri}'.`);
  }
}
