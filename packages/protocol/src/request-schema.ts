import { fromWireDouble } from "./wire-double.js";
import { invalidParameter, missingParameterMessage, type MlflowError } from "./mlflow-error.js";
import { invalidValueMessage } from "./invalid-value.js";

/**
 * One request field: how to read it from JSON (`fromQuery` false) or a query string, and whether it
 * is required. Parsers throw 400 `INVALID_PARAMETER_VALUE` with MLflow's messages.
 *
 * @example
 * const runId: Field<string> = f.string(true);
 */
export interface Field<T> {
  readonly required: boolean;
  /** Another key read when this one is absent (`run_uuid` for `run_id`); the result keeps this name. */
  readonly fallback?: string;
  parse(value: unknown, name: string, fromQuery: boolean): T;
}

/**
 * A request schema: field name → field.
 *
 * @example
 * const schema = { name: f.string(true), max_results: f.int() } satisfies Schema;
 */
export type Schema = Readonly<Record<string, Field<unknown>>>;

/**
 * The object a schema parses into.
 *
 * @example
 * type P = Infer<{ name: Field<string> }>; // { name: string }
 */
export type Infer<S extends Schema> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

function typeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "str";
  return "dict";
}

function pythonRepr(value: unknown, depth: number): string {
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return pythonStr(value, depth);
}

/**
 * A JSON value as Python's `str()` prints it, which is how MLflow's messages show values: strings
 * bare, `True`/`False`/`None`, lists and dicts with repr'd members.
 *
 * @example
 * pythonStr(["a", 1]); // "['a', 1]"
 */
export function pythonStr(value: unknown, depth = 0): string {
  if (depth > 8) return "...";
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonRepr(v, depth + 1)).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonRepr(k, depth + 1)}: ${pythonRepr(v, depth + 1)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/**
 * The message MLflow sends for a value of the wrong type, as MLflow 2.17+ and 3.x write it
 * (`_validate_param_against_schema` in mlflow/server/handlers.py): the value as JSON, then the
 * hint after a colon (MLflow's hint text starts with a space, hence two). MLflow 2.16 and older
 * printed the value bare (`Invalid value foo for parameter 'step' supplied. Hint: …`).
 *
 * @example
 * throw invalidValue("foo", "step"); // `Invalid value "foo" for parameter 'step' supplied:  Hint: …`
 */
export function invalidValue(value: unknown, name: string): MlflowError {
  // MLflow's hint text starts with a space, after invalid_value's colon: two spaces.
  return invalidParameter(`${invalidValueMessage(name, value, ` Hint: Value was of type '${typeName(value)}'.`)} See the API docs for more information about request parameters.`);
}

function make<T>(required: boolean, parse: (value: unknown, name: string, fromQuery: boolean) => T): Field<T> {
  return { required, parse };
}

function first(value: unknown, fromQuery: boolean): unknown {
  return fromQuery && Array.isArray(value) ? value[0] : value;
}

/**
 * Refuses strings no database stores faithfully: NUL (PostgreSQL rejects it in text) and lone
 * UTF-16 surrogates (SQLite would store invalid UTF-8 that other tools cannot read).
 *
 * @example
 * checkText("a\u0000b", "name"); // throws 400
 */
export function checkText(text: string, name: string): string {
  if (text.includes("\u0000")) throw invalidParameter(`Invalid value for parameter '${name}': it contains a NUL character`);
  if (!text.isWellFormed()) throw invalidParameter(`Invalid value for parameter '${name}': it is not valid Unicode (a lone surrogate)`);
  return text;
}

function parseString(value: unknown, name: string, fromQuery: boolean, coerceNumber: boolean): string {
  const v = first(value, fromQuery);
  if (typeof v === "string") return checkText(v, name);
  // MLflow turns a legacy numeric experiment_id into a string.
  if (coerceNumber && typeof v === "number" && Number.isInteger(v)) return String(v);
  throw invalidValue(v, name);
}

function parseInteger(value: unknown, name: string, fromQuery: boolean): number {
  const v = first(value, fromQuery);
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^-?\d{1,16}$/.test(v.trim()) && Number.isSafeInteger(Number(v))) return Number(v);
  throw invalidValue(v, name);
}

