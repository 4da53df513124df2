import type { DatasetInput } from "@mlflow-ts/protocol";

/** One field of a dataset's schema, as the drawer's table shows it. */
export interface SchemaField {
  readonly name: string;
  readonly type: string;
  readonly required?: boolean;
  /** A tensor's shape (`[-1, 4]`), or undefined for a column. */
  readonly shape?: readonly number[];
  /** For tensor specs: which part of the dataset (`features`, `targets`). */
  readonly part?: string;
}

/** A dataset's schema, read from MLflow's JSON string: fields when the format is known, else the parsed JSON. */
export type ParsedSchema = { readonly fields: readonly SchemaField[] } | { readonly raw: unknown };

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function colspec(list: unknown): SchemaField[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((c, i) => {
    const col = (c ?? {}) as { name?: unknown; type?: unknown; required?: unknown; "tensor-spec"?: { dtype?: unknown; shape?: unknown } };
    const tensor = col["tensor-spec"];
    const type = tensor ? `tensor ${String(tensor.dtype ?? "")}`.trim() : typeof col.type === "string" ? col.type : JSON.stringify(col.type ?? "");
    return {
      name: typeof col.name === "string" ? col.name : `#${i}`,
      type,
      ...(typeof col.required === "boolean" ? { required: col.required } : {}),
      ...(tensor && Array.isArray(tensor.shape) ? { shape: tensor.shape.map(Number) } : {}),
    };
  });
}

/**
 * Reads the `dataset.schema` MLflow logs with a run input: `{"mlflow_colspec": [{name, type,
 * required}]}` (pandas, Spark, Delta datasets) or `{"mlflow_tensorspec": {"features": "<json>",
 * "targets": "<json>"}}` (NumPy, TensorFlow, Hugging Face). Anything else comes back as its parsed
 * JSON, to be shown as it is.
 *
 * @example
 * parseDatasetSchema('{"mlflow_colspec": [{"type": "double", "name": "x", "required": true}]}');
 * // { fields: [{ name: "x", type: "double", required: true }] }
 */
export function parseDatasetSchema(text: string | undefined): ParsedSchema | undefined {
  const value = parseJson(text);
  if (value === undefined) return undefined;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const cols = colspec(obj.mlflow_colspec);
    if (cols) return { fields: cols };
    const tensors = obj.mlflow_tensorspec;
    if (tensors && typeof tensors === "object") {
      const fields: SchemaField[] = [];
      for (const [part, spec] of Object.entries(tensors as Record<string, unknown>)) {
        // A dataset without targets logs `"targets": null` (or the string "null").
        if (spec === null || spec === undefined || spec === "null") continue;
        const list = colspec(typeof spec === "string" ? parseJson(spec) : spec);
        if (!list) return { raw: value };
        for (const f of list) fields.push({ ...f, part, name: f.name.startsWith("#") ? part : f.name });
      }
      return { fields };
    }
  }
  // A bare colspec list, as some older clients wrote it.
  const cols = colspec(value);
  return cols ? { fields: cols } : { raw: value };
}

/**
 * Reads the `dataset.profile` JSON (`{"num_rows": 150, "num_elements": 600}` for pandas; sizes and
 * shapes for NumPy) as label/value rows; a non-object profile comes back as one row.
 *
 * @example
 * parseDatasetProfile('{"num_rows": 150, "num_elements": 600}'); // [["num_rows", "150"], ["num_elements", "600"]]
 */
export function parseDatasetProfile(text: string | undefined): [string, string][] | undefined {
  const value = parseJson(text);
  if (value === undefined) return undefined;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : typeof v === "number" ? v.toLocaleString("en-US") : JSON.stringify(v)]);
  }
  return [["profile", typeof value === "string" ? value : JSON.stringify(value)]];
}

/**
 * The `mlflow.data.context` of a run input (`training`, `eval`…), or undefined.
 *
 * @example
 * datasetContext(run.inputs.dataset_inputs![0]!); // "training"
 */
export function datasetContext(input: DatasetInput): string | undefined {
  return input.tags?.find((t) => t.key === "mlflow.data.context")?.value;
}
