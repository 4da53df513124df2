/**
 * A start-up error with a stable code and a fix, printed instead of a stack trace.
 *
 * | code | meaning | how to fix |
 * |---|---|---|
 * | `ERR_CONFIG_INVALID` | one or more configuration values are wrong (all are listed) | correct each named flag, variable or config-file key |
 * | `ERR_CONFIG_FILE` | the config file could not be read or parsed | fix the file's syntax, or point `--config` at the right file |
 *
 * @example
 * throw new CliError("ERR_CONFIG_INVALID", ["--port: 'abc' is not a port number"]);
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly code: string,
    readonly problems: readonly string[],
    readonly exitCode = 2,
  ) {
    super(`${code}: ${problems.join("; ")}`);
  }

  /** The text printed to stderr. */
  format(): string {
    return `Error ${this.code}:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`;
  }
}

/** Whether `x` is a {@link CliError}, by name (not `instanceof`). */
export function isCliError(x: unknown): x is CliError {
  return typeof x === "object" && x !== null && (x as { name?: unknown }).name === "CliError";
}