function parseBoolean(value: unknown, name: string, fromQuery: boolean): boolean {
  const v = first(value, fromQuery);
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  throw invalidValue(v, name);
}

/** The most IDs a list parameter may hold (each becomes a bound value of one query). */
export const MAX_IDS = 1000;

const CANONICAL_ID = /^(0|[1-9]\d{0,18})$/;
// A negative number in its one spelling: stored IDs are never negative, so it names no row and no
// grant, and MLflow's SQL stores answer it with 404 (`-0`, Python's 0, stays refused).
const NEGATIVE_ID = /^-[1-9]\d{0,18}$/;
// What Python's int() would also read as a number: signs, padding, spaces, underscores.
const NUMBER_LIKE = /^[\s+\-_\d]*\d[\s+\-_\d]*$/;

/**
 * A numeric ID (experiment, model version) in its one canonical spelling. `01`, `+1`, ` 1` and
 * `1_0` name the same row to a store that parses numbers, but not to a permission table keyed by
 * the string, so they are refused rather than guessed at; IDs that are not numbers at all, and
 * negative numbers, pass through for the store to answer (404).
 *
 * @example
 * canonicalId("12", "experiment_id"); // "12"
 * canonicalId("012", "experiment_id"); // throws 400
 */
export function canonicalId(id: string, name: string): string {
  if (CANONICAL_ID.test(id) || NEGATIVE_ID.test(id) || !NUMBER_LIKE.test(id)) return id;
  throw invalidParameter(`Invalid value '${id}' for parameter '${name}': IDs are written in decimal without signs, spaces or leading zeros`);
}

/** Options of string fields. */
interface StringOptions {
  /** Accept a JSON integer and turn it into a string (legacy `experiment_id`). */
  readonly coerceNumber?: boolean;
}

/**
 * Field constructors. Each returns an optional field; `.required` variants reject absent and
 * empty values with MLflow's "Missing value for required parameter" message.
 *
 * @example
 * const schema = { name: f.string(true), max_results: f.int(), order_by: f.strings() };
 * const params = parseObject(schema, body, false);
 */
