import path from "node:path";
import { fileURLToPath } from "node:url";
import { artifactScheme } from "@mlflow-ts/plugin-api";

/** A location compared as a path: a file URI or path made absolute, a URI without trailing slashes. */
function comparable(location: string, cwd: string): string {
  if (artifactScheme(location) !== "file") return location.replace(/\/+$/, "");
  const file = location.startsWith("file:") ? fileURLToPath(location) : location;
  return path.resolve(cwd, file).replace(/\/+$/, "");
}

/**
 * Why a served `--artifacts-destination` and a `--default-artifact-root` on storage cannot work
 * together, or undefined when they can. The same location is fine (the files of experiment 5 are at
 * `5/…` either way); two locations of which one holds the other are not: their files would be
 * named by different experiments — proxied paths go by their first segment, direct locations by the
 * experiment that owns them — so an experiment created at, say, `s3://b/mlflow/proxied` below a root
 * of `s3://b/mlflow` would own every proxied file, and its creator could read them.
 *
 * @example
 * nestedArtifactLocations("s3://b/mlflow/proxied", "s3://b/mlflow", "/srv"); // "…overlap…"
 * nestedArtifactLocations("s3://b/mlflow", "s3://b/mlflow", "/srv"); // undefined
 */
export function nestedArtifactLocations(destination: string, defaultRoot: string, cwd: string): string | undefined {
  if (artifactScheme(defaultRoot) === "mlflow-artifacts") return undefined;
  let a: string;
  let b: string;
  try {
    a = comparable(destination, cwd);
    b = comparable(defaultRoot, cwd);
  } catch {
    return undefined; // a malformed file URI: reported where it is opened
  }
  if (a === b || !(a.startsWith(`${b}/`) || b.startsWith(`${a}/`))) return undefined;
  const [outer, inner] = a.startsWith(`${b}/`) ? [`the default artifact root ${defaultRoot}`, `the artifacts destination ${destination}`] : [`the artifacts destination ${destination}`, `the default artifact root ${defaultRoot}`];
  return `${outer} contains ${inner}: the same files would belong to different experiments (one created at the inner location would own the other's files). Use one location for both, or two that do not contain each other`;
}
