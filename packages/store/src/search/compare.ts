import { sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import { invalidParameter } from "@mlflow-ts/protocol";
import type { DialectName } from "../create-database.js";
import type { Comparison, Comparator } from "./parse-filter.js";

const STRING_OPS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
const NUMERIC_OPS: readonly Comparator[] = ["=", "!=", "<", "<=", ">", ">="];

/**
 * A string comparison of `column` with the clause's value. `=`, `!=` and `LIKE` are case-sensitive
 * everywhere: SQLite runs with `case_sensitive_like`, and on MySQL, whose collations ignore case,
 * the comparison is repeated on the binary value (as MLflow does, the plain one first so an index
 * still serves it). `ILIKE` compares lower-cased on every dialect.
 *
 * @example
 * eb.exists(sub.where((eb) => stringCompare(eb, "p.value", clause, ["=", "!=", "LIKE", "ILIKE"], "params.p", dialect)));
 */
export function stringCompare(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eb: ExpressionBuilder<any, any>,
  column: string,
  clause: Comparison,
  allowed: readonly Comparator[],
  label: string,
  dialect: DialectName,
): Expression<SqlBool> {
  if (!allowed.includes(clause.comparator)) {
    throw invalidParameter(`Invalid comparator '${clause.comparator}' for '${label}'. Only ${allowed.join(", ")} are allowed.`);
  }
  if (clause.comparator === "IN" || clause.comparator === "NOT IN") {
    if (!Array.isArray(clause.value)) throw invalidParameter(`'${label}' ${clause.comparator} needs a list of quoted strings`);
    // A list emptied by lowerCaseIds: SQL has no `in ()`.
    if (clause.value.length === 0) return sql<SqlBool>`${sql.lit(clause.comparator === "IN" ? 0 : 1)} = 1`;
    return eb(eb.ref(column), clause.comparator === "IN" ? "in" : "not in", clause.value as string[]);
  }
  if (clause.numeric || typeof clause.value !== "string") {
    throw invalidParameter(`Invalid value for '${label}': expected a quoted string, got ${JSON.stringify(clause.value)}`);
  }
  if (clause.comparator === "ILIKE") return sql<SqlBool>`lower(${eb.ref(column)}) like lower(${clause.value})`;
  if (clause.comparator === "RLIKE") {
    checkRegex(clause.value, label);
    const r = eb.ref(column);
    if (dialect === "postgres") return sql<SqlBool>`${r} ~ ${clause.value}`;
    if (dialect === "mysql") return sql<SqlBool>`cast(${r} as binary) regexp ${clause.value}`;
    return sql<SqlBool>`${r} regexp ${clause.value}`;
  }
  const ref = eb.ref(column);
  if (dialect === "mysql") {
    if (clause.comparator === "LIKE") return sql<SqlBool>`(${ref} like ${clause.value} and binary ${ref} like ${clause.value})`;
    if (clause.comparator === "=") return sql<SqlBool>`(${ref} = ${clause.value} and binary ${ref} = ${clause.value})`;
    return sql<SqlBool>`(${ref} != ${clause.value} or binary ${ref} != ${clause.value})`;
  }
  if (clause.comparator === "LIKE") return eb(ref, "like", clause.value);
  return eb(ref, clause.comparator === "=" ? "=" : "!=", clause.value);
}

/**
 * The run IDs of an `IN` list that MLflow keeps (`_parse_run_ids`): those Python's `str.islower()`
 * accepts, i.e. with a cased letter and no upper-case one. Run IDs it makes are lower-case hex and
 * MySQL's `IN` ignores case, so MLflow drops the others on every database, and so does this.
 *
 * @example
 * lowerCaseIds(["a1b2", "A1B2", "12"]); // ["a1b2"]
 */
export function lowerCaseIds(ids: readonly string[]): string[] {
  return ids.filter((id) => id !== id.toUpperCase() && id === id.toLowerCase());
}

// A quantified group that itself ends in a quantifier ("(a+)+", "(x*)*", "(a|b+){2,}"): the shape
// of patterns whose matching time explodes (ReDoS). SQLite's REGEXP runs in this process.
const NESTED_QUANTIFIER = /\([^()]*[+*}][^()]*\)\s*[+*{]/;

/**
 * Refuses an RLIKE pattern that is not a regular expression, or whose nested quantifiers could
 * make matching take exponential time, with 400 (never a database error).
 *
 * @example
 * checkRegex("^tr-[0-9a-f]+$", "request_id"); // ok
 */
export function checkRegex(pattern: string, label: string): void {
  try {
    new RegExp(pattern, "u");
  } catch {
    throw invalidParameter(`Invalid regular expression for '${label}': '${pattern}'`);
  }
  if (NESTED_QUANTIFIER.test(pattern)) throw invalidParameter(`Invalid regular expression for '${label}': nested quantifiers ('(a+)+') are not allowed`);
}

/**
 * A numeric comparison of `column` with the clause's value (`=`, `!=`, `<`, `<=`, `>`, `>=`).
 *
 * @example
 * numberCompare(eb, "runs.start_time", clause, "start_time");
 */
export function numberCompare(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eb: ExpressionBuilder<any, any>,
  column: string,
  clause: Comparison,
  label = column,
): Expression<SqlBool> {
  if (!NUMERIC_OPS.includes(clause.comparator)) {
    throw invalidParameter(`Invalid comparator '${clause.comparator}' for '${label}'. Only ${NUMERIC_OPS.join(", ")} are allowed.`);
  }
  const value = typeof clause.value === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(clause.value) ? Number(clause.value) : clause.value;
  if (typeof value !== "number") {
    throw invalidParameter(`Expected a numeric value for '${label}', but got ${JSON.stringify(clause.value)}`);
  }
  return eb(eb.ref(column), clause.comparator as "=" | "!=" | "<" | "<=" | ">" | ">=", value);
}

/**
 * Validates a `max_results` against its bounds.
 *
 * @example
 * checkMaxResults(1000, 50000, "search_runs");
 */
export function checkMaxResults(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalidParameter(`Invalid value ${value} for parameter 'max_results' supplied. It must be at most ${max} and at least 1 for ${what}.`);
  }
}

/**
 * `EXISTS` a key/value row (a tag or param) of the outer entity whose value satisfies the clause:
 * how tag and param filters read on experiments, runs and logged models alike. Entities without
 * the key never match, `!=` included, as in MLflow.
 *
 * @example
 * q.where((eb) => keyValueExists(eb, "tags", ["run_uuid", "runs.run_uuid"], clause, "tags.team", dialect));
 */
export function keyValueExists(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eb: ExpressionBuilder<any, any>,
  table: string,
  [innerKey, outerRef, keyColumn = "key", valueColumn = "value"]: readonly [string, string, string?, string?],
  clause: Comparison,
  label: string,
  dialect: DialectName,
): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom(`${table} as kv`)
      .select(`kv.${keyColumn}`)
      .whereRef(`kv.${innerKey}`, "=", outerRef)
      .where((inner) => stringCompare(inner, `kv.${keyColumn}`, { ...clause, comparator: "=", value: clause.key, numeric: false }, ["="], label, dialect))
      .where((inner) => stringCompare(inner, `kv.${valueColumn}`, clause, STRING_OPS, label, dialect)),
  );
}
