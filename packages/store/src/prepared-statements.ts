const names = new Map<string, string>();

/**
 * Marks a constant PostgreSQL statement of a hot path to run as a named prepared statement: parsed
 * and planned once per connection instead of on every call (for the one-statement writes, planning
 * costs the database more than executing). Returns the text, so a module declares it once:
 * `const SQL = preparedStatement("…")`.
 *
 * @example
 * const GROUP_SQL = preparedStatement("select … from unnest($1::text[]) …");
 */
export function preparedStatement(text: string): string {
  if (!names.has(text)) names.set(text, `mlflow_ts_${names.size + 1}`);
  return text;
}

/**
 * The arguments of a `pg` client's `query(text, values)`, with a registered statement turned into
 * the named form `query({ name, text, values })`; others unchanged.
 *
 * @example
 * client.query(...withStatementName(args));
 */
export function withStatementName(args: unknown[]): unknown[] {
  const name = typeof args[0] === "string" ? names.get(args[0]) : undefined;
  if (name === undefined) return args;
  return [{ name, text: args[0], values: args[1] }, ...args.slice(2)];
}
