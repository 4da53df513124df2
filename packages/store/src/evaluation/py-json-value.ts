import { invalidParameter } from "@mlflow-ts/protocol";

/**
 * A JSON number as Python's `json.loads` reads it: an `int` (exact, any size) when written without
 * a fraction or exponent, else a `float`. Kept as its text, so `1.0` stays a float and
 * `12345678901234567890` stays exact: MLflow hashes and stores what Python prints back.
 *
 * @example
 * new PyNumber("1.0").isInt; // false
 */
export class PyNumber {
  constructor(
    readonly text: string,
    readonly isInt: boolean = /^-?\d+$/.test(text),
  ) {}
}

/** A value of the JSON tree {@link parsePyJson} reads: objects are `Map`s, in the order Python's dicts keep. */
export type PyJson = null | boolean | string | PyNumber | PyJson[] | PyObject;
/** A JSON object in insertion order (a later duplicate key replaces the value in place, as in Python). */
export type PyObject = Map<string, PyJson>;

/** Whether a value of the tree is a JSON object. */
export const isPyObject = (value: unknown): value is PyObject => value instanceof Map;

const MAX_DEPTH = 200;

/**
 * Parses JSON text as Python's `json.loads` does (including `NaN`, `Infinity` and `-Infinity`),
 * keeping numbers as written and object keys in order; 400 with `name` for text that is not JSON.
 *
 * @example
 * parsePyJson('{"b": 1.0, "a": [1, 2]}', "records"); // Map { "b" => PyNumber("1.0"), "a" => [...] }
 */
export function parsePyJson(text: string, name: string): PyJson {
  let i = 0;
  const fail = (what: string): never => {
    throw invalidParameter(`Invalid value for parameter '${name}': it is not valid JSON (${what} at character ${i})`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i += 1;
      else break;
    }
  };
  const str = (): string => {
    // Fast path: no escapes.
    const start = ++i;
    let out = "";
    let from = start;
    for (;;) {
      if (i >= text.length) fail("an unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(from, i);
        i += 1;
        return out;
      }
      if (c < 32) fail("a control character in a string");
      if (c === 92) {
        out += text.slice(from, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"': out += '"'; break;
          case "\\": out += "\\"; break;
          case "/": out += "/"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "n": out += "\n"; break;
          case "r": out += "\r"; break;
          case "t": out += "\t"; break;
          case "u": {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("a bad \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail("a bad escape");
        }
        from = i;
      } else i += 1;
    }
  };
  const value = (depth: number): PyJson => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    ws();
    const c = text[i];
    if (c === "{") {
      i += 1;
      const obj: PyObject = new Map();
      ws();
      if (text[i] === "}") {
        i += 1;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a missing object key");
        const key = str();
        ws();
        if (text[i] !== ":") fail("a missing ':'");
        i += 1;
        obj.set(key, value(depth + 1));
        ws();
        if (text[i] === ",") i += 1;
        else if (text[i] === "}") {
          i += 1;
          return obj;
        } else fail("a missing ',' or '}'");
      }
    }
    if (c === "[") {
      i += 1;
      const arr: PyJson[] = [];
      ws();
      if (text[i] === "]") {
        i += 1;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") i += 1;
        else if (text[i] === "]") {
          i += 1;
          return arr;
        } else fail("a missing ',' or ']'");
      }
    }
    if (c === '"') return str();
    const word = (w: string, v: PyJson): PyJson => {
      if (!text.startsWith(w, i)) fail("an unexpected character");
      i += w.length;
      return v;
    };
    switch (c) {
      case "t":
        return word("true", true);
      case "f":
        return word("false", false);
      case "n":
        return word("null", null);
      case "N":
        return word("NaN", new PyNumber("NaN", false));
      case "I":
        return word("Infinity", new PyNumber("Infinity", false));
    }
    if (c === "-" && text.startsWith("-Infinity", i)) return word("-Infinity", new PyNumber("-Infinity", false));
    // A number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    const start = i;
    let isInt = true;
    const digits = () => {
      const from = i;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d < 48 || d > 57) break;
        i += 1;
      }
      if (i === from) fail("an unexpected character");
    };
    if (text.charCodeAt(i) === 45) i += 1;
    if (text.charCodeAt(i) === 48) i += 1;
    else digits();
    if (text.charCodeAt(i) === 46) {
      i += 1;
      isInt = false;
      digits();
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      i += 1;
      isInt = false;
      const sign = text.charCodeAt(i);
      if (sign === 43 || sign === 45) i += 1;
      digits();
    }
    return new PyNumber(text.slice(start, i), isInt);
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail("extra data");
  return result;
}

