import { sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";

/**
 * What a caller may read, as a search narrows it in SQL: `only` these keys, or all `except`
 * these. The store's copy of plugin-api's `ReadableSet` (the store does not depend on plugin-api).
 */
export interface ReadableKeys {
  readonly only?: readonly string[];
  readonly except?: readonly string[];
}

/**
 * The condition a search adds for a {@link ReadableKeys} on one column: `column IN (only)` (never
 * true when `only` is empty) and/or `column NOT IN (except)`. `toKey` converts each key to the
 * column's type and drops keys that cannot name a row (a non-numeric experiment ID).
 *
 * @example
 * q = q.where((eb) => readableCondition(eb, "experiments.experiment_id", input.readable, experimentIdNumber));
 */
export function readableCondition<K extends string | number>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eb: ExpressionBuilder<any, any>,
  column: string,
  readable: ReadableKeys,
  toKey: (key: string) => K | undefined,
): Expression<SqlBool> {
  const keys = (list: readonly string[]) => [...new Set(list.map(toKey).filter((k): k is K => k !== undefined))];
  const conditions: Expression<SqlBool>[] = [];
  if (readable.only) {
    const only = keys(readable.only);
    conditions.push(only.length === 0 ? sql<SqlBool>`1 = 0` : eb(column, "in", only));
  }
  if (readable.except) {
    const except = keys(readable.except);
    if (except.length > 0) conditions.push(eb(column, "not in", except));
  }
  return conditions.length === 0 ? sql<SqlBool>`1 = 1` : eb.and(conditions);
}
