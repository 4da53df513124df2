import { artifactLocation } from "../artifacts/artifact-location.js";

/**
 * What a model version's `source` names, read one way for everyone: the store when it copies a
 * version, the server when it serves a version's files, and authorization when it checks that the
 * creator may read what the version will serve. (Two readings of one string — a regex here that
 * stops at `@`, another there that takes 32 hex digits and runs on — are how a version comes to
 * serve someone else's files.)
 *
 * - `runs:/<run>[/<path>]`: a run's artifacts; the run is the whole first segment.
 * - `models:/m-<32 hex>`: a logged model (MLflow 3).
 * - `models:/<name>/<version>`: a copy of a registered model's version (`<name>` percent-decoded).
 * - any other `models:/…` (an alias, a stage): a reference this server serves no files for.
 * - anything else: an artifact location (proxied, local or another store).
 */
export type ModelSource =
  | { readonly kind: "run"; readonly runId: string; readonly path: string }
  | { readonly kind: "logged-model"; readonly modelId: string }
  | { readonly kind: "copy"; readonly name: string; readonly version: number }
  | { readonly kind: "model-reference"; readonly names: readonly string[] }
  | { readonly kind: "location"; readonly uri: string; readonly proxied?: string };

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads a model-version source (see {@link ModelSource}).
 *
 * @example
 * parseModelSource("runs:/0a1b…/model");     // { kind: "run", runId: "0a1b…", path: "model" }
 * parseModelSource("models:/churn@prod/1");  // { kind: "copy", name: "churn@prod", version: 1 }
 */
export function parseModelSource(source: string): ModelSource {
  const run = /^runs:\/([^/]*)(?:\/(.*))?$/s.exec(source);
  if (run) return { kind: "run", runId: run[1]!, path: run[2] ?? "" };
  const logged = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(source);
  if (logged) return { kind: "logged-model", modelId: logged[1]! };
  const copy = /^models:\/([^/]+)\/(\d+)$/.exec(source);
  const name = copy ? decoded(copy[1]!) : undefined;
  if (copy && name !== undefined) return { kind: "copy", name, version: Number(copy[2]) };
  if (/^models:/.test(source)) {
    // `models:/<name>@<alias>` or `models:/<name>/<stage>`: a name may itself hold `@`, so both
    // readings are candidates.
    const first = decoded(/^models:\/*([^/]*)/.exec(source)![1]!) ?? "";
    const names = new Set([first, first.includes("@") ? first.slice(0, first.lastIndexOf("@")) : first].filter(Boolean));
    return { kind: "model-reference", names: [...names] };
  }
  const location = artifactLocation(source);
  return location.kind === "proxied" ? { kind: "location", uri: source, proxied: location.relative } : { kind: "location", uri: source };
}
