import { fromWireDouble, invalidParameter, missingParameterMessage } from "@mlflow-ts/protocol";

/**
 * One request field: how to read it from JSON (`fromQuery` false) or a query string, and whether it
 * is required. Parsers throw 400 `INVALID_PARAMETER_VALUE` with MLflow's messages.
 */
export interface Field<T> {
  readonly required: boolean;
  parse(value: unknown, name: string, fromQuery: boolean): T;
}

/** A request schema: field name → field. */
export type Schema = Readonly<Record<string, Field<unknown>>>;

/** The object a schema parses into. */
export type Infer<S extends Schema> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

function typeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "str";
  return "dict";
}

/** The message MLflow sends for a value of the wrong type. */
export function invalidValue(value: unknown, name: string): Error {
  return invalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied. Hint: Value was of type '${typeName(value)}'. See the API docs for more information about request parameters.`,
  );
}

function make<T>(required: boolean, parse: (value: unknown, name: string, fromQuery: boolean) => T): Field<T> {
  return { required, parse };
}

function first(value: unknown, fromQuery: boolean): unknown {
  return fromQuery && Array.isArray(value) ? value[0] : value;
}

function parseString(value: unknown, name: string, fromQuery: boolean, coerceNumber: boolean): string {
  const v = first(value, fromQuery);
  if (typeof v === "string") return v;
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
 * const params = readParams(schema, req);
 */
export const f = {
  string(required = false, options: StringOptions = {}): Field<string> {
    return make(required, (v, n, q) => parseString(v, n, q, options.coerceNumber ?? false));
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
      return value.map((item) => {
        if (typeof item !== "object" || item === null || Array.isArray(item)) throw invalidValue(item, name);
        return parseObject(schema, item as Record<string, unknown>, false);
      });
    });
  },
  object<S extends Schema>(schema: S, required = false): Field<Infer<S>> {
    return make(required, (value, name, fromQuery) => {
      if (fromQuery || typeof value !== "object" || value === null || Array.isArray(value)) throw invalidValue(value, name);
      return parseObject(schema, value as Record<string, unknown>, false);
    });
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
  for (const [name, field] of Object.entries(schema)) {
    const raw = source[name];
    if (isEmpty(raw)) {
      if (field.required) throw invalidParameter(missingParameterMessage(name));
      // An empty string or list is still a value for optional fields ("" filter, [] tags).
      if (raw === undefined || raw === null) continue;
    }
    out[name] = field.parse(raw, name, fromQuery);
  }
  return out as Infer<S>;
}
