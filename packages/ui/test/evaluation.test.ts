import { describe, expect, it } from "vitest";
import type { Run } from "@mlflow-ts/protocol";
import { filterEvaluationRows, filterPattern, highlightParts } from "../src/lib/evaluation-filter.js";
import { evaluationCellText, evaluationColumns, evaluationRows } from "../src/lib/evaluation-rows.js";
import { loggedTablesOf, loggedTablesOfRuns } from "../src/lib/logged-tables.js";
import { link, parseHash } from "../src/lib/router.js";
import { tableOfArtifact } from "../src/lib/table-artifact.js";

const tag = (value: string) => [{ key: "mlflow.loggedArtifacts", value }];
const run = (id: string, value?: string): Run => ({
  info: { run_id: id, run_uuid: id, run_name: id, experiment_id: "1", user_id: "", status: "FINISHED", start_time: 0, artifact_uri: "", lifecycle_stage: "active" },
  data: { tags: value === undefined ? [] : tag(value) },
  inputs: {},
});

describe("the tables a run logged (its mlflow.loggedArtifacts tag)", () => {
  it("reads the tag as MLflow's client writes it", () => {
    expect(loggedTablesOf(tag('[{"path": "eval_results_table.json", "type": "table"}, {"path": "dir/t.json", "type": "table"}]'))).toEqual(["eval_results_table.json", "dir/t.json"]);
  });

  it("ignores other types, duplicates, and a tag that is not such a list", () => {
    expect(loggedTablesOf(tag('[{"path": "a.json", "type": "table"}, {"path": "a.json", "type": "table"}, {"path": "m", "type": "model"}, {"type": "table"}, 3]'))).toEqual(["a.json"]);
    expect(loggedTablesOf(tag("not json"))).toEqual([]);
    expect(loggedTablesOf(tag('{"path": "a.json", "type": "table"}'))).toEqual([]);
    expect(loggedTablesOf(undefined)).toEqual([]);
  });

  it("gathers the tables of several runs in first-seen order, and each run's own", () => {
    const { tables, byRun } = loggedTablesOfRuns([run("a", '[{"path": "x.json", "type": "table"}]'), run("b"), run("c", '[{"path": "y.json", "type": "table"}, {"path": "x.json", "type": "table"}]')]);
    expect(tables).toEqual(["x.json", "y.json"]);
    expect(byRun.get("b")).toEqual([]);
    expect(byRun.get("c")).toEqual(["y.json", "x.json"]);
  });
});

describe("reading a table artifact", () => {
  const expected = { columns: ["q", "a"], rows: [["hi", "hello"], ["bye", null]] };

  it("reads log_table's split JSON, with or without pandas' index", () => {
    expect(tableOfArtifact(JSON.parse('{"columns":["q","a"],"data":[["hi","hello"],["bye",null]]}'))).toEqual(expected);
    expect(tableOfArtifact({ columns: ["q", "a"], index: [0, 1], data: [["hi", "hello"], ["bye", null]] })).toEqual(expected);
  });

  it("names numeric and MultiIndex columns; short rows have empty cells", () => {
    expect(tableOfArtifact({ columns: [0, ["metrics", "score"]], data: [["x"]] })).toEqual({ columns: ["0", "metrics.score"], rows: [["x"]] });
  });

  it("reads pandas' table and records orientations", () => {
    const table = { schema: { fields: [{ name: "index" }, { name: "q" }, { name: "a" }], primaryKey: ["index"] }, data: [{ index: 0, q: "hi", a: "hello" }, { index: 1, q: "bye", a: null }] };
    expect(tableOfArtifact(table)).toEqual(expected);
    expect(tableOfArtifact([{ q: "hi", a: "hello" }, { q: "bye", a: null }])).toEqual(expected);
    expect(tableOfArtifact([{ q: "hi" }, { a: "x" }])).toEqual({ columns: ["q", "a"], rows: [["hi", undefined], [undefined, "x"]] });
  });

  it("refuses what is not a table", () => {
    for (const value of [{ accuracy: 0.9 }, { columns: ["a"] }, [], [1, 2], "text", null, { data: [[1]] }]) expect(tableOfArtifact(value)).toBeUndefined();
  });
});

