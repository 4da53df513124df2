import { describe, expect, it } from "vitest";
import type { Run } from "@mlflow-ts/protocol";
import { filterByBrush, inBrush, withAxisBrush } from "../src/lib/brush.js";
import { barScale } from "../src/lib/bar-scale.js";
import { chartLayoutKey, defaultCharts, isSystemChart, moveChart, parseChartLayout, type ChartSpec } from "../src/lib/chart-layout.js";
import { hiddenRunsKey, MAX_HIDDEN_RUNS, parseHiddenRuns } from "../src/lib/hidden-runs.js";
import { defaultParallelAxes, parallelAxes, varies } from "../src/lib/parallel-axes.js";
import { fieldLabel, fieldValue, numericValue, parseField } from "../src/lib/run-field.js";
import { isSystemMetric, splitSystemMetrics } from "../src/lib/system-metrics.js";

function run(id: string, params: Record<string, string>, metrics: Record<string, number | string>): Run {
  return {
    info: { run_id: id, run_uuid: id, run_name: id, experiment_id: "1", user_id: "u", status: "FINISHED", start_time: 0, artifact_uri: "", lifecycle_stage: "active" },
    data: {
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value: value as number, timestamp: 0, step: 0 })),
      tags: [],
    },
    inputs: {},
  } as Run;
}

const runs = [
  run("a", { lr: "0.1", opt: "adam" }, { acc: 0.9, "system/cpu_utilization_percentage": 40 }),
  run("b", { lr: "0.01", opt: "sgd" }, { acc: 0.5 }),
  run("c", { lr: "0.001", opt: "adam" }, { acc: "NaN" }),
  run("d", {}, {}),
];

describe("system metrics", () => {
  it("are the keys MLflow's system-metrics logger writes, under system/", () => {
    expect(isSystemMetric("system/gpu_0_memory_usage_megabytes")).toBe(true);
    expect(isSystemMetric("system_loss")).toBe(false);
    expect(splitSystemMetrics(["acc", "system/cpu_utilization_percentage", "loss", "system/worker_1/disk_usage_percentage"])).toEqual({
      model: ["acc", "loss"],
      system: ["system/cpu_utilization_percentage", "system/worker_1/disk_usage_percentage"],
    });
  });
});

describe("a run's fields", () => {
  it("reads params as logged and metrics as numbers, NaN included", () => {
    expect(fieldValue(runs[0]!, "param:lr")).toBe("0.1");
    expect(fieldValue(runs[0]!, "metric:acc")).toBe(0.9);
    expect(fieldValue(runs[2]!, "metric:acc")).toBeNaN();
    expect(fieldValue(runs[3]!, "param:lr")).toBeUndefined();
    expect(parseField("metric:val:loss")).toEqual({ kind: "metric", key: "val:loss" });
    expect(fieldLabel("param:opt")).toBe("param opt");
    expect([numericValue("1e-3"), numericValue("adam"), numericValue(" "), numericValue(undefined)]).toEqual([0.001, undefined, undefined, undefined]);
  });
});

describe("brushes", () => {
  it("keep the runs inside every axis' range or categories; a run without the value is outside", () => {
    const brush = withAxisBrush(withAxisBrush({}, "param:lr", { min: 0.005, max: 0.5 }), "param:opt", { values: ["adam", "sgd"] });
    expect(filterByBrush(runs, brush).map((r) => r.info.run_id)).toEqual(["a", "b"]);
    expect(filterByBrush(runs, withAxisBrush(brush, "param:opt", { values: ["sgd"] })).map((r) => r.info.run_id)).toEqual(["b"]);
    // NaN is in no range.
    expect(inBrush(runs[2]!, { "metric:acc": { min: -Infinity, max: Infinity } })).toBe(false);
    expect(inBrush(runs[3]!, { "param:lr": { min: 0, max: 1 } })).toBe(false);
  });

  it("leave the runs as they are when nothing is brushed, and clear an axis with undefined", () => {
    expect(filterByBrush(runs, {})).toBe(runs);
    expect(withAxisBrush({ "param:lr": { min: 0, max: 1 } }, "param:lr", undefined)).toEqual({});
  });
});

