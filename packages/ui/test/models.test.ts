import { describe, expect, it } from "vitest";
import type { ModelVersion } from "@mlflow-ts/protocol";
import { parseMlmodel, schemaFields, typeText } from "../src/lib/mlmodel.js";
import { exampleTable } from "../src/lib/example-table.js";
import { loadSnippet } from "../src/lib/load-snippet.js";
import { registrationsOf } from "../src/lib/registrations.js";
import { link, parseHash } from "../src/lib/router.js";
import { SKLEARN_INPUT_EXAMPLE, retrainedMlmodel, sklearnMlmodel } from "../../../test/support/mlmodel-files.js";

describe("reading MLmodel", () => {
  it("reads flavors, versions and the signature MLflow folds over several lines", () => {
    const info = parseMlmodel(sklearnMlmodel("abc"));
    expect(info).toMatchObject({ flavors: ["python_function", "sklearn"], loaderModule: "mlflow.sklearn", pythonVersion: "3.11.2", mlflowVersion: "2.12.2", runId: "abc", sizeBytes: 1234, created: "2024-05-01 10:00:00.123456" });
    expect(info.inputExample).toEqual({ artifactPath: "input_example.json", type: "dataframe", pandasOrient: "split", servingInputPath: "serving_input_example.json" });
    expect(info.signature?.inputs).toEqual([
      { name: "sepal length (cm)", type: "double", required: true },
      { name: "sepal width (cm)", type: "double", required: true },
      { name: "petal length (cm)", type: "double", required: true },
      // Folded across a line break inside the name: YAML joins it with one space.
      { name: "petal width (cm)", type: "double", required: true },
      { name: `it's "quoted"`, type: "string", required: false },
      { name: "tags", type: "array<string>", required: true },
      { name: "address", type: "object{city: string, zip?: long}", required: true },
    ]);
    expect(info.signature?.outputs).toEqual([{ type: "Tensor (dtype: int64, shape: [-1])", required: true }]);
    expect(info.signature?.params).toEqual([
      { name: "threshold", type: "double", default: "0.5", shape: "" },
      { name: "classes", type: "string", default: '["a","b"]', shape: "(-1,)" },
    ]);
  });

  it("leaves out what MLflow wrote as null or did not write", () => {
    const info = parseMlmodel(retrainedMlmodel("abc"));
    expect(info.signature?.params).toBeUndefined();
    expect(info.inputExample).toBeUndefined();
    expect(info.sizeBytes).toBeUndefined();
    expect(parseMlmodel("flavors:\n  python_function: {}\n")).toEqual({ flavors: ["python_function"] });
    // MLflow 3: the logged model's ID.
    expect(parseMlmodel("model_id: m-0123\nflavors: {}\n").modelId).toBe("m-0123");
  });

  it("says what is wrong with a file it cannot read", () => {
    expect(() => parseMlmodel("flavors: [unclosed")).toThrow(/^MLmodel is not valid YAML: /);
    expect(() => parseMlmodel("just text")).toThrow("MLmodel is not a YAML mapping");
    expect(() => parseMlmodel("signature:\n  inputs: '[{\"type\": '\n")).toThrow(/schema that is not JSON/);
    expect(() => parseMlmodel("signature:\n  inputs: '{\"type\": \"double\"}'\n")).toThrow("the signature holds a schema that is not a list");
  });

  it("builds plain data only: a tag that would make a function or a class is refused", () => {
    expect(() => parseMlmodel("flavors: !!js/function 'function () { return 1 }'\n")).toThrow(/not valid YAML/);
    expect(() => parseMlmodel("flavors: !!python/object:os.system ['id']\n")).toThrow(/not valid YAML/);
  });

  it("writes nested types as MLflow's schema nests them", () => {
    expect(typeText({ type: "map", values: { type: "array", items: { type: "long" } } })).toBe("map<string, array<long>>");
    expect(typeText({ type: "any" })).toBe("any");
    expect(schemaFields(null)).toBeUndefined();
    expect(schemaFields([{ type: "binary" }])).toEqual([{ type: "binary", required: true }]);
  });
});

describe("an input example as a table", () => {
  it("lays out a DataFrame in split orient, cells as text", () => {
    const table = exampleTable(SKLEARN_INPUT_EXAMPLE)!;
    expect(table.columns).toEqual(SKLEARN_INPUT_EXAMPLE.columns);
    expect(table.rows[1]).toEqual(["6.2", "2.9", "4.3", "1.3", "b", "[]", '{"city":"Lyon","zip":69001}']);
  });

  it("reads serving requests, records and matrices; leaves other JSON to the JSON view", () => {
    expect(exampleTable({ dataframe_split: { columns: ["a"], data: [[1]] } })).toEqual({ columns: ["a"], rows: [["1"]] });
    expect(exampleTable({ dataframe_records: [{ a: 1 }, { b: "x" }] })).toEqual({ columns: ["a", "b"], rows: [["1", ""], ["", "x"]] });
    expect(exampleTable({ inputs: [[1, 2], [3, 4]] })).toEqual({ columns: ["0", "1"], rows: [["1", "2"], ["3", "4"]] });
    expect(exampleTable([{ q: "hi" }])).toEqual({ columns: ["q"], rows: [["hi"]] });
    expect(exampleTable({ messages: [{ role: "user" }] })).toBeUndefined();
    expect(exampleTable("a prompt")).toBeUndefined();
    expect(exampleTable({ inputs: { a: [1] } })).toBeUndefined();
  });
});

