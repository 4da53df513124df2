import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startTestServer, type TestServer } from "../../../test/support/test-server.js";

// What MLflow 2.17's own live-server tests (tests/tracking/test_rest_tracking.py) ask that 2.12 did
// not, over real HTTP: values in messages written as JSON, list members named by their path, the
// `..` rule for model-version sources, and the UI's searches served as GraphQL mutations. Each case
// names the MLflow test it mirrors.

let server: TestServer;
let experimentId: string;
let runId: string;
beforeAll(async () => {
  server = await startTestServer();
  experimentId = await server.client.createExperiment("compat-2-17");
  runId = (await server.client.createRun(experimentId)).info.run_id;
});
afterAll(async () => server?.close());

const api = (path: string, body: unknown) => postJson(server, `/api/2.0/mlflow/${path}`, body);
const HINT_TAIL = "See the API docs for more information about request parameters.";

describe("validation messages (MLflow 2.17+, 3.x: mlflow/utils/validation.py invalid_value)", () => {
  it("shows a wrong-typed value as JSON: test_create_experiment_validation", async () => {
    const tags = await api("experiments/create", { name: "e", artifact_location: "my_location", tags: "5" });
    expect(tags.status).toBe(400);
    expect(tags.body.message).toBe(`Invalid value "5" for parameter 'tags' supplied:  Hint: Value was of type 'str'. ${HINT_TAIL}`);
    // A float keeps its Python spelling; an int stays bare.
    // The body is sent as written: JSON.stringify would turn 9.0 into 9.
    expect((await api("experiments/create", `{"name": "e", "artifact_location": 9.0}`)).body.message).toMatch(/^Invalid value 9\.0 for parameter 'artifact_location' supplied:  Hint: Value was of type 'float'\./);
    expect((await api("experiments/create", { name: 123 })).body.message).toMatch(/^Invalid value 123 for parameter 'name' supplied:  Hint: Value was of type 'int'\./);
  });

  it("quotes strings and escapes non-ASCII as Python's json.dumps: test_log_metric_validation", async () => {
    const step = await api("runs/log-metric", { run_id: runId, key: "foo", value: 31, timestamp: 59, step: "foo" });
    expect([step.status, step.body.message]).toEqual([400, `Invalid value "foo" for parameter 'step' supplied:  Hint: Value was of type 'str'. ${HINT_TAIL}`]);
    const timestamp = await api("runs/log-metric", { run_id: runId, key: "foo", value: 31, timestamp: "foo", step: 41 });
    expect(timestamp.body.message).toMatch(/^Invalid value "foo" for parameter 'timestamp' supplied/);
    const unicode = await api("runs/log-metric", { run_id: runId, key: "foo", value: 31, timestamp: 59, step: ["é", { b: 1, a: null }] });
    expect(unicode.body.message).toMatch(/^Invalid value \["\\u00e9",\{"a":null,"b":1\}\] for parameter 'step' supplied:  Hint: Value was of type 'list'\./);
  });

  it("names a list member's missing field by its path: test_log_batch_validation", async () => {
    for (const parameter of ["metrics", "params", "tags"]) {
      const answer = await api("runs/log-batch", { run_id: runId, [parameter]: "foo" });
      expect([answer.status, answer.body.message]).toEqual([400, `Invalid value "foo" for parameter '${parameter}' supplied:  Hint: Value was of type 'str'. ${HINT_TAIL}`]);
    }
    const noTimestamp = await api("runs/log-batch", { run_id: runId, metrics: [{ key: "mae", value: 2.5 }] });
    expect([noTimestamp.status, noTimestamp.body.message]).toEqual([400, `Missing value for required parameter 'metrics[0].timestamp'. ${HINT_TAIL}`]);
    const noKey = await api("runs/log-batch", { run_id: runId, tags: [{ key: "a", value: "1" }, { value: "2" }] });
    expect(noKey.body.message).toBe(`Missing value for required parameter 'tags[1].key'. ${HINT_TAIL}`);
    // 2.12 named the whole list instead: "Invalid value [{'key': 'mae', 'value': 2.5}] for parameter 'metrics' supplied".
    expect((await api("runs/log-batch", { run_id: runId, metrics: [{ key: "mae", value: 2.5, timestamp: 123456789 }] })).status).toBe(200);
  });

  it("names a bad key by its path in the request: _validate_param_name / _validate_tag_name / _validate_metric_name", async () => {
    const batch = await api("runs/log-batch", { run_id: runId, params: [{ key: "ok", value: "1" }, { key: "../x", value: "2" }] });
    expect([batch.status, batch.body.message]).toEqual([
      400,
      `Invalid value "../x" for parameter 'params[1].key' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '../x'`,
    ]);
    const metric = await api("runs/log-metric", { run_id: runId, key: "a*b", value: 1, timestamp: 1 });
    expect(metric.body.message).toBe(
      `Invalid value "a*b" for parameter 'name' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
    const tag = await api("runs/set-tag", { run_id: runId, key: "a//b", value: "v" });
    expect(tag.body.message).toMatch(/^Invalid value "a\/\/b" for parameter 'key' supplied: .* This name would resolve to 'a\/b'$/);
    const runIdFormat = await api("runs/log-batch", { run_id: "../../etc", metrics: [] });
    expect(runIdFormat.body.message).toBe(`Invalid value "../../etc" for parameter 'run_id' supplied.`);
  });
});

describe("model-version sources (MLflow 2.17+, 3.6 _validate_non_local_source_contains_relative_paths)", () => {
  beforeAll(async () => {
    await api("registered-models/create", { name: "sources" });
  });
  const create = (source: string) => api("model-versions/create", { name: "sources", source, run_id: runId });

  it("refuses a '..' segment hidden behind an encoded '?': test_create_model_version_with_non_local_source", async () => {
    const source = `dbfs:/${runId}/artifacts/a%3f/../../../../../../../../../../`;
    const answer = await create(source);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    );
  });

  it("decodes leniently, as Python's unquote_plus: a bad escape does not hide an encoded '..'", async () => {
    expect((await create(`s3://bucket/%zz/%2e%2e/other`)).status).toBe(400);
    expect((await create(`s3://bucket/a%3F/%252e%252e/x`)).status).toBe(400);
  });

  it("still accepts absolute non-local sources", async () => {
    expect((await create(`dbfs:/${runId}/artifacts/model`)).status).toBe(200);
    expect((await create(`s3://bucket/a%3Fb/model..v2`)).status).toBe(200);
    // 2.12.2's own case, kept by 2.17: "...." is not "..".
    expect((await create(`mlflow-artifacts://host:9000/models/artifact/..../`)).status).toBe(200);
  });
});

describe("GraphQL as MLflow 2.17 and 3.6 serve it", () => {
  const gql = async (query: string, operationName?: string) =>
    (await postJson(server, "/graphql", { query, ...(operationName ? { operationName } : {}) })).body as { data: Record<string, unknown> | null; errors: string[] | null };
  let first: string;
  let second: string;
  beforeAll(async () => {
    const id = await server.client.createExperiment("GraphqlTest");
    experimentId = id;
    first = (await server.client.createRun(id)).info.run_id;
    second = (await server.client.createRun(id)).info.run_id;
    await api("runs/log-inputs", {
      run_id: first,
      datasets: [{ dataset: { name: "test-dataset-1", digest: "12345", source_type: "script", source: "test" }, tags: [{ key: "mlflow.data.context", value: "training" }] }],
    });
  });

  it("serves mlflowSearchRuns as a mutation (test_search_runs_graphql), and still as a query", async () => {
    const body = `mlflowSearchRuns(input: { experimentIds: ["${experimentId}"] }) { runs { info { runId } } apiError { code } }`;
    const expected = { mlflowSearchRuns: { runs: [{ info: { runId: second } }, { info: { runId: first } }], apiError: null } };
    expect(await gql(`mutation testMutation { ${body} }`, "testMutation")).toEqual({ data: expected, errors: null });
    expect(await gql(`query testQuery { ${body} }`, "testQuery")).toEqual({ data: expected, errors: null });
  });

  it("serves mlflowSearchDatasets as a mutation (test_search_datasets_graphql)", async () => {
    const answer = await gql(
      `mutation testMutation { mlflowSearchDatasets(input:{experimentIds: ["${experimentId}"]}) { datasetSummaries { experimentId name digest context } } }`,
      "testMutation",
    );
    expect(answer).toEqual({ data: { mlflowSearchDatasets: { datasetSummaries: [{ experimentId, name: "test-dataset-1", digest: "12345", context: "training" }] } }, errors: null });
  });

  it("has exactly MLflow's Mutation fields, and the Query fields of 3.6 plus mlflowSearchDatasets", async () => {
    const answer = await gql(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`);
    const names = (t: string) => ((answer.data!.__schema as Record<string, { fields: { name: string }[] }>)[t]!.fields.map((f) => f.name) ?? []).sort();
    expect(names("mutationType")).toEqual(["mlflowSearchDatasets", "mlflowSearchRuns", "testMutation"]);
    expect(names("queryType")).toEqual([
      "mlflowGetExperiment",
      "mlflowGetMetricHistoryBulkInterval",
      "mlflowGetRun",
      "mlflowListArtifacts",
      "mlflowSearchDatasets",
      "mlflowSearchModelVersions",
      "mlflowSearchRuns",
      "test",
    ]);
  });

  it("accepts the @component directive (test_get_run_and_experiment_graphql) and echoes testMutation", async () => {
    const answer = await gql(`query testQuery @component(name: "Test") { mlflowGetRun(input: {runId: "${first}"}) { run { info { runId } experiment { name } } apiError { message } } }`, "testQuery");
    expect(answer).toEqual({ data: { mlflowGetRun: { run: { info: { runId: first }, experiment: { name: "GraphqlTest" } }, apiError: null } }, errors: null });
    expect(await gql(`mutation m @component(name: "Test") { testMutation(inputString: "x") { output } }`)).toEqual({ data: { testMutation: { output: "x" } }, errors: null });
  });

  it("gives a directory's fileSize as \"0\" (test_list_artifacts_graphql)", async () => {
    const info = (await server.client.getRun(first)).info;
    const relative = info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    for (const file of ["test.txt", "testDir/test.txt"]) {
      const put = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${relative}/${file}`, { method: "PUT", body: "hello world" });
      expect(put.status).toBe(200);
    }
    const answer = await gql(
      `fragment F on MlflowListArtifactsResponse { files { path isDir fileSize } } query q { file: mlflowListArtifacts(input: { runId: "${first}" }) { ...F } subdir: mlflowListArtifacts(input: { runId: "${first}", path: "testDir" }) { ...F } }`,
    );
    expect(answer.errors).toBeNull();
    expect(answer.data).toEqual({
      file: { files: [{ path: "test.txt", isDir: false, fileSize: "11" }, { path: "testDir", isDir: true, fileSize: "0" }] },
      subdir: { files: [{ path: "testDir/test.txt", isDir: false, fileSize: "11" }] },
    });
  });

  it("answers a run's NaN metric as null (3.x MlflowMetricExtension)", async () => {
    expect((await api("runs/log-metric", { run_id: second, key: "nan", value: "NaN", timestamp: 1 })).status).toBe(200);
    const answer = await gql(`{ mlflowGetRun(input: {runId: "${second}"}) { run { data { metrics { key value } } } } }`);
    expect(answer).toEqual({ data: { mlflowGetRun: { run: { data: { metrics: [{ key: "nan", value: null }] } } } }, errors: null });
  });
});