describe("parallel coordinates' axes", () => {
  it("are numeric when every value is a number (params included), from the minimum up", () => {
    const [lr, acc] = parallelAxes(runs, ["param:lr", "metric:acc"]);
    expect(lr!.kind).toBe("number");
    expect([lr!.min, lr!.max]).toEqual([0.001, 0.1]);
    expect(lr!.position("0.1")).toBe(1);
    expect(lr!.position("0.001")).toBe(0);
    expect(lr!.position(undefined)).toBeNaN();
    // NaN has no place on the axis, and does not stretch it.
    expect([acc!.min, acc!.max]).toEqual([0.5, 0.9]);
    expect(acc!.position(NaN)).toBeNaN();
    const brush = lr!.brushOf(0.5, 1);
    expect(brush).toEqual({ min: 0.0505, max: 0.1 });
    expect(lr!.spanOf(brush)).toEqual([0.5, 1]);
  });

  it("are categorical for text, sorted, evenly spaced; a brush keeps the categories it covers", () => {
    const [opt] = parallelAxes(runs, ["param:opt"]);
    expect(opt!.kind).toBe("category");
    expect(opt!.categories).toEqual(["adam", "sgd"]);
    expect([opt!.position("adam"), opt!.position("sgd"), opt!.position("rmsprop")]).toEqual([0, 1, NaN]);
    expect(opt!.brushOf(0, 0.3)).toEqual({ values: ["adam"] });
    expect(opt!.brushOf(0.4, 0.6)).toEqual({ values: [] });
  });

  it("put one value in the middle", () => {
    const [only] = parallelAxes([runs[0]!], ["metric:acc"]);
    expect(only!.position(0.9)).toBe(0.5);
    expect(only!.brushOf(0, 1)).toEqual({ min: 0.9, max: 0.9 });
  });

  it("start with the params that vary, then metrics, the first metric last", () => {
    expect(varies(runs, "param:lr")).toBe(true);
    expect(varies([runs[0]!, runs[3]!], "param:lr")).toBe(false);
    expect(defaultParallelAxes(runs, ["lr", "opt"], ["acc", "loss"])).toEqual(["param:lr", "param:opt", "metric:loss", "metric:acc"]);
  });
});

describe("chart layouts", () => {
  it("default to a line chart per metric (model metrics first) and a scatter", () => {
    const charts = defaultCharts(["system/cpu_utilization_percentage", "acc", "loss"], { x: "param:lr", y: "metric:acc" });
    expect(charts.map((c) => c.id)).toEqual(["line:acc", "line:loss", "line:system/cpu_utilization_percentage", "scatter"]);
    expect(charts.filter(isSystemChart).map((c) => c.id)).toEqual(["line:system/cpu_utilization_percentage"]);
    expect(defaultCharts(Array.from({ length: 30 }, (_, i) => `m${i}`))).toHaveLength(20);
  });

  it("read back what was kept, leaving out charts they cannot read", () => {
    const text = JSON.stringify({
      version: 1,
      charts: [
        { id: "l", type: "line", metric: "loss", settings: { axis: "relative", smoothing: 0.5, log: true } },
        { id: "b", type: "bar", metric: "acc" },
        { id: "s", type: "scatter", x: "param:lr", y: "metric:acc" },
        { id: "p", type: "parallel", axes: ["param:lr", "metric:acc"] },
        { id: "x", type: "pie", metric: "acc" },
        { id: "l2", type: "line" },
        { id: "b", type: "bar", metric: "again" },
        { id: "blog", type: "bar", metric: "loss", settings: { log: true } },
        { id: "bodd", type: "bar", metric: "loss", settings: { log: "true" } },
        { id: "bnull", type: "bar", metric: "loss", settings: null },
        { id: "w", type: "line", metric: "loss", settings: { axis: "sideways", smoothing: 3, log: "yes" } },
        null,
      ],
    });
    expect(parseChartLayout(text)).toEqual([
      { id: "l", type: "line", metric: "loss", settings: { axis: "relative", smoothing: 0.5, log: true } },
      { id: "b", type: "bar", metric: "acc" },
      { id: "s", type: "scatter", x: "param:lr", y: "metric:acc" },
      { id: "p", type: "parallel", axes: ["param:lr", "metric:acc"] },
      { id: "blog", type: "bar", metric: "loss", settings: { log: true } },
      { id: "bodd", type: "bar", metric: "loss" },
      { id: "bnull", type: "bar", metric: "loss" },
      { id: "w", type: "line", metric: "loss", settings: { axis: "step", smoothing: 0, log: false } },
    ]);
    for (const bad of [null, "", "{", "[]", '{"version":2,"charts":[]}', '{"version":1}']) expect(parseChartLayout(bad)).toBeUndefined();
    expect(chartLayoutKey("7")).toBe("mlflow-ts.charts.7");
  });

  it("move a chart among the charts of its own section", () => {
    const charts: ChartSpec[] = [
      { id: "a", type: "line", metric: "acc" },
      { id: "cpu", type: "line", metric: "system/cpu_utilization_percentage" },
      { id: "b", type: "bar", metric: "acc" },
      { id: "mem", type: "line", metric: "system/system_memory_usage_megabytes" },
    ];
    expect(moveChart(charts, "b", -1).map((c) => c.id)).toEqual(["b", "cpu", "a", "mem"]);
    expect(moveChart(charts, "cpu", 1).map((c) => c.id)).toEqual(["a", "mem", "b", "cpu"]);
    expect(moveChart(charts, "a", -1).map((c) => c.id)).toEqual(["a", "cpu", "b", "mem"]);
    expect(moveChart(charts, "b", 1).map((c) => c.id)).toEqual(["a", "cpu", "b", "mem"]);
  });
});

