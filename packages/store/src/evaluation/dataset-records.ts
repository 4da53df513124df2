import { createHash, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { invalidParameter, notFound } from "@mlflow-ts/protocol";
import { withTransaction } from "../with-transaction.js";
import { chunk, upsertIncoming, type TrackingContext } from "../tracking/context.js";
import { DATASET_LIMITS, MLFLOW_USER, datasetDigest, findDataset, type Db } from "./datasets.js";
import { isPyObject, parsePyJson, pyDumps, type PyJson, type PyObject } from "./py-json-value.js";

/** MLflow wraps a record's outputs under this key (any JSON value may be an output). */
const WRAPPED = "mlflow_wrapped";
const SOURCE_TYPES = ["UNSPECIFIED", "TRACE", "HUMAN", "DOCUMENT", "CODE"];
const SOURCE_ID_LENGTH = 36;

/** One record of an upsert, validated. */
interface Incoming {
  readonly hash: string;
  readonly inputs: PyObject;
  readonly outputs?: PyJson;
  readonly hasOutputs: boolean;
  readonly expectations: PyObject | null;
  readonly tags: PyObject | null;
  readonly source: PyObject | null;
  readonly sourceId: string | null;
  readonly sourceType: string | null;
  readonly user: string | null;
}

/** A row as it will be written. */
interface Pending {
  dataset_record_id: string;
  created_time: number;
  created_by: string | null;
  inputs: PyObject;
  /** The `outputs` column's text: kept as stored until an update gives outputs. */
  outputs: string | null;
  expectations: PyObject | null;
  tags: PyObject | null;
  source: PyObject | null;
  source_id: string | null;
  source_type: string | null;
  hash: string;
}

const objectOrNull = (value: PyJson | undefined, what: string, index: number): PyObject | null => {
  if (value === undefined || value === null) return null;
  if (!isPyObject(value)) throw invalidParameter(`Invalid record at index ${index}: '${what}' must be a JSON object`);
  return value;
};

/**
 * MLflow's `input_hash`: sha256 of `json.dumps(inputs, sort_keys=True)`, byte for byte.
 *
 * @example
 * inputHash(inputs);
 */
export function inputHash(inputs: PyJson): string {
  return createHash("sha256").update(pyDumps(inputs, true)).digest("hex");
}

function readSource(value: PyJson | undefined, index: number): { source: PyObject | null; sourceId: string | null; sourceType: string | null } {
  // MLflow ignores a falsy source ({} included).
  if (value === undefined || value === null || value === false || value === "" || (isPyObject(value) && value.size === 0)) return { source: null, sourceId: null, sourceType: null };
  if (!isPyObject(value)) throw invalidParameter(`Invalid record at index ${index}: 'source' must be a JSON object`);
  for (const key of value.keys()) if (key !== "source_type" && key !== "source_data") throw invalidParameter(`Invalid record at index ${index}: unknown source field '${key}'`);
  const rawType = value.get("source_type");
  if (typeof rawType !== "string") throw invalidParameter(`Invalid record at index ${index}: 'source.source_type' must be a string`);
  const type = rawType.toUpperCase();
  if (!SOURCE_TYPES.includes(type)) {
    throw invalidParameter(`Invalid dataset record source type: ${type}. Valid source types: ['UNSPECIFIED', 'TRACE', 'HUMAN', 'DOCUMENT', 'CODE']`);
  }
  const data = objectOrNull(value.get("source_data"), "source.source_data", index) ?? new Map();
  const id = data.get(type === "TRACE" ? "trace_id" : "source_id");
  if (id !== undefined && id !== null && typeof id !== "string") throw invalidParameter(`Invalid record at index ${index}: the source's ID must be a string`);
  if (typeof id === "string" && id.length > SOURCE_ID_LENGTH) throw invalidParameter(`Invalid record at index ${index}: the source's ID exceeds ${SOURCE_ID_LENGTH} characters`);
  const source: PyObject = new Map<string, PyJson>([
    ["source_type", type],
    ["source_data", data],
  ]);
  return { source, sourceId: typeof id === "string" && id !== "" ? id : null, sourceType: type };
}

function readRecords(text: string): Incoming[] {
  const list = parsePyJson(text, "records");
  if (!Array.isArray(list)) throw invalidParameter("Invalid value for parameter 'records': expected a JSON list of records");
  return list.map((item, index) => {
    if (!isPyObject(item)) throw invalidParameter(`Invalid record at index ${index}: expected a JSON object`);
    const inputs = item.has("inputs") ? item.get("inputs")! : new Map();
    if (!isPyObject(inputs)) throw invalidParameter(`Invalid record at index ${index}: 'inputs' must be a JSON object`);
    const tags = objectOrNull(item.get("tags"), "tags", index);
    const user = tags?.get(MLFLOW_USER);
    return {
      hash: inputHash(inputs),
      inputs,
      hasOutputs: item.has("outputs"),
      outputs: item.get("outputs"),
      expectations: objectOrNull(item.get("expectations"), "expectations", index),
      tags,
      ...readSource(item.get("source"), index),
      user: typeof user === "string" ? user.slice(0, DATASET_LIMITS.user) : null,
    };
  });
}

/**
 * JSON column text as the driver returns it (PostgreSQL's is cast to text; MySQL may parse it).
 *
 * @example
 * columnText(value);
 */
export function columnText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A JSON column selected as text on every dialect. */
export const jsonColumn = (_db: Db, dialect: string, column: string) =>
  // PostgreSQL's and MariaDB's drivers would parse JSON columns (and turn 1.0 into 1): read the text.
  dialect === "postgres"
    ? sql<string>`cast(${sql.ref(column)} as text)`.as(column)
    : dialect === "mysql"
      ? sql<string>`cast(${sql.ref(column)} as char)`.as(column)
      : sql<string>`${sql.ref(column)}`.as(column);

function parseColumn(value: unknown, column: string): PyJson {
  const text = columnText(value);
  return text === null ? null : parsePyJson(text, column);
}

/** Outputs as MLflow stores them: wrapped under `mlflow_wrapped`, or none for null. */
function wrapOutputs(value: PyJson): string | null {
  return value === null ? null : pyDumps(new Map([[WRAPPED, value]]));
}

function merge(target: PyObject | null, update: PyObject | null): PyObject | null {
  // MLflow merges only a non-empty update, into a copy of what is stored.
  if (!update || update.size === 0) return target;
  const out: PyObject = new Map(target ?? []);
  for (const [k, v] of update) out.set(k, v);
  return out;
}

const typeOf = (value: PyJson): string => {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  if (isPyObject(value)) return "object";
  return value.isInt ? "integer" : "float";
};

/** MLflow's `_update_dataset_schema`: the first type seen for each input, output and expectation key. */
function updateSchema(existing: string | null, records: readonly Incoming[]): string | null {
  if (records.length === 0 && !existing) return null;
  let schema: PyObject;
  const parsed = existing ? parsePyJson(existing, "schema") : null;
  if (isPyObject(parsed)) schema = parsed;
  else schema = new Map<string, PyJson>([["inputs", new Map()], ["outputs", new Map()], ["expectations", new Map()], ["version", "1.0"]]);
  const section = (name: string): PyObject | undefined => {
    const s = schema.get(name);
    return isPyObject(s) ? s : undefined;
  };
  for (const r of records) {
    const inputs = section("inputs");
    if (inputs) for (const [k, v] of r.inputs) if (!inputs.has(k)) inputs.set(k, typeOf(v));
    if (r.outputs !== undefined && r.outputs !== null) {
      const outputs = schema.get("outputs");
      if (isPyObject(r.outputs)) {
        if (isPyObject(outputs)) for (const [k, v] of r.outputs) if (!outputs.has(k)) outputs.set(k, typeOf(v));
      } else if (!outputs || (isPyObject(outputs) && outputs.size === 0)) schema.set("outputs", typeOf(r.outputs));
    }
    const expectations = section("expectations");
    if (r.expectations && expectations) for (const [k, v] of r.expectations) if (!expectations.has(k)) expectations.set(k, typeOf(v));
  }
  return pyDumps(schema);
}

/**
 * MLflow's UpsertDatasetRecords: records whose inputs hash like a stored record's (or an earlier
 * one of the same request) are merged into it — outputs replaced when given, expectations and tags
 * merged, its created and updated times kept — the others inserted; then the dataset's schema,
 * profile (`num_records`), digest, update time and updater are refreshed. All in one transaction,
 * with one query per 500 hashes and one multi-row upsert per 500 records.
 *
 * @example
 * await upsertDatasetRecords(ctx, "d-…", '[{"inputs": {"q": "What is MLflow?"}}]'); // { inserted: 1, updated: 0 }
 */
export async function upsertDatasetRecords(ctx: TrackingContext, datasetId: string, recordsText: string): Promise<{ inserted: number; updated: number }> {
  const records = readRecords(recordsText);
  const dialect = ctx.database.dialect;
  const withOutputs = ctx.schema.atLeast("3da73c924c2f");
  return withTransaction(ctx.database, async (trx) => {
    const dataset = await findDataset(trx, datasetId);
    if (!dataset) throw notFound(`Could not find evaluation dataset with ID ${datasetId}`);
    const now = ctx.now();
    const pending = new Map<string, Pending>();
    const hashes = [...new Set(records.map((r) => r.hash))];
    for (const part of chunk(hashes, 500)) {
      const columns = ["dataset_record_id", "input_hash", "created_time", "created_by", "source", "source_id", "source_type"];
      const rows = (await trx
        .selectFrom("evaluation_dataset_records")
        .select(columns)
        .select([jsonColumn(trx, dialect, "inputs"), jsonColumn(trx, dialect, "expectations"), jsonColumn(trx, dialect, "tags"), ...(withOutputs ? [jsonColumn(trx, dialect, "outputs")] : [])])
        .where("dataset_id", "=", datasetId)
        .where("input_hash", "in", part)
        .execute()) as Record<string, unknown>[];
      for (const row of rows) {
        const inputs = parseColumn(row.inputs, "inputs");
        const source = parseColumn(row.source, "source");
        pending.set(row.input_hash as string, {
          dataset_record_id: row.dataset_record_id as string,
          created_time: Number(row.created_time ?? now),
          created_by: (row.created_by as string | null) ?? null,
          inputs: isPyObject(inputs) ? inputs : new Map(),
          outputs: withOutputs ? columnText(row.outputs) : null,
          expectations: ((e) => (isPyObject(e) ? e : null))(parseColumn(row.expectations, "expectations")),
          tags: ((t) => (isPyObject(t) ? t : null))(parseColumn(row.tags, "tags")),
          source: isPyObject(source) ? source : null,
          source_id: (row.source_id as string | null) ?? null,
          source_type: (row.source_type as string | null) ?? null,
          hash: row.input_hash as string,
        });
      }
    }
    let inserted = 0;
    let updated = 0;
    let updatedBy: string | null = null;
    const touched = new Map<string, Pending>();
    for (const r of records) {
      if (r.user !== null) updatedBy = r.user;
      const existing = pending.get(r.hash);
      if (existing) {
        if (r.hasOutputs) existing.outputs = wrapOutputs(r.outputs ?? null);
        existing.expectations = merge(existing.expectations, r.expectations);
        existing.tags = merge(existing.tags, r.tags);
        touched.set(r.hash, existing);
        updated += 1;
        continue;
      }
      const row: Pending = {
        dataset_record_id: `dr-${randomUUID().replace(/-/g, "")}`,
        created_time: now,
        created_by: r.user,
        inputs: r.inputs,
        // An absent `outputs` is stored as {} (MLflow's default), an explicit null as none.
        outputs: wrapOutputs(r.hasOutputs ? (r.outputs ?? null) : new Map()),
        expectations: r.expectations,
        tags: r.tags ?? new Map(),
        source: r.source,
        source_id: r.sourceId,
        source_type: r.sourceType,
        hash: r.hash,
      };
      pending.set(r.hash, row);
      touched.set(r.hash, row);
      inserted += 1;
    }
    const json = (v: PyJson | null | undefined) => (v === null || v === undefined ? null : pyDumps(v));
    const rows = [...touched.values()].map((p) => ({
      dataset_record_id: p.dataset_record_id,
      dataset_id: datasetId,
      inputs: pyDumps(p.inputs),
      ...(withOutputs ? { outputs: p.outputs } : {}),
      expectations: json(p.expectations),
      tags: json(p.tags),
      source: json(p.source),
      source_id: p.source_id,
      source_type: p.source_type,
      created_time: p.created_time,
      last_update_time: p.created_time,
      created_by: p.created_by,
      last_updated_by: p.created_by,
      input_hash: p.hash,
    }));
    // Existing rows keep their times and creator: only outputs, expectations and tags change.
    const changing = withOutputs ? ["outputs", "expectations", "tags"] : ["expectations", "tags"];
    for (const part of chunk(rows, 500)) {
      await upsertIncoming(trx.insertInto("evaluation_dataset_records").values(part), dialect, ["dataset_id", "input_hash"], changing).execute();
    }
    const count = (await trx.selectFrom("evaluation_dataset_records").select((eb) => eb.fn.countAll().as("n")).where("dataset_id", "=", datasetId).executeTakeFirst()) as { n: number | string };
    const schema = updateSchema(dataset.schema, records);
    const n = Number(count.n);
    await trx
      .updateTable("evaluation_datasets")
      .set({
        last_update_time: now,
        last_updated_by: updatedBy,
        digest: datasetDigest(dataset.name, now),
        ...(schema ? { schema } : {}),
        ...(n > 0 ? { profile: `{"num_records": ${n}}` } : {}),
      })
      .where("dataset_id", "=", datasetId)
      .execute();
    return { inserted, updated };
  });
}
