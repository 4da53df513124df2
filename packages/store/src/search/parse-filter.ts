import { invalidParameter } from "@mlflow-ts/protocol";
import { tokenize, type Token } from "./tokenize.js";

/** A comparison operator of MLflow's filter grammar. */
export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";

/** One `<identifier> <operator> <value>` clause. */
export interface Comparison {
  /** The entity prefix as written (lower-cased), or undefined for a bare attribute. */
  readonly entity: string | undefined;
  readonly key: string;
  readonly comparator: Comparator;
  readonly value: string | number | readonly string[];
  /** Whether the value was written as a number (numbers compare numerically). */
  readonly numeric: boolean;
}

function expect(tokens: Token[], i: number, input: string): Token {
  const token = tokens[i];
  if (!token) throw invalidParameter(`Invalid search expression '${input}': the clause is incomplete`);
  return token;
}

function readList(tokens: Token[], start: number, input: string): { values: string[]; next: number } {
  const open = expect(tokens, start, input);
  if (open.kind !== "punct" || open.value !== "(") {
    throw invalidParameter(`Invalid search expression '${input}': IN requires a parenthesised list of quoted strings`);
  }
  const values: string[] = [];
  let i = start + 1;
  for (;;) {
    const item = expect(tokens, i, input);
    if (item.kind !== "string") {
      throw invalidParameter(`Invalid search expression '${input}': IN lists hold quoted strings only`);
    }
    values.push(item.value);
    if (values.length > FILTER_LIMITS.inValues) {
      throw invalidParameter(`Invalid search expression: an IN list may hold at most ${FILTER_LIMITS.inValues} values`);
    }
    const sep = expect(tokens, i + 1, input);
    i += 2;
    if (sep.kind === "punct" && sep.value === ")") break;
    if (sep.kind !== "punct" || sep.value !== ",") {
      throw invalidParameter(`Invalid search expression '${input}': expected ',' or ')' in the IN list`);
    }
  }
  return { values, next: i };
}

/**
 * The most clauses a filter may have, and the most values an IN list may hold. Each clause is a
 * join or a subquery: PostgreSQL's planner takes seconds past ~100 of them (measured: 50 clauses
 * 0.5 s, 100 clauses 2.3 s, 150 clauses 6.5 s over 200 runs), and SQLite runs out of expression
 * depth near 1,000. Real filters have a handful.
 */
export const FILTER_LIMITS = { clauses: 50, inValues: 1000 } as const;

/**
 * Parses a search filter into its comparisons: clauses joined by `AND`, no `OR`, no grouping.
 * Entity and key checks are the caller's (runs, experiments and the registry accept different ones).
 *
 * @example
 * parseFilter("metrics.rmse < 0.8 and params.model = 'lr'");
 * // [{entity: "metrics", key: "rmse", comparator: "<", value: 0.8, numeric: true}, {...}]
 */
export function parseFilter(input: string | undefined): Comparison[] {
  if (input === undefined || input.trim() === "") return [];
  const tokens = tokenize(input);
  const out: Comparison[] = [];
  let i = 0;
  while (i < tokens.length) {
    const ident = expect(tokens, i, input);
    if (ident.kind !== "ident") {
      throw invalidParameter(`Invalid clause(s) in search expression '${input}': expected an identifier`);
    }
    const opToken = expect(tokens, i + 1, input);
    let comparator: Comparator;
    let next = i + 2;
    if (opToken.kind === "op") comparator = opToken.value as Comparator;
    else if (opToken.kind === "keyword" && (opToken.value === "LIKE" || opToken.value === "ILIKE" || opToken.value === "IN")) {
      comparator = opToken.value;
    } else if (opToken.kind === "keyword" && opToken.value === "NOT") {
      const inToken = expect(tokens, i + 2, input);
      if (inToken.kind !== "keyword" || inToken.value !== "IN") {
        throw invalidParameter(`Invalid search expression '${input}': NOT is only allowed in NOT IN`);
      }
      comparator = "NOT IN";
      next = i + 3;
    } else {
      throw invalidParameter(`Invalid clause(s) in search expression '${input}': expected an operator after '${ident.text}'`);
    }
    let value: Comparison["value"];
    let numeric = false;
    if (comparator === "IN" || comparator === "NOT IN") {
      const list = readList(tokens, next, input);
      value = list.values;
      next = list.next;
    } else {
      const v = expect(tokens, next, input);
      if (v.kind === "string") value = v.value;
      else if (v.kind === "number") {
        value = v.value;
        numeric = true;
      } else {
        throw invalidParameter(
          `Invalid search expression '${input}': the value after '${ident.text} ${comparator}' must be a quoted string or a number`,
        );
      }
      next += 1;
    }
    out.push({ entity: ident.entity?.toLowerCase(), key: ident.key, comparator, value, numeric });
    if (out.length > FILTER_LIMITS.clauses) {
      throw invalidParameter(`Invalid search expression: a filter may have at most ${FILTER_LIMITS.clauses} clauses joined by AND`);
    }
    const joiner = tokens[next];
    if (joiner === undefined) break;
    if (joiner.kind !== "keyword" || joiner.value !== "AND" || next + 1 >= tokens.length) {
      throw invalidParameter(`Invalid clause(s) in search expression '${input}': clauses must be joined by AND`);
    }
    i = next + 1;
  }
  return out;
}

/** One `order_by` entry. */
export interface OrderClause {
  readonly entity: string | undefined;
  readonly key: string;
  readonly ascending: boolean;
}

/**
 * Parses one `order_by` entry: `<identifier> [ASC|DESC]`, ascending by default.
 *
 * @example
 * parseOrderBy("metrics.`val loss` DESC"); // { entity: "metrics", key: "val loss", ascending: false }
 */
export function parseOrderBy(input: string): OrderClause {
  const tokens = tokenize(input);
  const ident = tokens[0];
  if (!ident || ident.kind !== "ident" || tokens.length > 2) {
    throw invalidParameter(`Invalid order_by clause '${input}'`);
  }
  const dir = tokens[1];
  if (dir && (dir.kind !== "keyword" || (dir.value !== "ASC" && dir.value !== "DESC"))) {
    throw invalidParameter(`Invalid order_by clause '${input}': expected ASC or DESC`);
  }
  return { entity: ident.entity?.toLowerCase(), key: ident.key, ascending: dir?.value !== "DESC" };
}
