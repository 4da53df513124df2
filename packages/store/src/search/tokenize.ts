import { invalidParameter } from "@mlflow-ts/protocol";

/** A token of MLflow's search grammar. */
export type Token =
  | { readonly kind: "ident"; readonly entity: string | undefined; readonly key: string; readonly text: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number; readonly text: string }
  | { readonly kind: "op"; readonly value: string }
  | { readonly kind: "keyword"; readonly value: "AND" | "LIKE" | "ILIKE" | "IN" | "NOT" | "ASC" | "DESC" | "IS" | "NULL" }
  | { readonly kind: "punct"; readonly value: "(" | ")" | "," };

const KEYWORDS = new Set(["AND", "LIKE", "ILIKE", "IN", "NOT", "ASC", "DESC", "IS", "NULL"]);

// Sticky (`y`) patterns match at `lastIndex`, with no slice of the rest of the input per token.
const SPACE = /\s+/y;
const NUMBER = /[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/y;
const WORD = /[A-Za-z_][A-Za-z0-9_.:/-]*/y;
const LETTER = /[A-Za-z_]/;
/** A run of characters with no meaning inside each kind of quote. */
const PLAIN: Readonly<Record<string, RegExp>> = { "'": /[^'\\]+/y, '"': /[^"\\]+/y, "`": /[^`\\]+/y };

function matchAt(pattern: RegExp, input: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(input)?.[0];
}

function readQuoted(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  const plain = PLAIN[quote]!;
  const parts: string[] = [];
  let i = start + 1;
  while (i < input.length) {
    const run = matchAt(plain, input, i);
    if (run !== undefined) {
      parts.push(run);
      i += run.length;
      continue;
    }
    const ch = input[i]!;
    if (ch === "\\" && i + 1 < input.length) {
      parts.push(input[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === quote) {
      // SQL-style doubled quote inside a string.
      if (input[i + 1] === quote) {
        parts.push(quote);
        i += 2;
        continue;
      }
      return { value: parts.join(""), end: i + 1 };
    }
    parts.push(ch);
    i += 1;
  }
  throw invalidParameter(`Invalid search expression: unterminated quote in '${input}'`);
}

/** The comparison operator starting at `i`, if any. */
function operatorAt(input: string, i: number): string | undefined {
  const ch = input[i];
  const next = input[i + 1];
  if (ch === "=") return "=";
  if (ch === "!") return next === "=" ? "!=" : undefined;
  if (ch === "<") return next === "=" ? "<=" : next === ">" ? "<>" : "<";
  if (ch === ">") return next === "=" ? ">=" : ">";
  return undefined;
}

/**
 * Reads a filter or order-by string token by token, as the parser asks for them: a filter that is
 * wrong early is refused without reading the rest. An identifier is `[entity.]key`, where the key
 * part may be quoted with backticks or double quotes (``tags.`my-key` ``, `metrics."a b"`).
 * A double-quoted string that is not glued to an entity prefix is a string value, as in MLflow.
 *
 * @example
 * [...scanTokens("metrics.rmse < 0.8")]; // [ident metrics/rmse, op <, number 0.8]
 */
export function* scanTokens(input: string): Generator<Token, void, undefined> {
  let i = 0;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    // ASCII blanks directly; anything else that \s knows (no-break space, …) through the pattern.
    if (code === 32 || (code >= 9 && code <= 13)) {
      i += 1;
      continue;
    }
    if (code > 127) {
      const space = matchAt(SPACE, input, i);
      if (space !== undefined) {
        i += space.length;
        continue;
      }
    }
    const ch = input[i]!;
    if (ch === "(" || ch === ")" || ch === ",") {
      yield { kind: "punct", value: ch };
      i += 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const { value, end } = readQuoted(input, i);
      yield { kind: "string", value };
      i = end;
      continue;
    }
    if (ch === "`") {
      const { value, end } = readQuoted(input, i);
      yield { kind: "ident", entity: undefined, key: value, text: input.slice(i, end) };
      i = end;
      continue;
    }
    const op = operatorAt(input, i);
    if (op !== undefined) {
      yield { kind: "op", value: op === "<>" ? "!=" : op };
      i += op.length;
      continue;
    }
    const num = matchAt(NUMBER, input, i);
    if (num !== undefined && !LETTER.test(input[i + num.length] ?? "")) {
      yield { kind: "number", value: Number(num), text: num };
      i += num.length;
      continue;
    }
    const word = matchAt(WORD, input, i);
    if (word !== undefined) {
      const end = i + word.length;
      // A word that ends with '.' may continue with a quoted key.
      if (word.endsWith(".") && (input[end] === "`" || input[end] === '"')) {
        const { value, end: qEnd } = readQuoted(input, end);
        yield { kind: "ident", entity: word.slice(0, -1), key: value, text: input.slice(i, qEnd) };
        i = qEnd;
        continue;
      }
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) yield { kind: "keyword", value: upper as never };
      else {
        const dot = word.indexOf(".");
        if (dot > 0) yield { kind: "ident", entity: word.slice(0, dot), key: word.slice(dot + 1), text: word };
        else yield { kind: "ident", entity: undefined, key: word, text: word };
      }
      i = end;
      continue;
    }
    throw invalidParameter(`Invalid clause(s) in search expression '${input}': unexpected character '${ch}'`);
  }
}

/**
 * All the tokens of a string at once (see {@link scanTokens}).
 *
 * @example
 * tokenize("metrics.rmse < 0.8"); // [ident metrics/rmse, op <, number 0.8]
 */
export function tokenize(input: string): Token[] {
  return [...scanTokens(input)];
}
