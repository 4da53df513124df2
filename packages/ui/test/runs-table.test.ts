import { describe, expect, it } from "vitest";
import type { Run } from "@mlflow-ts/protocol";
import { groupRuns } from "../src/lib/group-runs.js";
import { expandedLookup, MAX_EXPANDED, parseExpandedRuns, toggleExpanded, writeExpandedRuns } from "../src/lib/expanded-runs.js";
import { headerSelection } from "../src/lib/header-selection.js";
import { parseColumnKey, parseRunsQuery, runsQueryString } from "../src/lib/runs-query.js";
import { suggestFilter } from "../src/lib/suggest-filter.js";
import { parseDatasetProfile, parseDatasetSchema } from "../src/lib/dataset-schema.js";
import { logTableOf, sortTableRows } from "../src/lib/log-table.js";

const run = (id: string, parent?: string): Run => ({
  info: { run_id: id, run_uuid: id, run_name: id, experiment_id: "1", user_id: "", status: "FINISHED", start_time: 0, artifact_uri: "", lifecycle_stage: "active" },
  data: parent ? { tags: [{ key: "mlflow.parentRunId", value: parent }] } : {},
  inputs: {},
});
const shown = (rows: ReturnType<typeof groupRuns>) => rows.map((r) => `${"-".repeat(r.depth)}${r.run.info.run_id}${r.childCount ? `(${r.childCount}${r.expanded ? " open" : ""})` : ""}`);

describe("nested runs grouped under their parents", () => {
  const runs = [run("c2", "p"), run("c1", "p"), run("p"), run("g", "c1"), run("x"), run("orphan", "gone")];

  it("lists children under their parent, collapsed until expanded, in the given order at each level", () => {
    expect(shown(groupRuns(runs, new Set()))).toEqual(["p(2)", "x", "orphan"]);
    expect(shown(groupRuns(runs, new Set(["p"])))).toEqual(["p(2 open)", "-c2", "-c1(1)", "x", "orphan"]);
    expect(shown(groupRuns(runs, new Set(["p", "c1"])))).toEqual(["p(2 open)", "-c2", "-c1(1 open)", "--g", "x", "orphan"]);
    // Expanding a child of a collapsed parent shows nothing more.
    expect(shown(groupRuns(runs, new Set(["c1"])))).toEqual(["p(2)", "x", "orphan"]);
    // "Expand all" (every parent but the listed ones) opens grandparents' children too.
    expect(shown(groupRuns(runs, expandedLookup({ all: true, ids: ["c1"] })))).toEqual(["p(2 open)", "-c2", "-c1(1)", "x", "orphan"]);
  });

  it("lists a run whose parent is not loaded, or is itself, at the top level", () => {
    expect(shown(groupRuns([run("a", "a"), run("b", "missing")], new Set()))).toEqual(["a", "b"]);
  });

  it("never loses the runs of a cycle of parent tags", () => {
    const cycle = [run("a", "b"), run("b", "a"), run("c")];
    const rows = groupRuns(cycle, new Set(["a", "b"]));
    expect(rows.map((r) => r.run.info.run_id).sort()).toEqual(["a", "b", "c"]);
    expect(groupRuns(cycle, new Set()).map((r) => r.run.info.run_id)).toContain("c");
  });

  it("walks a chain of thousands of nested runs without recursion", () => {
    const chain = Array.from({ length: 5000 }, (_, i) => run(`r${i}`, i ? `r${i - 1}` : undefined));
    const all = new Set(chain.map((r) => r.info.run_id));
    const rows = groupRuns(chain, all);
    expect(rows).toHaveLength(5000);
    expect(rows[4999]!.depth).toBe(4999);
  });
});

