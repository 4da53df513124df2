import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where an artifact URI's files live, as far as this server can reach them. */
export type ArtifactLocation =
  | { readonly kind: "proxied"; readonly relative: string }
  | { readonly kind: "local"; readonly directory: string }
  | { readonly kind: "unsupported"; readonly uri: string };

const PROXY_ANCHOR = "/api/2.0/mlflow-artifacts/artifacts/";

/**
 * Maps a run's or model's artifact URI to storage: `mlflow-artifacts:/…` (and the
 * `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…` form) to a path under the proxied
 * destination; local paths and `file:` URIs to a directory; anything else (s3://, gs://…) is not
 * reachable from here.
 *
 * @example
 * artifactLocation("mlflow-artifacts:/1/abc/artifacts"); // { kind: "proxied", relative: "1/abc/artifacts" }
 */
export function artifactLocation(uri: string): ArtifactLocation {
  if (uri.startsWith("mlflow-artifacts:")) {
    const rest = uri.slice("mlflow-artifacts:".length);
    // mlflow-artifacts://host:port/path names a server; the path is what matters here.
    const p = rest.startsWith("//") ? rest.slice(rest.indexOf("/", 2) === -1 ? rest.length : rest.indexOf("/", 2)) : rest;
    return { kind: "proxied", relative: p.replace(/^\/+/, "") };
  }
  if (/^https?:\/\//.test(uri) && uri.includes(PROXY_ANCHOR)) {
    return { kind: "proxied", relative: uri.slice(uri.indexOf(PROXY_ANCHOR) + PROXY_ANCHOR.length) };
  }
  if (uri.startsWith("file:")) return { kind: "local", directory: fileURLToPath(uri.startsWith("file://") ? uri : `file://${uri.slice(5)}`) };
  if (path.isAbsolute(uri)) return { kind: "local", directory: uri };
  return { kind: "unsupported", uri };
}

/**
 * The path of a location below a default artifact root on storage (`s3://bucket/prefix`: direct
 * mode, read through the root's repository), as the server reads it: "" for the root itself,
 * undefined when the root is not on storage (proxied, local) or the location is not below it.
 * Not yet checked for unsafe segments.
 *
 * @example
 * belowStorageRoot("s3://mlflow/direct/1/0a1b/artifacts", "s3://mlflow/direct"); // "1/0a1b/artifacts"
 * belowStorageRoot("s3://mlflow/direct2/x", "s3://mlflow/direct");                // undefined
 */
export function belowStorageRoot(uri: string, root: string): string | undefined {
  if (artifactLocation(root).kind !== "unsupported") return undefined;
  const base = root.replace(/\/+$/, "");
  const full = uri.replace(/\/+$/, "");
  if (full === base) return "";
  return full.startsWith(`${base}/`) ? full.slice(base.length + 1) : undefined;
}