export const f = {
  string(required = false, options: StringOptions = {}): Field<string> {
    return make(required, (v, n, q) => parseString(v, n, q, options.coerceNumber ?? false));
  },
  /** A numeric ID (experiment, model version): a string or a JSON integer, canonical ({@link canonicalId}). */
  id(required = false): Field<string> {
    return make(required, (v, n, q) => canonicalId(parseString(v, n, q, true), n));
  },
  /** A list of numeric IDs (`experiment_ids`), each canonical, at most {@link MAX_IDS}. */
  ids(required = false): Field<string[]> {
    return make(required, (value, name, fromQuery) => {
      const list = Array.isArray(value) ? value : fromQuery ? [value] : undefined;
      if (!list) throw invalidValue(value, name);
      if (list.length > MAX_IDS) throw invalidParameter(`'${name}' may name at most ${MAX_IDS} IDs`);
      return list.map((item) => canonicalId(parseString(item, name, false, true), name));
    });
  },
  int(required = false): Field<number> {
    return make(required, parseInteger);
  },
  double(required = false): Field<number> {
    return make(required, (value, name, fromQuery) => {
      const v = first(value, fromQuery);
      const n = fromWireDouble(v);
      if (n === undefined) throw invalidValue(v, name);
      return n;
    });
  },
  bool(required = false): Field<boolean> {
    return make(required, parseBoolean);
  },
  enumOf<E extends string>(values: readonly E[], required = false): Field<E> {
    return make(required, (value, name, fromQuery) => {
      const v = first(value, fromQuery);
      if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as E;
      // Enums are also accepted by number (proto numbering starts at 1).
      const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
      if (Number.isInteger(n) && n >= 1 && n <= values.length) return values[n - 1]!;
      throw invalidValue(v, name);
    });
  },
  strings(required = false): Field<string[]> {
    return make(required, (value, name, fromQuery) => {
      const list = Array.isArray(value) ? value : fromQuery ? [value] : undefined;
      if (!list) throw invalidValue(value, name);
      return list.map((item) => parseString(item, name, false, true));
    });
  },
  objects<S extends Schema>(schema: S, required = false): Field<Infer<S>[]> {
    return make(required, (value, name, fromQuery) => {
      if (fromQuery || !Array.isArray(value)) throw invalidValue(value, name);
      // As MLflow 2.17+ (log-batch's `_assert_metrics_fields_present` and its siblings): a member
      // without a required field is named by its path, `metrics[0].timestamp`.
      value.forEach((item, index) => {
        if (typeof item !== "object" || item === null || Array.isArray(item)) return;
        for (const field in schema) {
          const { required: needed, fallback } = schema[field]!;
          const member = item as Record<string, unknown>;
          if (needed && isEmpty(member[field]) && (fallback === undefined || isEmpty(member[fallback]))) {
            throw invalidParameter(missingParameterMessage(`${name}[${index}].${field}`));
          }
        }
      });
      // As MLflow: a member of the wrong shape makes the whole list the invalid value of this parameter.
      try {
        return value.map((item) => {
          if (typeof item !== "object" || item === null || Array.isArray(item)) throw invalidValue(item, name);
          return parseObject(schema, item as Record<string, unknown>, false);
        });
      } catch {
        throw invalidValue(value, name);
      }
    });
  },
  object<S extends Schema>(schema: S, required = false): Field<Infer<S>> {
    return make(required, (value, name, fromQuery) => {
      if (fromQuery || typeof value !== "object" || value === null || Array.isArray(value)) throw invalidValue(value, name);
      return parseObject(schema, value as Record<string, unknown>, false);
    });
  },
  /** A JSON object of string values (a proto `map<string, string>`), e.g. `trace_metadata`. */
  map(required = false): Field<Record<string, string>> {
    return make(required, (value, name, fromQuery) => {
      if (fromQuery || typeof value !== "object" || value === null || Array.isArray(value)) throw invalidValue(value, name);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") throw invalidValue(value, name);
        out[checkText(k, name)] = checkText(v, name);
      }
      return out;
    });
  },
  /** Any JSON value, kept as it is (a proto `google.protobuf.Value`: an assessment's value). */
  json(required = false): Field<unknown> {
    return make(required, (value, name, fromQuery) => {
      if (fromQuery) throw invalidValue(value, name);
      return value;
    });
  },
  /**
   * The same field, read from `other` when absent under its own name: `run_id` falls back to
   * the deprecated `run_uuid` that many clients still send. The parsed object has only this name,
   * so whoever reads it sees the one run the handler acts on.
   */
  or<T>(field: Field<T>, other: string): Field<T> {
    return { ...field, fallback: other };
  },
};

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/**
 * Parses a source object (JSON body or query) against a schema. Unknown keys are ignored; absent
 * optional fields come back `undefined`; `null` counts as absent, as protobuf's JSON parser does.
 *
 * @example
 * parseObject({ run_id: f.string(true) }, { run_id: "abc" }, false); // { run_id: "abc" }
 */
export function parseObject<S extends Schema>(schema: S, source: Readonly<Record<string, unknown>>, fromQuery: boolean): Infer<S> {
  const out: Record<string, unknown> = {};
  for (const name in schema) {
    const field = schema[name]!;
    let raw = Object.hasOwn(source, name) ? source[name] : undefined;
    if (isEmpty(raw) && field.fallback !== undefined && Object.hasOwn(source, field.fallback)) raw = source[field.fallback];
    if (isEmpty(raw)) {
      if (field.required) throw invalidParameter(missingParameterMessage(name));
      // An empty string or list is still a value for optional fields ("" filter, [] tags).
      if (raw === undefined || raw === null) continue;
    }
    out[name] = field.parse(raw, name, fromQuery);
  }
  return out as Infer<S>;
}
