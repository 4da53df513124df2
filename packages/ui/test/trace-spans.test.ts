import { describe, expect, it } from "vitest";
import { normalizeSpans, toHexId } from "../src/lib/normalize-spans.js";
import { buildSpanTree, visibleRows } from "../src/lib/span-tree.js";
import { parseHash } from "../src/lib/router.js";

// The span shapes of spec §2.5 and §4.5, one per writer, each a root with one child. The UI must
// read them all alike.
const T0 = 1_730_000_000_123_000_000;
const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
const ROOT = "0123456789abcdef";
const CHILD = "fedcba9876543210";

const formats: Record<string, unknown> = {
  "OTel proto JSON (BatchGetTraces)": [
    {
      span_id: b64(ROOT),
      name: "root",
      start_time_unix_nano: T0,
      end_time_unix_nano: T0 + 5e6,
      attributes: [
        { key: "mlflow.spanType", value: { string_value: "CHAIN" } },
        { key: "mlflow.spanInputs", value: { kvlist_value: { values: [{ key: "q", value: { string_value: "hi" } }] } } },
        { key: "mlflow.spanOutputs", value: { string_value: "hello" } },
        { key: "n", value: { int_value: 3 } },
      ],
      status: { code: "STATUS_CODE_OK" },
    },
    { span_id: b64(CHILD), parent_span_id: b64(ROOT), name: "child", start_time_unix_nano: T0 + 1e6, end_time_unix_nano: T0 + 2e6, status: { code: "STATUS_CODE_ERROR", message: "boom" }, events: [{ name: "exception", time_unix_nano: T0 + 1.5e6, attributes: [{ key: "exception.message", value: { string_value: "boom" } }] }] },
  ],
  "Python 3.x traces.json (JSON-text attributes)": {
    spans: [
      { span_id: b64(ROOT), parent_span_id: null, name: "root", start_time_unix_nano: T0, end_time_unix_nano: T0 + 5e6, status: { code: "STATUS_CODE_OK", message: "" }, attributes: { "mlflow.traceRequestId": '"tr-1"', "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": '{"q": "hi"}', "mlflow.spanOutputs": '"hello"', n: "3" }, events: [] },
      { span_id: b64(CHILD), parent_span_id: b64(ROOT), name: "child", start_time_unix_nano: T0 + 1e6, end_time_unix_nano: T0 + 2e6, status: { code: "STATUS_CODE_ERROR", message: "boom" }, attributes: { "mlflow.traceRequestId": '"tr-1"' }, events: [{ name: "exception", time_unix_nano: T0 + 1.5e6, attributes: { "exception.message": "boom" } }] },
    ],
  },
  "TS SDK traces.json (decoded attributes, empty root parent)": {
    spans: [
      { span_id: b64(ROOT), parent_span_id: "", name: "root", start_time_unix_nano: T0, end_time_unix_nano: T0 + 5e6, status: { code: "STATUS_CODE_OK" }, attributes: { "mlflow.traceRequestId": "tr-1", "mlflow.spanType": "CHAIN", "mlflow.spanInputs": { q: "hi" }, "mlflow.spanOutputs": "hello", n: 3 }, events: [] },
      { span_id: b64(CHILD), parent_span_id: b64(ROOT), name: "child", start_time_unix_nano: T0 + 1e6, end_time_unix_nano: T0 + 2e6, status: { code: "STATUS_CODE_ERROR", message: "boom" }, attributes: {}, events: [{ name: "exception", time_unix_nano: T0 + 1.5e6, attributes: { "exception.message": "boom" } }] },
    ],
  },
  "Python 2.x traces.json (context, 0x ids)": {
    request: '{"q": "hi"}',
    response: '"hello"',
    spans: [
      { name: "root", context: { span_id: `0x${ROOT}`, trace_id: `0x${"a".repeat(32)}` }, parent_id: null, start_time: T0, end_time: T0 + 5e6, status_code: "OK", status_message: "", attributes: { "mlflow.traceRequestId": '"abc"', "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": '{"q": "hi"}', "mlflow.spanOutputs": '"hello"', n: "3" }, events: [] },
      { name: "child", context: { span_id: `0x${CHILD}`, trace_id: `0x${"a".repeat(32)}` }, parent_id: `0x${ROOT}`, start_time: T0 + 1e6, end_time: T0 + 2e6, status_code: "ERROR", status_message: "boom", attributes: {}, events: [{ name: "exception", timestamp: T0 + 1.5e6, attributes: { "exception.message": "boom" } }] },
    ],
  },
};

