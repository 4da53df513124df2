// MLflow's text extensions (`get_text_extensions` in mlflow/utils/mime_type_utils.py): compared
// case-sensitively with the name's last extension, or with the whole name when it has none, which
// is how `MLmodel` and `mlproject` (MLflow's own spelling) are text.
const TEXT_EXTENSIONS = new Set([
  "txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml",
  "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "MLmodel", "mlproject",
]);

// The part of Python's built-in `mimetypes` table an ML artifact store meets (plus `.webp`, which
// the mime.types of Linux hosts adds), looked up as `guess_type` does: exact, then lower-case.
const TYPES: Readonly<Record<string, string>> = {
  ".avi": "video/x-msvideo", ".avif": "image/avif", ".bin": "application/octet-stream", ".bmp": "image/bmp",
  ".css": "text/css", ".csv": "text/csv", ".doc": "application/msword", ".gif": "image/gif", ".h5": "application/x-hdf5",
  ".htm": "text/html", ".html": "text/html", ".ico": "image/vnd.microsoft.icon", ".jpe": "image/jpeg", ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg", ".js": "application/javascript", ".json": "application/json", ".mjs": "application/javascript",
  ".mov": "video/quicktime", ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".mpeg": "video/mpeg", ".mpg": "video/mpeg",
  ".nc": "application/x-netcdf", ".pdf": "application/pdf", ".png": "image/png", ".ppt": "application/vnd.ms-powerpoint",
  ".ps": "application/postscript", ".py": "text/x-python", ".pyc": "application/x-python-code", ".sh": "application/x-sh",
  ".svg": "image/svg+xml", ".tar": "application/x-tar", ".tif": "image/tiff", ".tiff": "image/tiff",
  ".tsv": "text/tab-separated-values", ".txt": "text/plain", ".wasm": "application/wasm", ".wav": "audio/x-wav",
  ".webm": "video/webm", ".webp": "image/webp", ".xls": "application/vnd.ms-excel", ".xml": "text/xml", ".zip": "application/zip",
};

// `guess_type` reads a compression suffix as the encoding and types what lies underneath it
// (`a.tar.gz` is a tar); a few short suffixes stand for two.
const ENCODINGS = new Set([".gz", ".Z", ".bz2", ".xz", ".br"]);
const SUFFIXES: Readonly<Record<string, string>> = { ".svgz": ".svg.gz", ".tgz": ".tar.gz", ".taz": ".tar.gz", ".tz": ".tar.gz", ".tbz2": ".tar.bz2", ".txz": ".tar.xz" };

/** Python's `os.path.splitext` extension: leading dots of the name do not start one. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 && name.slice(0, dot).replace(/^\.+/, "") !== "" ? name.slice(dot) : "";
}

function typeOf(extension: string): string | undefined {
  return TYPES[extension] ?? TYPES[extension.toLowerCase()];
}

/**
 * The `Content-Type` MLflow's server sends for an artifact (`_guess_mime_type`): `text/plain` for
 * MLflow's text extensions and its `MLmodel` file, else the type of the extension (under any
 * compression suffix), else `application/octet-stream`. The web UI shows artifacts by these.
 *
 * @example
 * guessMimeType("model/MLmodel"); // "text/plain"
 * guessMimeType("metrics.json"); // "text/plain"
 * guessMimeType("data.tar.gz"); // "application/x-tar"
 */
export function guessMimeType(filePath: string): string {
  const name = filePath.slice(filePath.lastIndexOf("/") + 1);
  const extension = extensionOf(name);
  if (TEXT_EXTENSIONS.has(extension === "" ? name : extension.slice(1))) return "text/plain";
  let base = name;
  let ext = extension;
  if (SUFFIXES[ext] !== undefined) {
    base = base.slice(0, -ext.length) + SUFFIXES[ext];
    ext = extensionOf(base);
  }
  if (ENCODINGS.has(ext) || ENCODINGS.has(ext.toLowerCase())) {
    base = base.slice(0, -ext.length);
    ext = extensionOf(base);
  }
  return (ext === "" ? undefined : typeOf(ext)) ?? "application/octet-stream";
}
