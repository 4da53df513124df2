import { load } from "js-yaml";

// Loaded with the first model whose files are read (a dynamic import), never with the first page.
// MLflow writes MLmodel with PyYAML's safe_dump: the signature's schemas are JSON strings inside the
// YAML, single-quoted and folded over several lines once longer than 80 characters. Reading that
// folding (and `''` escapes, and block scalars in flavors) is a YAML parser's job, so js-yaml
// parses; its default schema builds plain data only (no functions, no custom types).

/** One input or output of a model's signature, as a table row. */
export interface SchemaField {
  /** The column or tensor name; absent for an unnamed tensor or column. */
  readonly name?: string;
  /** The type as MLflow's UI writes it: `double`, `array<string>`, `Tensor (dtype: float64, shape: [-1, 4])`. */
  readonly type: string;
  readonly required: boolean;
}

/** One inference parameter of a model's signature (`params`). */
export interface ParamField {
  readonly name: string;
  readonly type: string;
  /** The default value as JSON text (`0.5`, `"greedy"`, `null`). */
  readonly default: string;
  /** `(-1,)` for a list parameter; empty for a scalar. */
  readonly shape: string;
}

/** A model's signature: inputs, outputs and params, each absent when MLflow wrote `null`. */
export interface ModelSignature {
  readonly inputs?: readonly SchemaField[];
  readonly outputs?: readonly SchemaField[];
  readonly params?: readonly ParamField[];
}

/** What `saved_input_example_info` says about the saved input example. */
export interface InputExampleInfo {
  /** The example's file, relative to the model's directory (`input_example.json`). */
  readonly artifactPath: string;
  /** `dataframe`, `ndarray`, `json_object`, … */
  readonly type?: string;
  readonly pandasOrient?: string;
  /** MLflow ≥ 2.17: the example as a serving request (`serving_input_example.json`). */
  readonly servingInputPath?: string;
}

/** The parts of an `MLmodel` file the UI shows. */
export interface MlmodelInfo {
  /** Flavor names in file order (`python_function`, `sklearn`). */
  readonly flavors: readonly string[];
  /** `python_function`'s `loader_module` (`mlflow.sklearn`), which names the native load call. */
  readonly loaderModule?: string;
  readonly pythonVersion?: string;
  readonly mlflowVersion?: string;
  readonly runId?: string;
  /** MLflow 3's logged model ID (`m-…`). */
  readonly modelId?: string;
  readonly created?: string;
  readonly sizeBytes?: number;
  readonly signature?: ModelSignature;
  readonly inputExample?: InputExampleInfo;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined);

/**
 * A type of MLflow's schema (a data type name or `{type: array|object|map|any|sparkml_vector}`)
 * written as a short text.
 *
 * @example
 * typeText({ type: "array", items: { type: "string" } }); // "array<string>"
 * typeText({ type: "object", properties: { a: { type: "long", required: false } } }); // "object{a?: long}"
 */
export function typeText(spec: unknown): string {
  if (typeof spec === "string") return spec;
  if (!isObject(spec)) return "unknown";
  switch (spec.type) {
    case "array":
      return `array<${typeText(spec.items)}>`;
    case "map":
      return `map<string, ${typeText(spec.values)}>`;
    case "object": {
      const properties = isObject(spec.properties) ? Object.entries(spec.properties) : [];
      return `object{${properties.map(([name, p]) => `${name}${isObject(p) && p.required === false ? "?" : ""}: ${typeText(p)}`).join(", ")}}`;
    }
    case "tensor": {
      const tensor = isObject(spec["tensor-spec"]) ? spec["tensor-spec"] : {};
      return `Tensor (dtype: ${text(tensor.dtype) ?? "?"}, shape: ${JSON.stringify(tensor.shape ?? null)})`;
    }
    default:
      return text(spec.type) ?? "unknown";
  }
}

/** Parses a schema that may be JSON text (as MLmodel holds it) or already a list. */
function schemaList(value: unknown): unknown[] | undefined {
  if (value === null || value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value) as Json;
    } catch {
      throw new Error(`the signature holds a schema that is not JSON: ${value.slice(0, 80)}`);
    }
  }
  if (!Array.isArray(parsed)) throw new Error("the signature holds a schema that is not a list");
  return parsed;
}

/**
 * The rows of an input or output schema (MLflow's `Schema.to_json()`: column specs or tensor specs).
 *
 * @example
 * schemaFields('[{"type": "double", "name": "age", "required": true}]'); // [{ name: "age", type: "double", required: true }]
 */
export function schemaFields(value: unknown): SchemaField[] | undefined {
  return schemaList(value)?.map((spec) => {
    const s = isObject(spec) ? spec : {};
    const name = text(s.name);
    return { ...(name !== undefined ? { name } : {}), type: typeText(s), required: s.required !== false };
  });
}

/**
 * The rows of a params schema (MLflow's `ParamSchema.to_json()`).
 *
 * @example
 * paramFields('[{"name": "k", "type": "long", "default": 3, "shape": null}]'); // [{ name: "k", type: "long", default: "3", shape: "" }]
 */
export function paramFields(value: unknown): ParamField[] | undefined {
  return schemaList(value)?.map((spec) => {
    const s = isObject(spec) ? spec : {};
    const shape = Array.isArray(s.shape) ? `(${s.shape.join(", ")}${s.shape.length === 1 ? "," : ""})` : "";
    return { name: text(s.name) ?? "", type: text(s.type) ?? "unknown", default: JSON.stringify(s.default ?? null), shape };
  });
}

/**
 * Reads an `MLmodel` file. Throws an Error whose message says what is wrong when it is not the
 * YAML mapping MLflow writes, or its signature's schemas are not MLflow's JSON.
 *
 * @example
 * const info = parseMlmodel(await (await fetch(url)).text());
 * info.signature?.inputs?.map((f) => f.name);
 */
export function parseMlmodel(source: string): MlmodelInfo {
  let doc: unknown;
  try {
    doc = load(source, { maxDepth: 50 });
  } catch (err) {
    throw new Error(`MLmodel is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!isObject(doc)) throw new Error("MLmodel is not a YAML mapping");
  const flavors = isObject(doc.flavors) ? doc.flavors : {};
  const pyfunc = isObject(flavors.python_function) ? flavors.python_function : {};
  const signature = isObject(doc.signature) ? doc.signature : undefined;
  const example = isObject(doc.saved_input_example_info) ? doc.saved_input_example_info : undefined;
  const size = typeof doc.model_size_bytes === "number" ? doc.model_size_bytes : undefined;
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    flavors: Object.keys(flavors),
    ...optional("loaderModule", text(pyfunc.loader_module)),
    ...optional("pythonVersion", text(pyfunc.python_version)),
    ...optional("mlflowVersion", text(doc.mlflow_version)),
    ...optional("runId", text(doc.run_id)),
    ...optional("modelId", text(doc.model_id)),
    ...optional("created", text(doc.utc_time_created)),
    ...optional("sizeBytes", size),
    ...(signature
      ? {
          signature: {
            ...optional("inputs", schemaFields(signature.inputs)),
            ...optional("outputs", schemaFields(signature.outputs)),
            ...optional("params", paramFields(signature.params)),
          },
        }
      : {}),
    ...(example && text(example.artifact_path)
      ? {
          inputExample: {
            artifactPath: text(example.artifact_path)!,
            ...optional("type", text(example.type)),
            ...optional("pandasOrient", text(example.pandas_orient)),
            ...optional("servingInputPath", text(example.serving_input_path)),
          },
        }
      : {}),
  };
}
