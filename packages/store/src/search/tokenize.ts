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

function readQuoted(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  let value = "";
  let i = start + 1;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === "\\" && i + 1 < input.length) {
      value += input[i + 1];
      i += 2;
      continue;
    }
    if (ch === quote) {
      // SQL-style doubled quote inside a string.
      if (input[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i += 1;
  }
  throw invalidParameter(`Invalid search expression: unterminated quote in '${input}'`);
}

/**
 * Splits a filter or order-by string into tokens. An identifier is `[entity.]key`, where the key
 * part may be quoted with backticks or double quotes (``tags.`my-key` ``, `metrics."a b"`).
 * A double-quoted string that is not glued to an entity prefix is a string value, as in MLflow.
 *
 * @example
 * tokenize("metrics.rmse < 0.8"); // [ident metrics/rmse, op <, number 0.8]
 */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ kind: "punct", value: ch });
      i += 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const { value, end } = readQuoted(input, i);
      tokens.push({ kind: "string", value });
      i = end;
      continue;
    }
    if (ch === "`") {
      const { value, end } = readQuoted(input, i);
      tokens.push({ kind: "ident", entity: undefined, key: value, text: input.slice(i, end) });
      i = end;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(input.slice(i));
    if (op) {
      tokens.push({ kind: "op", value: op[1] === "<>" ? "!=" : op[1]! });
      i += op[1]!.length;
      continue;
    }
    const num = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(input.slice(i));
    if (num && !/[A-Za-z_]/.test(input[i + num[0].length] ?? "")) {
      tokens.push({ kind: "number", value: Number(num[0]), text: num[0] });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.:/-]*/.exec(input.slice(i));
    if (word) {
      let text = word[0];
      let end = i + text.length;
      // A trailing hyphen-free word that ends with '.' may continue with a quoted key.
      if (text.endsWith(".") && (input[end] === "`" || input[end] === '"')) {
        const { value, end: qEnd } = readQuoted(input, end);
        const entity = text.slice(0, -1);
        tokens.push({ kind: "ident", entity, key: value, text: input.slice(i, qEnd) });
        i = qEnd;
        continue;
      }
      const upper = text.toUpperCase();
      if (KEYWORDS.has(upper)) {
        tokens.push({ kind: "keyword", value: upper as never });
        i = end;
        continue;
      }
      text = input.slice(i, end);
      const dot = text.indexOf(".");
      if (dot > 0) tokens.push({ kind: "ident", entity: text.slice(0, dot), key: text.slice(dot + 1), text });
      else tokens.push({ kind: "ident", entity: undefined, key: text, text });
      i = end;
      continue;
    }
    throw invalidParameter(`Invalid clause(s) in search expression '${input}': unexpected character '${ch}'`);
  }
  return tokens;
}
