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