describe("the comparison rows", () => {
  const t = (columns: string[], ...rows: unknown[][]) => ({ columns, rows });

  it("shows cells as text: strings as they are, null as nothing, the rest as JSON", () => {
    expect([evaluationCellText("a"), evaluationCellText(null), evaluationCellText(undefined), evaluationCellText(0.5), evaluationCellText(false), evaluationCellText({ a: [1] })]).toEqual(["a", "", "", "0.5", "false", '{"a":[1]}']);
  });

  it("offers each column once, images apart, MLflow's metadata columns left out", () => {
    const image = { type: "image", filepath: "table_images/a.png" };
    const columns = evaluationColumns([t(["q", "pic", "MLFLOW_latency"], ["a", null, 1], ["b", image, 2]), t(["q", "answer"], ["a", "x"])]);
    expect(columns).toEqual({ text: ["q", "answer"], image: ["pic"] });
  });

  it("has a row per distinct input combination, in order first seen, and each run's output in its column", () => {
    const runA = [t(["q", "ctx", "out"], ["hi", "c1", "A1"], ["bye", "c2", "A2"])];
    const runB = [t(["q", "ctx", "out"], ["bye", "c2", "B2"], ["new", "c3", "B3"])];
    const rows = evaluationRows([runA, undefined, runB], ["q"], "out");
    expect(rows.map((r) => [r.groups, r.cells])).toEqual([
      [["hi"], ["A1", undefined, undefined]],
      [["bye"], ["A2", undefined, "B2"]],
      [["new"], [undefined, undefined, "B3"]],
    ]);
    // Two group-by columns: combinations; a key never mixes values that merely join alike.
    const two = evaluationRows([[t(["a", "b", "out"], ["x.y", "z", 1], ["x", "y.z", 2])]], ["a", "b"], "out");
    expect(two.map((r) => r.cells)).toEqual([[1], [2]]);
  });

  it("keeps a run's first value for repeated inputs, skips rows without inputs, and reads several tables of a run", () => {
    const rows = evaluationRows([[t(["q", "out"], ["a", null], ["a", "second"], ["a", "third"], [null, "orphan"], ["", "orphan"]), t(["q", "out"], ["b", 0])]], ["q"], "out");
    expect(rows.map((r) => [r.groups, r.cells])).toEqual([
      [["a"], ["second"]],
      [["b"], [0]],
    ]);
    // A table without the compared column or a group-by column still gives its rows, without values.
    expect(evaluationRows([[t(["q"], ["a"])]], ["q", "missing"], "out").map((r) => [r.groups, r.cells])).toEqual([[["a", ""], [undefined]]]);
  });

  it("pivots 10,000 rows × 10 runs quickly", () => {
    const tables = Array.from({ length: 10 }, (_, r) => [t(["q", "out"], ...Array.from({ length: 10_000 }, (_, i) => [`question ${i}`, `run ${r} answer ${i}`]))]);
    const started = performance.now();
    const rows = evaluationRows(tables, ["q"], "out");
    const ms = performance.now() - started;
    expect(rows).toHaveLength(10_000);
    expect(rows[9_999]!.cells[9]).toBe("run 9 answer 9999");
    expect(ms).toBeLessThan(1_000);
  });
});

describe("the row filter", () => {
  const rows = ["What is MLflow?", "How do I log a table?", "c++ templates", "(empty"].map((q) => ({ key: q, groups: [q], cells: [] }));
  const matching = (filter: string) => filterEvaluationRows(rows, filterPattern(filter)).map((r) => r.groups[0]);

  it("matches the inputs by a case-insensitive regular expression, or by the text when it is not one", () => {
    expect(matching("")).toHaveLength(4);
    expect(matching("mlflow")).toEqual(["What is MLflow?"]);
    expect(matching("^(what|how)")).toEqual(["What is MLflow?", "How do I log a table?"]);
    expect(matching("c++")).toEqual(["c++ templates"]);
    expect(matching("(empty")).toEqual(["(empty"]);
  });

  it("cuts a text where the filter matches, for highlighting", () => {
    expect(highlightParts("What is MLflow? mlflow!", filterPattern("mlflow"))).toEqual([
      { text: "What is ", match: false },
      { text: "MLflow", match: true },
      { text: "? ", match: false },
      { text: "mlflow", match: true },
      { text: "!", match: false },
    ]);
    expect(highlightParts("abc", filterPattern("x*"))).toEqual([{ text: "abc", match: false }]);
    expect(highlightParts("<img src=x>", undefined)).toEqual([{ text: "<img src=x>", match: false }]);
  });
});

describe("the Evaluation tab's address", () => {
  it("is ours and MLflow 2's compareRunsMode=ARTIFACT", () => {
    expect(parseHash(link.experiment("3", "evaluation"))).toEqual({ page: "experiment", experimentId: "3", tab: "evaluation" });
    expect(parseHash("#/experiments/3?compareRunsMode=ARTIFACT&searchFilter=x")).toEqual({ page: "experiment", experimentId: "3", tab: "evaluation" });
    expect(parseHash("#/experiments/3?compareRunsMode=TABLE")).toEqual({ page: "experiment", experimentId: "3", tab: undefined });
  });
});