/**
 * A float as Python's `repr` prints it (shortest round-trip digits; exponent form below 1e-4 and
 * from 1e16; always a `.0` otherwise), and `NaN`/`Infinity` as `json.dumps` writes them.
 *
 * @example
 * pyFloat(1); // "1.0"
 * pyFloat(1e-5); // "1e-05"
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp >= 0) return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, "0")}.${digits.slice(exp + 1) || "0"}`;
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

function numberText(n: PyNumber): string {
  if (n.isInt) return /^-0+$/.test(n.text) ? "0" : n.text;
  return pyFloat(Number(n.text));
}

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A string as `json.dumps` writes it with `ensure_ascii=True`: every non-ASCII unit as `\uXXXX` (lower-case hex). */
function asciiString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x20-\x7e]|["\\]/.test(s)) return `"${s}"`;
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/[^\x20-\x7e]|["\\]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

// Python sorts keys by code point; JavaScript's default sort compares UTF-16 units, which is the
// same order unless a key holds a surrogate pair.
const SURROGATE = /[\ud800-\udfff]/;
const byCodePoint = (a: string, b: string): number => {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = [...a];
  const y = [...b];
  for (let k = 0; k < Math.min(x.length, y.length); k += 1) {
    const d = x[k]!.codePointAt(0)! - y[k]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

/**
 * JSON text exactly as Python's `json.dumps(value)` writes it (`", "` and `": "`, `ensure_ascii`),
 * with `sort_keys=True` when `sortKeys` is set. MLflow hashes a record's inputs this way and
 * stores JSON columns this way.
 *
 * @example
 * pyDumps(parsePyJson('{"b": 1.0, "a": "é"}', "x"), true); // '{"a": "\\u00e9", "b": 1.0}'
 */
export function pyDumps(value: PyJson, sortKeys = false): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return asciiString(value);
  if (value instanceof PyNumber) return numberText(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyDumps(v, sortKeys)).join(", ")}]`;
  const keys = [...value.keys()];
  if (sortKeys && keys.length > 1) keys.sort(byCodePoint);
  return `{${keys.map((k) => `${asciiString(k)}: ${pyDumps(value.get(k)!, sortKeys)}`).join(", ")}}`;
}

/**
 * A value of the tree converted to plain JavaScript (numbers as `number`), for callers that need
 * no Python fidelity.
 *
 * @example
 * toPlain(parsePyJson('{"a": 1}', "x")); // { a: 1 }
 */
export function toPlain(value: PyJson): unknown {
  if (value instanceof PyNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(toPlain);
  if (isPyObject(value)) return Object.fromEntries([...value].map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/**
 * A value as Python's `str()` prints it (tag values MLflow stores with `str(value)`).
 *
 * @example
 * pyStr(new PyNumber("1.0")); // "1.0"
 */
export function pyStr(value: PyJson, nested = false): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return nested ? pyRepr(value) : value;
  if (value instanceof PyNumber) return value.isInt ? numberText(value) : Number.isFinite(Number(value.text)) ? pyFloat(Number(value.text)) : Number.isNaN(Number(value.text)) ? "nan" : Number(value.text) > 0 ? "inf" : "-inf";
  if (Array.isArray(value)) return `[${value.map((v) => pyStr(v, true)).join(", ")}]`;
  return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyStr(v, true)}`).join(", ")}}`;
}

function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  return `${quote}${quote === "'" ? body.replace(/'/g, "\\'") : body}${quote}`;
}
