import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/backends.js";
import { getJson, postJson, startTestServer, type TestServer } from "./support/test-server.js";

// Differences MLflow 2.12.2's own test suite found when pointed at this server (its live-server
// tests, and its SQL-store, fluent and client tests run through a REST store against it, each
// compared with MLflow's own server). Each case names the MLflow test that exposed it.

describe("artifact downloads: Content-Type as MLflow guesses it (mlflow/utils/mime_type_utils.py)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("serves text files as text/plain, MLmodel included: test_mime_type_for_download_artifacts_api", async () => {
    const { run_id: runId, artifact_uri: artifactUri } = (await server.client.createRun("0")).info;
    const relative = artifactUri.replace(/^mlflow-artifacts:\//, "");
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["a.txt", "text/plain"],
      ["b.pkl", "application/octet-stream"],
      ["c.png", "image/png"],
      ["d.pdf", "application/pdf"],
      ["MLmodel", "text/plain"],
      ["mlproject", "text/plain"],
      // MLflow's text extensions win over the usual types…
      ["conda.yaml", "text/plain"],
      ["metrics.json", "text/plain"],
      ["table.csv", "text/plain"],
      ["README.md", "text/plain"],
      ["train.py", "text/plain"],
      // …case-sensitively, after which the type table is read without regard to case.
      ["UPPER.TXT", "text/plain"],
      ["page.HTML", "text/html"],
      // A compression suffix is an encoding: the type is the one underneath.
      ["archive.tar.gz", "application/x-tar"],
      ["blob.gz", "application/octet-stream"],
      ["MLproject", "application/octet-stream"],
    ];
    for (const [name, type] of cases) {
      const put = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${relative}/${name}`, { method: "PUT", body: "x" });
      expect(put.status).toBe(200);
      const proxied = await server.fetch(`/api/2.0/mlflow-artifacts/artifacts/${relative}/${name}`);
      await proxied.arrayBuffer();
      expect([name, proxied.headers.get("content-type")]).toEqual([name, type]);
      const ui = await server.fetch(`/get-artifact?run_id=${runId}&path=${encodeURIComponent(name)}`);
      await ui.arrayBuffer();
      expect([name, ui.headers.get("content-type"), ui.headers.get("x-content-type-options")]).toEqual([name, type, "nosniff"]);
    }
  });
});

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`MLflow 2.12.2's store tests through a REST store, on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
    });
    afterAll(async () => server?.close());
    const api = (path: string, body: unknown) => postJson(server, `/api/2.0/mlflow/${path}`, body);

    it("refuses run attributes MLflow does not search on: test_search_attrs", async () => {
      const experimentId = await server.client.createExperiment(`search-attrs-${dialect}`);
      await server.client.createRun(experimentId);
      for (const filter of [`attribute.experiment_id = '${experimentId}'`, "attribute.lifecycle_stage = 'ACTIVE'", "lifecycle_stage = 'active'"]) {
        const answer = await api("runs/search", { experiment_ids: [experimentId], filter });
        expect([filter, answer.status, answer.body.error_code]).toEqual([filter, 400, "INVALID_PARAMETER_VALUE"]);
        expect(answer.body.message).toMatch(/^Invalid attribute key '(experiment_id|lifecycle_stage)' specified/);
      }
      const status = await api("runs/search", { experiment_ids: [experimentId], filter: "attribute.status = 'RUNNING'" });
      expect([status.status, (status.body.runs as unknown[]).length]).toEqual([200, 1]);
    });

    it("answers 404 for a negative experiment ID, which names nothing: test_set_experiment_by_id", async () => {
      const get = await getJson(server, "/api/2.0/mlflow/experiments/get?experiment_id=-1337");
      expect([get.status, get.body]).toEqual([404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "No Experiment with id=-1337 exists" }]);
      for (const [path, body] of [
        ["experiments/delete", { experiment_id: "-1337" }],
        ["experiments/set-experiment-tag", { experiment_id: "-1337", key: "k", value: "v" }],
        ["runs/create", { experiment_id: "-1337" }],
      ] as const) {
        const answer = await api(path, body);
        expect([path, answer.status, answer.body.error_code]).toEqual([path, 404, "RESOURCE_DOES_NOT_EXIST"]);
      }
      const search = await api("runs/search", { experiment_ids: ["-1337"] });
      expect([search.status, search.body]).toEqual([200, {}]);
      // Other spellings of a number still name no grant and are refused, "-0" (Python's 0) first.
      for (const id of ["-0", "01", "+1", " 1"]) {
        expect([id, (await getJson(server, `/api/2.0/mlflow/experiments/get?experiment_id=${encodeURIComponent(id)}`)).status]).toEqual([id, 400]);
      }
    });

    it("checks an artifact location's URL parts as MLflow does: test_get_artifact_uri_appends_to_uri_path_component_correctly", async () => {
      const create = (name: string, artifact_location: string) => api("experiments/create", { name: `${name}-${dialect}`, artifact_location });
      // A query is kept, after the run's path: MLflow's append_to_uri_path.
      const withQuery = await create("query", "mysql://user:password@host:port/dbname?driver=mydriver");
      expect(withQuery.status).toBe(200);
      const run = await server.client.createRun(withQuery.body.experiment_id as string);
      expect(run.info.artifact_uri).toBe(`mysql://user:password@host:port/dbname/${run.info.run_id}/artifacts?driver=mydriver`);
      const s3 = await create("s3-query", "s3://bucket/root?versioning=on");
      const s3Run = await server.client.createRun(s3.body.experiment_id as string);
      expect(s3Run.info.artifact_uri).toBe(`s3://bucket/root/${s3Run.info.run_id}/artifacts?versioning=on`);
      // …unless it hides a `..`, however often encoded.
      for (const [i, location] of ["s3://bucket/root?p=../../etc", "s3://bucket/root?p=%2e%2e/x", "s3://bucket/root?p=%252e%252e"].entries()) {
        const answer = await create(`dots-${i}`, location);
        expect([location, answer.status, answer.body.message]).toEqual([location, 400, "Invalid query string"]);
      }
      // A fragment is refused on a local path as on a URI (test_get_artifact_uri_appends_to_local_path_component_correctly),
      // and so are `;params` in the last segment where Python's urlparse reads them.
      for (const [i, location] of ["/dirname/rootpa#th?", "mysql+driver://user:pass@host:port/dbname/subpath/#fragment", "https://host/root;jsessionid=1", "/tmp/root;v=1"].entries()) {
        const answer = await create(`fragment-${i}`, location);
        expect([location, answer.status, answer.body.error_code]).toEqual([location, 400, "INVALID_PARAMETER_VALUE"]);
        expect(answer.body.message).toMatch(/^'artifact_location' URL can't include fragments or params\./);
      }
      // What urlparse finds neither a fragment nor params in is kept as written.
      for (const [i, location] of ["/tmp/root#", "/tmp/a;b/c", "s3://bucket/root;v=1"].entries()) {
        expect([location, (await create(`kept-${i}`, location)).status]).toEqual([location, 200]);
      }
    });

    it("matches registry tag keys case-sensitively on every database: test_search_registered_models_by_tag, test_search_model_versions_by_tag", async () => {
      const model = `tagged-${dialect}`;
      await api("registered-models/create", { name: model, tags: [{ key: "t3", value: "XYZ" }] });
      const created = await api("model-versions/create", { name: model, source: "s3://bucket/model", tags: [{ key: "t2", value: "xyz" }] });
      expect(created.status).toBe(200);
      const models = async (filter: string) => ((await getJson(server, `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent(filter)}`)).body.registered_models as { name: string }[] | undefined)?.map((m) => m.name) ?? [];
      const versions = async (filter: string) => ((await getJson(server, `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(filter)}`)).body.model_versions as { version: string }[] | undefined)?.map((v) => v.version) ?? [];
      expect(await models("tag.t3 = 'XYZ'")).toEqual([model]);
      expect(await models("tag.T3 = 'XYZ'")).toEqual([]);
      expect(await versions(`name = '${model}' and tag.t2 = 'xyz'`)).toEqual(["1"]);
      expect(await versions(`name = '${model}' and tag.T2 = 'xyz'`)).toEqual([]);
    });

    it("drops run IDs that are not lower-case from a version search's IN list, as MLflow does for MySQL: test_search_model_versions", async () => {
      const model = `run-ids-${dialect}`;
      await api("registered-models/create", { name: model });
      const runs = ["a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5", "12345", "MixedCase"];
      for (const runId of runs) expect((await api("model-versions/create", { name: model, source: "s3://bucket/model", run_id: runId })).status).toBe(200);
      const versions = async (filter: string) =>
        ((await getJson(server, `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name = '${model}' and ${filter}`)}`)).body.model_versions as { version: string }[] | undefined)
          ?.map((v) => v.version)
          .sort() ?? [];
      expect(await versions(`run_id IN ('${runs[0]}', '${runs[1]}')`)).toEqual(["1", "2"]);
      expect(await versions(`run_id IN ('${runs[0]!.toUpperCase()}', '${runs[1]}')`)).toEqual(["2"]);
      // Python's str.islower(): no cased letter at all is not lower-case either.
      expect(await versions("run_id IN ('12345', 'MixedCase')")).toEqual([]);
      expect(await versions("run_id = 'MixedCase'")).toEqual(["4"]);
    });

    it("answers an empty page when no ID of a runs/search IN list is lower-case (SQL has no IN ()): test_search_runs_run_id", async () => {
      const experimentId = await server.client.createExperiment(`in-list-${dialect}`);
      const run = await server.client.createRun(experimentId);
      const search = (filter: string) => api("runs/search", { experiment_ids: [experimentId], filter });
      expect(await search(`attributes.run_id IN ('${run.info.run_id.toUpperCase()}', '12345')`)).toEqual({ status: 200, body: {} });
      const notIn = await search(`attributes.run_id NOT IN ('${run.info.run_id.toUpperCase()}')`);
      expect([notIn.status, (notIn.body.runs as unknown[]).length]).toEqual([200, 1]);
    });

    it("answers 404 for a negative model version: test_get_model_version (MLflow parses it, then finds nothing)", async () => {
      await api("registered-models/create", { name: `negative-${dialect}` });
      const get = await getJson(server, `/api/2.0/mlflow/model-versions/get?name=negative-${dialect}&version=-1`);
      expect([get.status, get.body.error_code]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
      const alias = await api("registered-models/alias", { name: `negative-${dialect}`, alias: "champion", version: "-1" });
      expect([alias.status, alias.body.error_code]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
    });
  });
}