describe("expanded parents in the URL", () => {
  const params = (text: string) => new URLSearchParams(text);
  const written = (state: Parameters<typeof writeExpandedRuns>[1], keep = "") => {
    const p = params(keep);
    writeExpandedRuns(p, state);
    return decodeURIComponent(p.toString());
  };

  it("reads MLflow 2's runsExpanded[<run id>]=true, and writes it back", () => {
    // As MLflow 2's UI wrote it (qs, brackets bare) and as URLSearchParams encodes it.
    expect(parseExpandedRuns(params("runsExpanded[c25889176f47440eab393cb2364ba0ee]=true&runsExpanded[d1]=false"))).toEqual({ all: false, ids: ["c25889176f47440eab393cb2364ba0ee"] });
    expect(parseExpandedRuns(params("runsExpanded%5Ba1%5D=true&runsExpanded%5Bb2%5D=true"))).toEqual({ all: false, ids: ["a1", "b2"] });
    expect(written({ all: false, ids: ["a1", "b2"] }, "searchFilter=x&runsExpanded%5Bold%5D=true")).toBe("searchFilter=x&runsExpanded[a1]=true&runsExpanded[b2]=true");
    expect(parseExpandedRuns(params("searchFilter=x"))).toBeUndefined();
    expect(written(undefined, "runsExpanded%5Bold%5D=true&metric=loss")).toBe("metric=loss");
  });

  it("keeps 'Expand all' as one parameter, with the parents collapsed since as exceptions", () => {
    const all = parseExpandedRuns(params("runsExpanded%5B*%5D=true&runsExpanded%5Bp1%5D=false&runsExpanded%5Bp2%5D=true"));
    expect(all).toEqual({ all: true, ids: ["p1"] });
    expect(written(all)).toBe("runsExpanded[*]=true&runsExpanded[p1]=false");
    expect([expandedLookup(all).has("p1"), expandedLookup(all).has("p2"), expandedLookup(undefined).has("p2")]).toEqual([false, true, false]);
    expect(toggleExpanded(all!, "p1")).toEqual({ all: true, ids: [] });
    expect(toggleExpanded({ all: false, ids: ["a"] }, "b")).toEqual({ all: false, ids: ["a", "b"] });
  });

  it("ignores what cannot be a run ID, repeats, and IDs past the bound; the oldest toggled goes first", () => {
    expect(parseExpandedRuns(params("runsExpanded%5B%5D=true&runsExpanded%5B..%2Fx%5D=true&runsExpanded%5Ba%20b%5D=true&runsExpanded%5Bok%5D=yes&runsExpanded=abc&runsExpanded%5Bk%5D=true&runsExpanded%5Bk%5D=true"))).toEqual({
      all: false,
      ids: ["k"],
    });
    const many = Array.from({ length: MAX_EXPANDED + 50 }, (_, i) => `r${i}`);
    const parsed = parseExpandedRuns(params(many.map((id) => `runsExpanded%5B${id}%5D=true`).join("&")))!;
    expect(parsed.ids).toHaveLength(MAX_EXPANDED);
    expect(parsed.ids[0]).toBe("r0");
    const full = { all: false, ids: many.slice(0, MAX_EXPANDED) };
    const next = toggleExpanded(full, "new");
    expect(next.ids).toHaveLength(MAX_EXPANDED);
    expect([next.ids[0], next.ids.at(-1)]).toEqual(["r1", "new"]);
  });

  it("are part of the runs table's state, beside filter and sort", () => {
    const state = parseRunsQuery("searchFilter=x&runsExpanded%5Bp%5D=true");
    expect(state).toEqual({ filter: "x", viewType: "ACTIVE_ONLY", expanded: { all: false, ids: ["p"] } });
    expect(parseRunsQuery(runsQueryString(state))).toEqual(state);
    expect(runsQueryString({ ...state, expanded: undefined })).toBe("searchFilter=x");
  });
});

describe("the header checkbox of the runs table", () => {
  it("speaks of the rows shown: a selected child of a collapsed parent does not count", () => {
    expect(headerSelection(["p", "x"], new Set(["p", "x", "hidden-child"]))).toEqual({ checked: true, indeterminate: false });
    expect(headerSelection(["p", "x"], new Set(["hidden-child"]))).toEqual({ checked: false, indeterminate: false });
    expect(headerSelection(["p", "c1", "x"], new Set(["p"]))).toEqual({ checked: false, indeterminate: true });
    expect(headerSelection([], new Set(["a"]))).toEqual({ checked: false, indeterminate: false });
  });
});

describe("the runs table's state in the URL", () => {
  it("reads MLflow's parameter names and round-trips its own", () => {
    const state = parseRunsQuery("searchFilter=params.opt%20%3D%20'adam'&orderByKey=metrics.%60val%20loss%60&orderByAsc=true&lifecycleFilter=Deleted&columns=%5B%22metrics.acc%22%2C%22tags.mlflow.user%22%5D");
    expect(state).toEqual({
      filter: "params.opt = 'adam'",
      sort: { column: { kind: "metric", key: "val loss" }, ascending: true },
      viewType: "DELETED_ONLY",
      columns: [
        { kind: "metric", key: "acc" },
        { kind: "tag", key: "mlflow.user" },
      ],
    });
    expect(parseRunsQuery(runsQueryString(state))).toEqual(state);
  });

  it("leaves defaults out, keeps other parameters, ignores what it cannot read", () => {
    expect(runsQueryString({ filter: "", viewType: "ACTIVE_ONLY" }, "metric=loss&searchFilter=old")).toBe("metric=loss");
    expect(parseRunsQuery("orderByKey=nonsense&lifecycleFilter=weird&columns=not-json")).toEqual({ filter: "", viewType: "ACTIVE_ONLY" });
    expect(parseRunsQuery("orderByKey=attributes.start_time").sort).toEqual({ column: { kind: "attribute", key: "start_time" }, ascending: false });
    expect(parseColumnKey('params."my param"')).toEqual({ kind: "param", key: "my param" });
    expect(parseRunsQuery("columns=%5B%5D").columns).toEqual([]);
  });
});

