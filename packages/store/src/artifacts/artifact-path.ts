import { invalidParameter } from "@mlflow-ts/protocol";

function decodeFully(text: string): string {
  let current = text;
  for (let i = 0; i < 4; i += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * Checks an artifact path relative to the artifact root and returns its clean segments. Refused
 * with 400: absolute paths, drive letters, `..` or `.` segments (also when URL-encoded, once or
 * more), backslashes, NUL bytes and segments over 255 bytes. An empty path is the root.
 *
 * @example
 * artifactSegments("1/abc/artifacts/model/MLmodel"); // ["1", "abc", "artifacts", "model", "MLmodel"]
 * artifactSegments("../etc/passwd");                 // throws 400
 */
export function artifactSegments(path: string): string[] {
  const decoded = decodeFully(path);
  // MLflow answers every unsafe path with exactly this message (validate_path_is_safe).
  if (path.includes("\0") || decoded.includes("\0")) throw invalidParameter("Invalid path");
  for (const candidate of [path, decoded]) {
    if (candidate.startsWith("/") || candidate.startsWith("\\") || /^[a-zA-Z]:/.test(candidate) || candidate.includes("\\")) throw invalidParameter("Invalid path");
    const segments = candidate.split("/").filter((s) => s !== "");
    if (segments.some((s) => s === ".." || s === ".")) throw invalidParameter("Invalid path");
  }
  const segments = path.split("/").filter((s) => s !== "");
  // Filesystems refuse names over 255 bytes (ENAMETOOLONG): say so before touching one.
  if (segments.some((s) => Buffer.byteLength(s) > 255)) throw invalidParameter(`Invalid artifact path: a path segment is longer than 255 bytes`);
  return segments;
}
