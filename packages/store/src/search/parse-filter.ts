import { invalidParameter } from "@mlflow-ts/protocol";
import { createTokenReader, tokenize, type Token } from "./tokenize.js";

/** A comparison operator of MLflow's filter grammar. */
export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" | "RLIKE" | "IN" | "NOT IN";

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

/** Tokens by index, read from the input only as far as the parser asks. */
type Tokens = (i: number) => Token | undefined;

function lazyTokens(input: string): Tokens {
  const next = createTokenReader(input);
  // The tokens from `base` on. The parser reads forward, looking at most 3 tokens ahead of where
  // it stands, so the ones well behind are dropped: short-lived tokens are cheap for the GC, tens
  // of thousands kept alive until the end are not.
  let window: Token[] = [];
  let base = 0;
  let done = false;
  return (i) => {
    if (window.length > 256 && i - base > 128) {
      window = window.slice(i - base - 8);
      base = i - 8;
    }
    while (!done && base + window.length <= i) {
      const token = next();
      if (token === undefined) done = true;
      else window.push(token);
    }
    return window[i - base];
  };
}

function expect(tokens: Tokens, i: number, input: string): Token {
  const token = tokens(i);
  if (!token) throw invalidParameter(`Invalid search expression '${input}': the clause is incomplete`);
  return token;
}

function readList(tokens: Tokens, start: number, input: string): { values: string[]; next: number } {
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
 * Bounds of a search's filter and order_by, each answered with a 400 naming it.
 *
 * - `clauses`, `inValues`: each clause is a join or a subquery: PostgreSQL's planner takes seconds
 *   past ~100 of them (measured: 50 clauses 0.5 s, 100 clauses 2.3 s, 150 clauses 6.5 s over 200
 *   runs), and SQLite runs out of expression depth near 1,000. Real filters have a handful.
 * - `characters`: a filter's length in UTF-16 code units (JavaScript's `length`, checked in O(1)
 *   before anything else reads the string). 50 clauses of 250-character keys and values fit many
 *   times over; at most 192 KiB of UTF-8, far below MariaDB's `max_allowed_packet`. Unbounded, a
 *   10 MB filter kept the event loop busy for seconds in the tokenizer alone.
 * - `likePatternBytes`: a LIKE/ILIKE pattern in UTF-8 bytes, the unit SQLite counts in. SQLite
 *   refuses a pattern over SQLITE_MAX_LIKE_PATTERN_LENGTH, 50,000 bytes by default ("LIKE or GLOB
 *   pattern too complex", a 500 before this bound); PostgreSQL and MySQL have no limit of their
 *   own. A fifth of SQLite's is still longer than any value a pattern is matched against (tag
 *   values hold 8,000 characters). It bounds acceptance, not cost: a pathological pattern
 *   (`%_a_a…b`) costs pattern × value length a row on every database (measured on SQLite over
 *   8,000-character values: 6 ms a row at 1,000 bytes, 26 ms at 10,000); the statement timeout
 *   bounds that on PostgreSQL and MySQL, nothing does on SQLite.
 * - `orderByCharacters`: one order_by entry; the longest valid one (a prefix, a quoted 250-character
 *   key, a direction) is under 300.
 *
 * @example
 * if (filter.length > FILTER_LIMITS.characters) throw invalidParameter("filter too long");
 */
export const FILTER_LIMITS = { clauses: 50, inValues: 1000, characters: 65_536, likePatternBytes: 10_000, orderByCharacters: 1_000 } as const;

/** A 400 for a filter over {@link FILTER_LIMITS}.characters, without echoing the filter. */
function checkFilterLength(input: string): void {
  if (input.length > FILTER_LIMITS.characters) {
    throw invalidParameter(`Invalid search filter: it is ${input.length} characters long; a filter may have at most ${FILTER_LIMITS.characters} characters`);
  }
}

/** A 400 for a LIKE/ILIKE pattern over {@link FILTER_LIMITS}.likePatternBytes UTF-8 bytes. */
function checkLikePattern(key: string, comparator: Comparator, pattern: string): void {
  // A pattern of at most limit/3 UTF-16 units is at most `limit` bytes: skip the count.
  if (pattern.length * 3 <= FILTER_LIMITS.likePatternBytes) return;
  const bytes = Buffer.byteLength(pattern);
  if (bytes > FILTER_LIMITS.likePatternBytes) {
    throw invalidParameter(
      `Invalid search filter: the ${comparator} pattern for '${key.slice(0, 250)}' is ${bytes} bytes long; a pattern may have at most ${FILTER_LIMITS.likePatternBytes} bytes (UTF-8)`,
    );
  }
}

/**
 * Parses a search filter into its comparisons: clauses joined by `AND`, no `OR`, no grouping.
 * Entity and key checks are the caller's (runs, experiments and the registry accept different ones).
 *
 * @example
 * parseFilter("metrics.rmse < 0.8 and params.model = 'lr'");
 * // [{entity: "metrics", key: "rmse", comparator: "<", value: 0.8, numeric: true}, {...}]
 */
export function parseFilter(input: string | undefined): Comparison[] {
  if (input === undefined) return [];
  // Before trim(), which copies: the length is all that is read of an over-long filter.
  checkFilterLength(input);
  if (input.trim() === "") return [];
  // Read lazily: garbage is refused at its first wrong token, not after tokenizing all of it.
  const tokens = lazyTokens(input);
  const out: Comparison[] = [];
  let i = 0;
  while (tokens(i) !== undefined) {
    const ident = expect(tokens, i, input);
    if (ident.kind !== "ident") {
      throw invalidParameter(`Invalid clause(s) in search expression '${input}': expected an identifier`);
    }
    const opToken = expect(tokens, i + 1, input);
    let comparator: Comparator;
    let next = i + 2;
    if (opToken.kind === "op") comparator = opToken.value as Comparator;
    else if (opToken.kind === "keyword" && (opToken.value === "LIKE" || opToken.value === "ILIKE" || opToken.value === "RLIKE" || opToken.value === "IN")) {
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
      if (v.kind === "string") {
        value = v.value;
        if (comparator === "LIKE" || comparator === "ILIKE" || comparator === "RLIKE") checkLikePattern(ident.key, comparator, value);
      } else if (v.kind === "number") {
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
    const joiner = tokens(next);
    if (joiner === undefined) break;
    if (joiner.kind !== "keyword" || joiner.value !== "AND" || tokens(next + 1) === undefined) {
      throw invalidParameter(`Invalid clause(s) in search expression '${input}': clauses must be joined by AND`);
    }
    i = next + 1;
  }
  return out;
}

/**
 * Throws 400 for an order_by entry (or a logged-model `field_name`) over
 * {@link FILTER_LIMITS}.orderByCharacters, before it is read any further.
 *
 * @example
 * checkOrderByLength("metrics.rmse DESC"); // ok
 */
export function checkOrderByLength(input: string): void {
  if (input.length > FILTER_LIMITS.orderByCharacters) {
    throw invalidParameter(`Invalid order_by clause: it is ${input.length} characters long; an order_by entry may have at most ${FILTER_LIMITS.orderByCharacters} characters`);
  }
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
  checkOrderByLength(input);
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
