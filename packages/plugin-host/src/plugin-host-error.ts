/**
 * The plugin host's start-up errors, each with a stable code and a fix in its message.
 *
 * | code | meaning | how to fix |
 * |---|---|---|
 * | `ERR_APP_NOT_FOUND` | no installed package declares that `mlflow.app` name (exit 2) | install the package, or pick one of the listed apps |
 * | `ERR_APP_CLIENT_NOT_FOUND` | no installed package declares that `mlflow.app.client` name | as above |
 * | `ERR_APP_LOAD_FAILED` | the app's module (or one of its own dependencies) failed to load | the original error is attached; install the missing dependency or fix the module |
 * | `ERR_APP_INVALID` | the export is neither a factory function nor an Express app | export `defineApp(...)` from the module the entry point names |
 * | `ERR_ARTIFACT_REPOSITORY_NOT_FOUND` | no installed package declares a `mlflow.artifact_repository` for a location's URI scheme (exit 2) | install the package for that scheme (`npm install @mlflow-ts/artifacts-s3` for `s3`), or use a scheme that is installed |
 * | `ERR_APP_INCOMPATIBLE` | the package's `@mlflow-ts/plugin-api` peer range excludes this host | upgrade the app or the host so the ranges meet |
 * | `ERR_APP_CONFLICT` | two apps of one server claim the same route or UI page, both identify callers, or one is named twice (exit 2) | drop one of them, or ask their authors to change the route |
 *
 * @example
 * throw new PluginHostError("ERR_APP_NOT_FOUND", "No app named 'x'. Available apps: …");
 */
export class PluginHostError extends Error {
  override readonly name = "PluginHostError";
  readonly exitCode: number;
  constructor(
    readonly code: "ERR_APP_NOT_FOUND" | "ERR_APP_CLIENT_NOT_FOUND" | "ERR_ARTIFACT_REPOSITORY_NOT_FOUND" | "ERR_APP_LOAD_FAILED" | "ERR_APP_INVALID" | "ERR_APP_INCOMPATIBLE" | "ERR_APP_CONFLICT",
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = code === "ERR_APP_NOT_FOUND" || code === "ERR_APP_CLIENT_NOT_FOUND" || code === "ERR_ARTIFACT_REPOSITORY_NOT_FOUND" || code === "ERR_APP_CONFLICT" ? 2 : 1;
  }
}

/**
 * Whether `x` is a {@link PluginHostError}, judged by name (a second copy of this package may
 * be installed).
 *
 * @example
 * if (isPluginHostError(e)) process.exitCode = e.exitCode;
 */
export function isPluginHostError(x: unknown): x is PluginHostError {
  return typeof x === "object" && x !== null && (x as { name?: unknown }).name === "PluginHostError" && typeof (x as { code?: unknown }).code === "string";
}