describe("trace spans in every writer's format", () => {
  for (const [format, data] of Object.entries(formats)) {
    it(`reads ${format}`, () => {
      const [root, child] = normalizeSpans(data);
      expect(root).toMatchObject({ spanId: ROOT, parentId: undefined, name: "root", type: "CHAIN", status: "OK", inputs: { q: "hi" }, outputs: "hello" });
      expect(root!.attributes.n).toBe(3);
      expect(root!.endNs - root!.startNs).toBeCloseTo(5e6, -3);
      expect(child).toMatchObject({ spanId: CHILD, parentId: ROOT, status: "ERROR", statusMessage: "boom" });
      expect(child!.events).toEqual([{ name: "exception", timeNs: expect.any(Number), attributes: { "exception.message": "boom" } }]);
      const tree = buildSpanTree(normalizeSpans(data));
      expect(tree.roots.map((n) => [n.span.name, n.children.map((c) => c.span.name)])).toEqual([["root", ["child"]]]);
    });
  }

  it("spells ids as hex from base64, 0x and hex", () => {
    expect(toHexId(b64(ROOT))).toBe(ROOT);
    expect(toHexId(`0x${ROOT.toUpperCase()}`)).toBe(ROOT);
    expect(toHexId(ROOT)).toBe(ROOT);
    expect(toHexId("")).toBeUndefined();
  });
});

describe("the span tree", () => {
  const span = (id: string, parent: string | undefined, start: number) => ({ spanId: id, parentId: parent, name: id, type: undefined, status: "OK" as const, statusMessage: undefined, startNs: start, endNs: start + 10, inputs: undefined, outputs: undefined, attributes: {}, events: [] });

  it("orders children by start, keeps orphans and cycles as roots, and hides collapsed subtrees", () => {
    const tree = buildSpanTree([span("r", undefined, 0), span("b", "r", 5), span("a", "r", 1), span("a1", "a", 2), span("orphan", "gone", 3), span("x", "y", 4), span("y", "x", 4)]);
    expect(visibleRows(tree, new Set()).map((r) => `${r.node.depth}:${r.node.span.spanId}`)).toEqual(["0:r", "1:a", "2:a1", "1:b", "0:orphan", "0:x", "1:y"]);
    expect(visibleRows(tree, new Set(["a"])).map((r) => r.node.span.spanId)).toEqual(["r", "a", "b", "orphan", "x", "y"]);
    expect(tree.startNs).toBe(0);
    expect(tree.endNs).toBe(15);
  });

  it("builds a 10,000-deep chain without recursion", () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : undefined, i));
    expect(visibleRows(buildSpanTree(spans), new Set()).at(-1)!.node.depth).toBe(9_999);
  });
});

describe("trace routes", () => {
  it("opens a trace from our link and MLflow's", () => {
    const trace = { page: "trace", experimentId: "3", traceId: "tr-1" };
    expect(parseHash("#/experiments/3/traces/tr-1")).toEqual(trace);
    expect(parseHash("#/experiments/3/traces?selectedEvaluationId=tr-1")).toEqual(trace);
    expect(parseHash("#/experiments/3/traces?selectedTraceId=tr-1")).toEqual(trace);
    expect(parseHash("#/experiments/3?selectedTraceId=tr-1&compareRunsMode=TRACES")).toEqual(trace);
    expect(parseHash("#/experiments/3/traces")).toEqual({ page: "experiment", experimentId: "3", tab: "traces" });
    expect(parseHash("#/experiments/3?compareRunsMode=TRACES")).toEqual({ page: "experiment", experimentId: "3", tab: "traces" });
  });
});