describe("the load snippet", () => {
  it("loads the version, by alias when it has some, and through the flavor's own loader", () => {
    expect(loadSnippet("churn", "3", ["champion", "prod"], "mlflow.sklearn")).toBe(
      [
        "import mlflow",
        "",
        'model = mlflow.pyfunc.load_model("models:/churn/3")',
        "# or by alias: whichever version @champion points at (version 3 today)",
        'model = mlflow.pyfunc.load_model("models:/churn@champion")',
        'model = mlflow.pyfunc.load_model("models:/churn@prod")',
        "predictions = model.predict(data)",
        "",
        "# the sklearn object itself",
        'native = mlflow.sklearn.load_model("models:/churn/3")',
      ].join("\n"),
    );
  });

  it("quotes a name as a Python string and names no loader it cannot trust", () => {
    const snippet = loadSnippet('a "b" \\ c', "1", [], "os.system('x') or mlflow.sklearn");
    expect(snippet).toContain('mlflow.pyfunc.load_model("models:/a \\"b\\" \\\\ c/1")');
    expect(snippet).not.toContain("native");
    expect(snippet).not.toContain("alias");
  });
});

describe("which versions a logged model is registered as", () => {
  const version = (name: string, v: string, fields: Partial<ModelVersion>): ModelVersion => ({ name, version: v, creation_timestamp: 0, last_updated_timestamp: 0, current_stage: "None", status: "READY", ...fields });
  const run = { runId: "r1", artifactUri: "mlflow-artifacts:/1/r1/artifacts" };
  const versions = [
    version("b-model", "2", { source: "mlflow-artifacts:/1/r1/artifacts/model", run_id: "r1" }),
    version("a-model", "1", { source: "runs:/r1/model/" }),
    version("c-model", "4", { source: "s3://bucket/1/r1/artifacts/model", run_id: "r1" }),
    version("d-model", "1", { source: "s3://bucket/1/r2/artifacts/model", run_id: "r2" }),
    version("e-model", "1", { source: "mlflow-artifacts:/1/r1/artifacts/model-2", run_id: "r1" }),
    version("f-model", "7", { source: "models:/m-0123", model_id: "m-0123", run_id: "r1" }),
  ];

  it("matches the folder by its location, its runs:/ URI, or the run's artifacts under another root", () => {
    expect(registrationsOf(versions, { ...run, path: "model" })).toEqual([
      { name: "a-model", version: "1" },
      { name: "b-model", version: "2" },
      { name: "c-model", version: "4" },
    ]);
    expect(registrationsOf(versions, { ...run, path: "model-2" })).toEqual([{ name: "e-model", version: "1" }]);
    expect(registrationsOf(versions, { ...run, path: "other" })).toEqual([]);
  });

  it("matches an MLflow 3 logged model by its ID", () => {
    expect(registrationsOf(versions, { ...run, modelId: "m-0123" })).toEqual([{ name: "f-model", version: "7" }]);
    expect(registrationsOf([version("g", "1", { source: "models:/m-0123" })], { ...run, modelId: "m-0123" })).toEqual([{ name: "g", version: "1" }]);
  });
});

describe("the routes of the comparison views", () => {
  it("reads MLflow's URL of several experiments' runs, and makes it", () => {
    expect(parseHash('#/compare-experiments/s?experiments=["4","12"]')).toEqual({ page: "compare-experiments", experimentIds: ["4", "12"] });
    expect(parseHash(link.compareExperiments(["4", "12"]))).toEqual({ page: "compare-experiments", experimentIds: ["12", "4"] });
    expect(parseHash("#/compare-experiments/s?experiments=__invalid_array__")).toEqual({ page: "compare-experiments", experimentIds: [] });
  });

  it("reads MLflow's URL of compared versions and ours, names with any character", () => {
    // As MLflow's UI writes it: the name a JSON string of its URI encoding; versions keyed by run.
    expect(parseHash('#/compare-model-versions?name="churn%2520model"&runs={"r1":"1","r2":"3"}')).toEqual({ page: "compare-model-versions", name: "churn model", versions: ["1", "3"] });
    for (const name of ["churn", "a/b c", "100%", "x&y=z#w"]) {
      expect(parseHash(link.compareModelVersions(name, ["1", "2"]))).toEqual({ page: "compare-model-versions", name, versions: ["1", "2"] });
    }
  });
});
