import { sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import type { DialectName } from "../create-database.js";

/**
 * What a caller may read, as a search narrows it in SQL: `only` these keys, or all `except`
 * these. The store's copy of plugin-api's `ReadableSet` (the store does not depend on plugin-api).
 */
export interface ReadableKeys {
  readonly only?: readonly string[];
  readonly except?: readonly string[];
}

// A caller's readable set is one cached object reused by all their searches: its keys are
// converted and serialised once, not per search (5,000 names: ≈ 0.7 ms).
const convertedKeys = new WeakMap<readonly string[], unknown[]>();
const serialised = new WeakMap<readonly unknown[], string>();

function converted<K>(list: readonly string[], toKey: (key: string) => K | undefined): K[] {
  let keys = convertedKeys.get(list) as K[] | undefined;
  if (!keys) convertedKeys.set(list, (keys = [...new Set(list.map(toKey).filter((k): k is K => k !== undefined))]));
  return keys;
}

function asJson(list: readonly unknown[]): string {
  let text = serialised.get(list);
  if (text === undefined) serialised.set(list, (text = JSON.stringify(list)));
  return text;
}

/**
 * The condition a search adds for a {@link ReadableKeys} on one column: `column IN (only)` (never
 * true when `only` is empty) and/or `column NOT IN (except)`. `toKey` converts each key to the
 * column's type and drops keys that cannot name a row (a non-numeric experiment ID).
 *
 * A caller may hold thousands of grants. A list of thousands of placeholders costs more to prepare
 * than the search itself (5,000 names: 9.5 ms against 3.1 ms on SQLite), so the list goes as ONE
 * parameter where the dialect can unpack it: a JSON array through `json_each` on SQLite, an array
 * with `= ANY` on PostgreSQL. MySQL keeps the plain list (JSON_TABLE's column collation would not
 * compare as the name column does).
 *
 * @example
 * q = q.where((eb) => readableCondition(eb, "experiments.experiment_id", input.readable, experimentIdNumber, "sqlite"));
 */
export function readableCondition<K extends string | number>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eb: ExpressionBuilder<any, any>,
  column: string,
  readable: ReadableKeys,
  toKey: (key: string) => K | undefined,
  dialect: DialectName,
): Expression<SqlBool> {
  const keys = (list: readonly string[]) => converted(list, toKey);
  const inList = (list: K[], negate: boolean): Expression<SqlBool> => {
    const ref = sql.ref(column);
    if (dialect === "sqlite") return negate ? sql<SqlBool>`${ref} not in (select value from json_each(${asJson(list)}))` : sql<SqlBool>`${ref} in (select value from json_each(${asJson(list)}))`;
    if (dialect === "postgres") {
      const array = typeof list[0] === "number" ? sql`${list}::bigint[]` : sql`${list}::text[]`;
      return negate ? sql<SqlBool>`not (${ref} = any(${array}))` : sql<SqlBool>`${ref} = any(${array})`;
    }
    return eb(column, negate ? "not in" : "in", list);
  };
  const conditions: Expression<SqlBool>[] = [];
  if (readable.only) {
    const only = keys(readable.only);
    conditions.push(only.length === 0 ? sql<SqlBool>`1 = 0` : inList(only, false));
  }
  if (readable.except) {
    const except = keys(readable.except);
    if (except.length > 0) conditions.push(inList(except, true));
  }
  return conditions.length === 0 ? sql<SqlBool>`1 = 1` : eb.and(conditions);
}