describe("completion of keys in the filter", () => {
  const keys = { metrics: ["accuracy", "val loss", "loss", "train_acc"], params: ["optimizer"], tags: ["mlflow.parentRunId", "team"] };

  it("completes a bare word to an entity and an entity's partial key to the runs' keys", () => {
    expect(suggestFilter("me", 2, keys)).toEqual({ from: 0, to: 2, items: [{ label: "metrics.", insert: "metrics.", kind: "entity" }] });
    // Prefix matches first, then substring matches; keys the grammar cannot read bare are quoted.
    expect(suggestFilter("metrics.acc > 1 and metrics.", 28, keys)?.items.map((i) => i.insert)).toEqual(["metrics.accuracy", "metrics.`val loss`", "metrics.loss", "metrics.train_acc"]);
    expect(suggestFilter("metrics.acc", 11, keys)?.items.map((i) => i.label)).toEqual(["accuracy", "train_acc"]);
    expect(suggestFilter("tags.mlflow.p", 13, keys)?.items.map((i) => i.insert)).toEqual(["tags.mlflow.parentRunId"]);
    expect(suggestFilter("attr.st", 7, keys)?.items.map((i) => i.insert)).toEqual(["attr.status", "attr.start_time"]);
    expect(suggestFilter("datasets.c", 10, keys)?.items.map((i) => i.insert)).toEqual(["datasets.context"]);
  });

  it("replaces the whole word around the caret", () => {
    expect(suggestFilter("x > 1 and params.opt = 'a'", 20, keys)).toMatchObject({ from: 10, to: 20 });
    expect(suggestFilter("params.optimiz = 'a'", 10, keys)).toMatchObject({ from: 0, to: 14 });
  });

  it("offers nothing for values, unknown entities, or a key already complete", () => {
    expect(suggestFilter("params.optimizer = 'me", 22, keys)).toBeUndefined();
    expect(suggestFilter("params.optimizer = 'a b m", 25, keys)).toBeUndefined();
    expect(suggestFilter("metrics.loss < 0.", 17, keys)).toBeUndefined();
    expect(suggestFilter("bogus.x", 7, keys)).toBeUndefined();
    expect(suggestFilter("params.optimizer", 16, keys)).toBeUndefined();
    expect(suggestFilter("metrics.zzz", 11, keys)).toBeUndefined();
  });
});

describe("a dataset's schema and profile", () => {
  it("reads MLflow's column spec, tensor spec, and anything else as JSON", () => {
    expect(parseDatasetSchema('{"mlflow_colspec": [{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "y"}]}')).toEqual({
      fields: [
        { name: "x", type: "double", required: true },
        { name: "y", type: "string" },
      ],
    });
    const tensors = JSON.stringify({ mlflow_tensorspec: { features: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 28, 28] } }]), targets: "null" } });
    // No targets: the features alone.
    expect(parseDatasetSchema(tensors)).toEqual({ fields: [{ name: "features", part: "features", type: "tensor float32", shape: [-1, 28, 28] }] });
    const odd = JSON.stringify({ mlflow_tensorspec: { features: 42 } });
    expect(parseDatasetSchema(odd)).toEqual({ raw: JSON.parse(odd) });
    expect(parseDatasetSchema('{"custom": 1}')).toEqual({ raw: { custom: 1 } });
    expect(parseDatasetSchema("not json")).toEqual({ raw: "not json" });
    expect(parseDatasetSchema(undefined)).toBeUndefined();
    expect(parseDatasetSchema("")).toBeUndefined();
  });

  it("reads the profile as label and value rows", () => {
    expect(parseDatasetProfile('{"num_rows": 150000, "num_elements": 600, "shape": [1, 2]}')).toEqual([
      ["num_rows", "150,000"],
      ["num_elements", "600"],
      ["shape", "[1,2]"],
    ]);
    expect(parseDatasetProfile('"plain"')).toEqual([["profile", "plain"]]);
  });
});

describe("log_table output", () => {
  it("is recognised by MLflow's shape only", () => {
    expect(logTableOf({ columns: ["a", "b"], data: [[1, "x"], [2]] })).toEqual({ columns: ["a", "b"], rows: [[1, "x"], [2]] });
    expect(logTableOf({ columns: ["a"], data: [[1, 2]] })).toBeUndefined();
    expect(logTableOf({ columns: "a", data: [] })).toBeUndefined();
    expect(logTableOf([["a"]])).toBeUndefined();
    expect(logTableOf({ accuracy: 0.9 })).toBeUndefined();
  });

  it("sorts numbers as numbers, text in order, empty cells last both ways, ties stable", () => {
    const rows = [["b", "10"], ["a", "9"], ["c", null], ["d", ""], ["e", "x"], ["f", "9"]];
    expect(sortTableRows(rows, 1, true).map((r) => r[0])).toEqual(["a", "f", "b", "e", "c", "d"]);
    expect(sortTableRows(rows, 1, false).map((r) => r[0])).toEqual(["e", "b", "a", "f", "c", "d"]);
  });
});
