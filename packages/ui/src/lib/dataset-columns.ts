import type { DatasetRecord } from "./dataset-api.js";

/** A column of the records table: one input key, one expectation key, or a whole field. */
export type RecordColumn =
  | { readonly kind: "input" | "expectation"; readonly key: string; readonly label: string }
  | { readonly kind: "outputs" | "tags" | "source" | "updated"; readonly label: string };

function keysOf(value: unknown): string[] {
  return value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
}

/**
 * The columns of a dataset's records: one per input key and one per expectation key — the keys the
 * dataset's `schema` names first, in its order, then any other key a loaded record has — then
 * outputs, tags, source and the update time.
 *
 * @example
 * datasetColumns({ inputs: { question: "string" }, expectations: { answer: "string" } }, records);
 * // inputs.question, outputs, expectations.answer, tags, source, updated
 */
export function datasetColumns(schema: Record<string, unknown> | undefined, records: readonly DatasetRecord[]): RecordColumn[] {
  const inputs = new Set(keysOf(schema?.inputs));
  const expectations = new Set(keysOf(schema?.expectations));
  for (const r of records) {
    for (const k of keysOf(r.inputs)) inputs.add(k);
    for (const k of keysOf(r.expectations)) expectations.add(k);
  }
  return [
    ...[...inputs].map((key) => ({ kind: "input" as const, key, label: `inputs.${key}` })),
    { kind: "outputs", label: "outputs" },
    ...[...expectations].map((key) => ({ kind: "expectation" as const, key, label: `expectations.${key}` })),
    { kind: "tags", label: "tags" },
    { kind: "source", label: "source" },
    { kind: "updated", label: "updated" },
  ];
}

/**
 * What a record holds in a column (`undefined` when nothing): the decoded JSON value, for the cell
 * and for the full view.
 *
 * @example
 * cellValue({ kind: "input", key: "question", label: "inputs.question" }, record); // "What is MLflow?"
 */
export function cellValue(column: RecordColumn, record: DatasetRecord): unknown {
  switch (column.kind) {
    case "input":
      return record.inputs?.[column.key];
    case "expectation":
      return record.expectations?.[column.key];
    case "outputs":
      // MLflow answers `{}` for a record stored without outputs.
      return keysOf(record.outputs).length === 0 && typeof record.outputs === "object" && !Array.isArray(record.outputs) ? undefined : record.outputs;
    case "tags":
      return record.tags && Object.keys(record.tags).length ? record.tags : undefined;
    case "source":
      return record.source;
    case "updated":
      return record.last_update_time;
  }
}