describe("bar charts' scales", () => {
  it("are linear from zero (or the lowest value) to the highest, NaN and infinities left out", () => {
    const scale = barScale([-1, 3, NaN, Infinity], false);
    expect(scale.domain).toEqual([-1, 3]);
    expect([scale.origin, scale.position(3), scale.position(-1), scale.position(NaN), scale.position(-Infinity)]).toEqual([0.25, 1, 0, undefined, undefined]);
    expect(barScale([5, 5], false).domain).toEqual([0, 5]);
    expect(barScale([], false).position(0)).toBe(0);
  });

  it("on a log scale span whole decades, start below the smallest value, and place no value ≤ 0", () => {
    const scale = barScale([0.5, 20, 0, -3, NaN], true);
    expect(scale.domain).toEqual([0.1, 100]);
    expect(scale.origin).toBe(0);
    expect(scale.position(10)).toBeCloseTo(2 / 3);
    expect(scale.position(0.5)).toBeGreaterThan(0);
    expect([scale.position(0), scale.position(-3), scale.position(NaN), scale.position(Infinity)]).toEqual([undefined, undefined, undefined, undefined]);
    // A power of ten is not the axis' end: its bar has a length.
    expect(barScale([1, 1], true).domain).toEqual([0.1, 1]);
    expect(barScale([1000], true).position(1000)).toBe(1);
    // Nothing positive: still a scale, with nothing on it.
    expect(barScale([0, -1], true).domain).toEqual([1, 10]);
  });
});

describe("runs hidden in the charts", () => {
  it("are read back as run IDs only, once each, the latest kept", () => {
    expect(parseHiddenRuns('["a1", 7, "x]y", "", "a1", "b2", null]')).toEqual(["a1", "b2"]);
    for (const bad of [null, "", "{", '{"hidden":["a1"]}', '"a1"']) expect(parseHiddenRuns(bad)).toEqual([]);
    const many = Array.from({ length: MAX_HIDDEN_RUNS + 10 }, (_, i) => `r${i}`);
    const kept = parseHiddenRuns(JSON.stringify(many));
    expect(kept).toHaveLength(MAX_HIDDEN_RUNS);
    expect(kept[0]).toBe("r10");
    expect(hiddenRunsKey(chartLayoutKey("7"))).toBe("mlflow-ts.charts.7.hidden");
  });
});
