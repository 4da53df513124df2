import { invalidParameter } from "@mlflow-ts/protocol";

/** The parts of a URL as Python's `urllib.parse.urlparse` splits it. */
export interface UrlParts {
  readonly scheme: string;
  readonly netloc: string;
  readonly path: string;
  readonly params: string;
  readonly query: string;
  readonly fragment: string;
}

// The schemes whose last path segment urlparse reads `;params` from ('' is a plain path).
const USES_PARAMS = new Set(["", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip", "sips", "mms", "sftp", "tel"]);

/**
 * Splits a URL as Python 3.11's `urlparse` does: a scheme of letters, digits, `+-.` starting with
 * a letter; a netloc after `//`; the fragment after the first `#`, the query after the first `?`
 * before it, and `;params` in the path's last segment for the schemes that have them.
 *
 * @example
 * urlParts("mysql://h/db?driver=x").query; // "driver=x"
 * urlParts("/tmp/a#b").fragment; // "b"
 */
export function urlParts(url: string): UrlParts {
  let rest = url.replace(/[\t\r\n]/g, "");
  let scheme = "";
  const colon = rest.indexOf(":");
  if (colon > 0 && /^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? "" : rest.slice(end + 2);
  }
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  let query = "";
  const question = rest.indexOf("?");
  if (question >= 0) [rest, query] = [rest.slice(0, question), rest.slice(question + 1)];
  let params = "";
  if (USES_PARAMS.has(scheme)) {
    const semicolon = rest.indexOf(";", rest.lastIndexOf("/") + 1);
    if (semicolon >= 0) [rest, params] = [rest.slice(0, semicolon), rest.slice(semicolon + 1)];
  }
  return { scheme, netloc, path: rest, params, query, fragment };
}

/** Python's `urllib.parse.unquote`: runs of `%xx` are UTF-8 (bad bytes become U+FFFD). */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"));
}

/**
 * Refuses what MLflow's create-experiment handler refuses in an `artifact_location`: a fragment
 * or `;params` (a fragment once let run paths be resolved elsewhere), and a query that, decoded
 * until it stops changing, holds `..` (MLflow's `validate_query_string`). A plain query is kept.
 *
 * @example
 * checkArtifactLocationUrl("s3://bucket/root?versioning=on"); // fine
 * checkArtifactLocationUrl("/srv/artifacts#x"); // throws 400
 */
export function checkArtifactLocationUrl(location: string): void {
  const parts = urlParts(location);
  if (parts.fragment !== "" || parts.params !== "") {
    throw invalidParameter(`'artifact_location' URL can't include fragments or params. Given: '${location}'`);
  }
  let query = parts.query;
  for (let round = 0; ; round += 1) {
    const decoded = unquote(query);
    if (decoded === query) break;
    if (round === 10) throw invalidParameter("Invalid query string");
    query = decoded;
  }
  if (query.includes("..")) throw invalidParameter("Invalid query string");
}
