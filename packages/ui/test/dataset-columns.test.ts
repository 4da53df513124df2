import { describe, expect, it } from "vitest";
import type { DatasetRecord } from "../src/lib/dataset-api.js";
import { cellValue, datasetColumns } from "../src/lib/dataset-columns.js";
import { parseHash, link } from "../src/lib/router.js";

const record = (id: string, fields: Partial<DatasetRecord>): DatasetRecord => ({ dataset_record_id: id, ...fields });

describe("the records table's columns", () => {
  it("takes input and expectation keys from the schema first, in its order, then from the records", () => {
    const schema = { inputs: { question: "string", context: "object" }, outputs: "string", expectations: { answer: "string" }, version: "1.0" };
    const records = [record("dr-1", { inputs: { question: "q", extra: 1 }, expectations: { answer: "a", score: 1 } })];
    expect(datasetColumns(schema, records).map((c) => c.label)).toEqual(["inputs.question", "inputs.context", "inputs.extra", "outputs", "expectations.answer", "expectations.score", "tags", "source", "updated"]);
  });

  it("takes them from the records when the dataset has no schema", () => {
    const records = [record("dr-1", { inputs: { b: 1, a: 2 } }), record("dr-2", { inputs: { c: 3 }, expectations: { ok: true } })];
    expect(datasetColumns(undefined, records).map((c) => c.label)).toEqual(["inputs.b", "inputs.a", "inputs.c", "outputs", "expectations.ok", "tags", "source", "updated"]);
    expect(datasetColumns(undefined, []).map((c) => c.label)).toEqual(["outputs", "tags", "source", "updated"]);
  });

  it("reads a cell's value; MLflow's `{}` for absent outputs and empty tags are nothing", () => {
    const [question, outputs, tags] = datasetColumns(undefined, [record("dr-1", { inputs: { question: "q" } })]);
    expect(cellValue(question!, record("dr-1", { inputs: { question: { nested: [1] } } }))).toEqual({ nested: [1] });
    expect(cellValue(outputs!, record("dr-1", { outputs: {} }))).toBeUndefined();
    expect(cellValue(outputs!, record("dr-1", { outputs: [] }))).toEqual([]);
    expect(cellValue(outputs!, record("dr-1", { outputs: "text" }))).toBe("text");
    expect(cellValue(tags!, record("dr-1", { tags: {} }))).toBeUndefined();
  });

  it("routes the Datasets tab and a dataset", () => {
    expect(parseHash(link.datasets("3"))).toEqual({ page: "experiment", experimentId: "3", tab: "datasets", datasetId: undefined });
    expect(parseHash(link.dataset("3", "d-1"))).toEqual({ page: "experiment", experimentId: "3", tab: "datasets", datasetId: "d-1" });
  });
});
