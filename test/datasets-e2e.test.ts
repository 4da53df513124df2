import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createDatabase } from "@mlflow-ts/store";
import { DIALECTS } from "./support/backends.js";
import { getJson, postJson, startTestServer, type TestServer } from "./support/test-server.js";

// Issue 23: MLflow 3.6's evaluation datasets and scorers over real HTTP on every dialect — what
// tests/tracking/test_rest_tracking.py expects of them (create/get, search, tags, delete, upsert,
// add/remove experiments, scorer CRUD), the stored rows MLflow's own server would read, and bad
// input answered with 4xx, never 5xx.

const api = "/api/3.0/mlflow";
// Python: json.dumps(inputs, sort_keys=True), sha256 (computed with CPython 3.11).
const INPUT = '{"b": 1.0, "a": "\\u00e9\\ud83d\\ude00", "n": 12345678901234567890, "f": 1e-05, "z": [1e16, -0.0, 0, 1.5e300, 0.1], "A": {"y": true, "x": null}}';
const INPUT_HASH = "d09023e3c343f3ad7a39448ee1028db9184855809aaa807729cfe8609d77df3c";

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`evaluation datasets and scorers on ${dialect}`, () => {
    let server: TestServer;
    let exp1: string;
    let exp2: string;
    let exp3: string;
    const create = async (body: Record<string, unknown>) => postJson(server, `${api}/datasets/create`, body);
    const dataset = async (name: string, experimentIds: string[], tags: Record<string, string> = {}) =>
      (await create({ name, experiment_ids: experimentIds, tags: JSON.stringify(tags) })).body.dataset as Record<string, unknown>;
    beforeAll(async () => {
      server = await startTestServer({ dialect });
      exp1 = await server.client.createExperiment(`ds-1-${dialect}`);
      exp2 = await server.client.createExperiment(`ds-2-${dialect}`);
      exp3 = await server.client.createExperiment(`ds-3-${dialect}`);
    });
    afterAll(async () => server?.close());

    it("creates and gets a dataset as MLflow's Dataset message (test_create_and_get_evaluation_dataset)", async () => {
      const created = await create({ name: "test_eval_dataset", experiment_ids: [exp1], tags: JSON.stringify({ environment: "test", version: "1.0", "mlflow.user": "alice" }) });
      expect(created.status).toBe(200);
      const d = created.body.dataset as Record<string, unknown>;
      expect(d).toMatchObject({ name: "test_eval_dataset", experiment_ids: [exp1], created_by: "alice", last_updated_by: "alice" });
      expect(d.dataset_id).toMatch(/^d-[0-9a-f]{32}$/);
      expect(d.digest).toMatch(/^[0-9a-f]{8}$/);
      expect(d.digest).toBe(createHash("sha256").update(`test_eval_dataset:${d.created_time as number}`).digest("hex").slice(0, 8));
      expect(JSON.parse(d.tags as string)).toEqual({ environment: "test", version: "1.0", "mlflow.user": "alice" });
      const got = await getJson(server, `${api}/datasets/${d.dataset_id as string}`);
      expect(got.status).toBe(200);
      const g = got.body.dataset as Record<string, unknown>;
      // As MLflow: GetDataset leaves experiment_ids to GetDatasetExperimentIds.
      expect(g.experiment_ids).toBeUndefined();
      expect(g).toMatchObject({ dataset_id: d.dataset_id, name: "test_eval_dataset", tags: d.tags });
      expect((await getJson(server, `${api}/datasets/${d.dataset_id as string}/experiment-ids`)).body).toEqual({ experiment_ids: [exp1] });
      // The ajax-api twin the UI calls.
      expect((await getJson(server, `/ajax-api/3.0/mlflow/datasets/${d.dataset_id as string}`)).status).toBe(200);
      // Not under /api/2.0 (since: major 3).
      expect((await getJson(server, `/api/2.0/mlflow/datasets/${d.dataset_id as string}`)).status).toBe(404);
    });

    it("searches by experiment, tag filter and order (test_search_evaluation_datasets)", async () => {
      const ea = await server.client.createExperiment(`search-a-${dialect}`);
      const eb = await server.client.createExperiment(`search-b-${dialect}`);
      await dataset("search_dataset_1", [ea], { team: "ml", status: "active" });
      await dataset("search_dataset_2", [ea, eb], { team: "data", status: "active" });
      await dataset("search_dataset_3", [eb], { team: "ml", status: "archived" });
      const names = async (body: Record<string, unknown>) => {
        const res = await postJson(server, `${api}/datasets/search`, body);
        expect(res.status).toBe(200);
        return ((res.body.datasets ?? []) as { name: string }[]).map((d) => d.name);
      };
      expect(await names({ experiment_ids: [ea] })).toEqual(expect.arrayContaining(["search_dataset_1", "search_dataset_2"]));
      expect((await names({ experiment_ids: [ea] })).includes("search_dataset_3")).toBe(false);
      const ml = await names({ filter_string: "tags.team = 'ml'" });
      expect(ml).toEqual(expect.arrayContaining(["search_dataset_1", "search_dataset_3"]));
      expect(ml).not.toContain("search_dataset_2");
      const ordered = await names({ order_by: ["name ASC"] });
      expect(ordered).toEqual([...ordered].sort());
      expect(await names({ filter_string: "name LIKE 'search_dataset_%' AND created_time > 0", order_by: ["name DESC"], experiment_ids: [ea, eb] })).toEqual(["search_dataset_3", "search_dataset_2", "search_dataset_1"]);
      // GET with a query string, and paging.
      const page = await getJson(server, `${api}/datasets/search?experiment_ids=${eb}&max_results=1&order_by=name%20ASC`);
      expect((page.body.datasets as { name: string }[]).map((d) => d.name)).toEqual(["search_dataset_2"]);
      const next = await postJson(server, `${api}/datasets/search`, { experiment_ids: [eb], max_results: 1, order_by: ["name ASC"], page_token: page.body.next_page_token });
      expect((next.body.datasets as { name: string }[]).map((d) => d.name)).toEqual(["search_dataset_3"]);
      expect(next.body.next_page_token).toBeUndefined();
    });

    it("merges and deletes tags (test_evaluation_dataset_tag_operations)", async () => {
      const d = await dataset("tag_test_dataset", [exp1], { initial: "value", env: "dev" });
      const id = d.dataset_id as string;
      expect((await postJson(server, `${api}/datasets/${id}/tags`, { tags: '{"env": "staging", "new_tag": "new_value", "n": 1.0, "skip": null}' }, "PATCH")).status).toBe(200);
      const tags = async () => JSON.parse((await getJson(server, `${api}/datasets/${id}`)).body.dataset!["tags" as never] as string) as Record<string, string>;
      // MLflow stores str(value): 1.0 stays "1.0"; null values are skipped.
      expect(await tags()).toEqual({ env: "staging", initial: "value", n: "1.0", new_tag: "new_value" });
      expect((await postJson(server, `${api}/datasets/${id}/tags/new_tag`, {}, "DELETE")).status).toBe(200);
      expect(await tags()).toEqual({ env: "staging", initial: "value", n: "1.0" });
      // Idempotent, as MLflow's.
      expect((await postJson(server, `${api}/datasets/${id}/tags/new_tag`, {}, "DELETE")).status).toBe(200);
      expect((await postJson(server, `${api}/datasets/d-unknown/tags`, { tags: "{}" }, "PATCH")).status).toBe(404);
    });

    it("deletes a dataset with its records (test_evaluation_dataset_delete)", async () => {
      const d = await dataset("delete_test_dataset", [exp1], { to_delete: "yes" });
      const id = d.dataset_id as string;
      await postJson(server, `${api}/datasets/${id}/records`, { records: JSON.stringify([{ inputs: { q: 1 } }]) });
      expect((await postJson(server, `${api}/datasets/${id}`, {}, "DELETE")).status).toBe(200);
      const gone = await getJson(server, `${api}/datasets/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `Evaluation dataset with id '${id}' not found` });
      // Deleting an unknown dataset is a no-op in MLflow.
      expect((await postJson(server, `${api}/datasets/${id}`, {}, "DELETE")).status).toBe(200);
    });

    it("upserts records by their inputs' hash and reads them back (test_evaluation_dataset_upsert_records)", async () => {
      const d = await dataset("test_upsert_dataset", [exp1], { test: "upsert" });
      const id = d.dataset_id as string;
      const initial = [
        { inputs: { question: "What is MLflow?" }, expectations: { answer: "MLflow is an ML platform" }, tags: { difficulty: "easy" } },
        { inputs: { question: "What is Python?" }, expectations: { answer: "Python is a programming language" }, tags: { difficulty: "easy" } },
      ];
      const first = await postJson(server, `${api}/datasets/${id}/records`, { records: JSON.stringify(initial) });
      expect(first).toEqual({ status: 200, body: { inserted_count: 2, updated_count: 0 } });
      const update = [
        { inputs: { question: "What is MLflow?" }, expectations: { answer: "MLflow is an open-source ML platform" }, tags: { difficulty: "easy", updated: "true", "mlflow.user": "bob" } },
        { inputs: { question: "What is Docker?" }, expectations: { answer: "Docker is a containerization platform" }, tags: { difficulty: "medium" }, outputs: "a string output", source: { source_type: "trace", source_data: { trace_id: "tr-123" } } },
      ];
      const second = await postJson(server, `${api}/datasets/${id}/records`, { records: JSON.stringify(update) });
      expect(second.body).toEqual({ inserted_count: 1, updated_count: 1 });
      expect((await postJson(server, `${api}/datasets/invalid-id/records`, { records: JSON.stringify(initial) })).status).toBe(404);

      const page = await getJson(server, `${api}/datasets/${id}/records`);
      expect(page.status).toBe(200);
      const records = JSON.parse(page.body.records as string) as Record<string, unknown>[];
      expect(records).toHaveLength(3);
      const mlflow = records.find((r) => (r.inputs as { question: string }).question === "What is MLflow?")!;
      expect(mlflow).toMatchObject({ dataset_id: id, expectations: { answer: "MLflow is an open-source ML platform" }, tags: { difficulty: "easy", updated: "true", "mlflow.user": "bob" }, outputs: {} });
      expect(mlflow.created_time).toBe(mlflow.last_update_time);
      const docker = records.find((r) => (r.inputs as { question: string }).question === "What is Docker?")!;
      expect(docker).toMatchObject({ outputs: "a string output", source: { source_type: "TRACE", source_data: { trace_id: "tr-123" } }, source_id: "tr-123", source_type: "TRACE" });
      // The keys in the order MLflow's DatasetRecord.to_dict() gives them.
      expect(Object.keys(docker)).toEqual(["dataset_record_id", "dataset_id", "inputs", "expectations", "tags", "source", "source_id", "source_type", "created_time", "last_update_time", "outputs"]);

      const after = (await getJson(server, `${api}/datasets/${id}`)).body.dataset as Record<string, unknown>;
      expect(JSON.parse(after.profile as string)).toEqual({ num_records: 3 });
      expect(after.profile).toBe('{"num_records": 3}');
      expect(JSON.parse(after.schema as string)).toEqual({ inputs: { question: "string" }, outputs: "string", expectations: { answer: "string" }, version: "1.0" });
      // The updater is the last record's `mlflow.user` tag of the request.
      expect(after.last_updated_by).toBe("bob");
    });

    it("hashes inputs exactly as Python's json.dumps(sort_keys=True) and pages with MLflow's cursor", async () => {
      const d = await dataset("hash_dataset", [exp1]);
      const id = d.dataset_id as string;
      const body = `[${Array.from({ length: 5 }, (_, i) => `{"inputs": {"i": ${i}}}`).join(", ")}, {"inputs": ${INPUT}, "expectations": {"x": 1.0}}]`;
      expect((await postJson(server, `${api}/datasets/${id}/records`, { records: body })).body).toEqual({ inserted_count: 6, updated_count: 0 });
      const database = await createDatabase(server.config.backendStoreUri);
      try {
        const row = (await database.db.selectFrom("evaluation_dataset_records").select(["input_hash", "dataset_record_id"]).where("dataset_id", "=", id).where("input_hash", "=", INPUT_HASH).executeTakeFirst()) as { input_hash: string } | undefined;
        expect(row?.input_hash).toBe(INPUT_HASH);
      } finally {
        await database.close();
      }
      // A float stays a float in what is served.
      const all = await getJson(server, `${api}/datasets/${id}/records?max_results=2`);
      expect(all.body.next_page_token).toEqual(expect.any(String));
      const seen: string[] = [];
      let token: unknown = undefined;
      let text = "";
      do {
        const res = await getJson(server, `${api}/datasets/${id}/records?max_results=2${token ? `&page_token=${encodeURIComponent(token as string)}` : ""}`);
        text += res.body.records as string;
        seen.push(...(JSON.parse(res.body.records as string) as { dataset_record_id: string }[]).map((r) => r.dataset_record_id));
        token = res.body.next_page_token;
      } while (token);
      expect(new Set(seen).size).toBe(6);
      expect(text).toContain('"expectations": {"x": 1.0}');
      expect(text).toContain('"n": 12345678901234567890');
      expect(text).toContain('"a": "\\u00e9\\ud83d\\ude00"');
    });

    it("adds and removes experiments, idempotently (test_add/remove_dataset_*_rest_tracking)", async () => {
      const d = await dataset("multi_exp", [exp1]);
      const id = d.dataset_id as string;
      const added = await postJson(server, `${api}/datasets/${id}/add-experiments`, { experiment_ids: [exp2, exp3, exp1] });
      expect(added.status).toBe(200);
      expect((added.body.dataset as { name: string }).name).toBe("multi_exp");
      expect((await getJson(server, `${api}/datasets/${id}/experiment-ids`)).body.experiment_ids).toEqual([exp1, exp2, exp3]);
      expect((await postJson(server, `${api}/datasets/${id}/remove-experiments`, { experiment_ids: [exp2] })).status).toBe(200);
      expect((await getJson(server, `${api}/datasets/${id}/experiment-ids`)).body.experiment_ids).toEqual([exp1, exp3]);
      expect((await postJson(server, `${api}/datasets/${id}/remove-experiments`, { experiment_ids: [exp2, exp1, exp3] })).status).toBe(200);
      expect((await getJson(server, `${api}/datasets/${id}/experiment-ids`)).body).toEqual({});
      const missing = await postJson(server, `${api}/datasets/d-nonexistent1234567890abcdef1234/add-experiments`, { experiment_ids: [exp1] });
      expect(missing).toEqual({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Dataset 'd-nonexistent1234567890abcdef1234' not found" } });
      expect((await postJson(server, `${api}/datasets/d-nonexistent1234567890abcdef1234/remove-experiments`, { experiment_ids: [exp1] })).body.message).toMatch(/not found/);
      expect((await postJson(server, `${api}/datasets/${id}/add-experiments`, { experiment_ids: ["987654"] })).body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "No Experiment with id=987654" });
    });

    it("registers, lists, gets and deletes scorer versions (test_scorer_CRUD)", async () => {
      const e = await server.client.createExperiment(`scorers-${dialect}`);
      const reg = async (serialized: string) => postJson(server, `${api}/scorers/register`, { experiment_id: e, name: "test_scorer", serialized_scorer: serialized });
      const v1 = await reg(JSON.stringify({ name: "test_scorer", call_source: "test", original_func_name: "test_func" }));
      expect(v1.status).toBe(200);
      expect(v1.body).toMatchObject({ version: 1, experiment_id: e, name: "test_scorer", creation_time: expect.any(Number), scorer_id: expect.any(String) });
      const list = await getJson(server, `${api}/scorers/list?experiment_id=${e}`);
      expect(list.body.scorers).toEqual([{ experiment_id: Number(e), scorer_name: "test_scorer", scorer_version: 1, serialized_scorer: v1.body.serialized_scorer, creation_time: v1.body.creation_time, scorer_id: v1.body.scorer_id }]);
      expect(((await getJson(server, `${api}/scorers/get?experiment_id=${e}&name=test_scorer&version=1`)).body.scorer as { scorer_version: number }).scorer_version).toBe(1);
      expect((await reg("{}")).body.version).toBe(2);
      expect(((await getJson(server, `${api}/scorers/list?experiment_id=${e}`)).body.scorers as { scorer_version: number }[]).map((s) => s.scorer_version)).toEqual([2]);
      expect(((await getJson(server, `${api}/scorers/get?experiment_id=${e}&name=test_scorer`)).body.scorer as { scorer_version: number }).scorer_version).toBe(2);
      expect(((await getJson(server, `${api}/scorers/versions?experiment_id=${e}&name=test_scorer`)).body.scorers as unknown[]).length).toBe(2);
      expect((await postJson(server, `${api}/scorers/delete`, { experiment_id: e, name: "test_scorer", version: 1 }, "DELETE")).status).toBe(200);
      expect(((await getJson(server, `${api}/scorers/versions?experiment_id=${e}&name=test_scorer`)).body.scorers as { scorer_version: number }[]).map((s) => s.scorer_version)).toEqual([2]);
      expect((await postJson(server, `${api}/scorers/delete`, { experiment_id: e, name: "test_scorer" }, "DELETE")).status).toBe(200);
      expect((await getJson(server, `${api}/scorers/list?experiment_id=${e}`)).body).toEqual({});
      const gone = await getJson(server, `${api}/scorers/get?experiment_id=${e}&name=test_scorer`);
      expect(gone).toEqual({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Scorer with name 'test_scorer' not found for experiment ${e}.` } });
      await server.client.deleteExperiment(e);
      expect((await getJson(server, `${api}/scorers/list?experiment_id=${e}`)).body.message).toBe(`The experiment ${e} must be in the 'active' state. Current state is deleted.`);
    });

    it("answers bad input with 4xx, never 5xx", async () => {
      const d = await dataset("bad_input", [exp1]);
      const id = d.dataset_id as string;
      const cases: [string, string, unknown][] = [
        ["POST", `${api}/datasets/create`, {}],
        ["POST", `${api}/datasets/create`, { name: "x", tags: "{not json" }],
        ["POST", `${api}/datasets/create`, { name: "x", tags: "[1, 2]" }],
        ["POST", `${api}/datasets/create`, { name: "x", experiment_ids: "1" }],
        ["POST", `${api}/datasets/create`, { name: "x".repeat(300), experiment_ids: [exp1] }],
        ["POST", `${api}/datasets/create`, { name: "x", experiment_ids: ["nope"] }],
        ["POST", `${api}/datasets/create`, { name: "x", experiment_ids: [exp1], tags: JSON.stringify({ ["k".repeat(300)]: "v" }) }],
        ["POST", `${api}/datasets/search`, { max_results: -1 }],
        ["POST", `${api}/datasets/search`, { max_results: 50001 }],
        ["POST", `${api}/datasets/search`, { filter_string: "foo = 'x'" }],
        ["POST", `${api}/datasets/search`, { filter_string: "params.x = 'x'" }],
        ["POST", `${api}/datasets/search`, { filter_string: "name > 'x'" }],
        ["POST", `${api}/datasets/search`, { filter_string: "created_time = 'x'" }],
        ["POST", `${api}/datasets/search`, { filter_string: "tags.a < 'x'" }],
        ["POST", `${api}/datasets/search`, { order_by: ["tags.a"] }],
        ["POST", `${api}/datasets/search`, { order_by: ["created_by"] }],
        ["POST", `${api}/datasets/search`, { page_token: "garbage!" }],
        ["PATCH", `${api}/datasets/${id}/tags`, { tags: "nope" }],
        ["PATCH", `${api}/datasets/${id}/tags`, {}],
        ["POST", `${api}/datasets/${id}/records`, {}],
        ["POST", `${api}/datasets/${id}/records`, { records: "not json" }],
        ["POST", `${api}/datasets/${id}/records`, { records: '{"inputs": {}}' }],
        ["POST", `${api}/datasets/${id}/records`, { records: "[1]" }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": [1]}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": {"a": 1}, "expectations": "x"}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": {"a": 1}, "tags": [1]}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": {"a": 1}, "source": "trace"}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": {"a": 1}, "source": {"source_type": "ALIEN"}}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": {"a": 1}, "source": {"source_type": 1}}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: '[{"inputs": {"a": 1}, "source": {"source_type": "TRACE", "extra": 1}}]' }],
        ["POST", `${api}/datasets/${id}/records`, { records: `[{"inputs": {"a": 1}, "source": {"source_type": "TRACE", "source_data": {"trace_id": "${"t".repeat(40)}"}}}]` }],
        ["POST", `${api}/datasets/${id}/records`, { records: `${"[".repeat(500)}${"]".repeat(500)}` }],
        ["GET", `${api}/datasets/${id}/records?max_results=-5`, undefined],
        ["GET", `${api}/datasets/${id}/records?page_token=%%%`, undefined],
        ["GET", `${api}/datasets/${id}/records?max_results=abc`, undefined],
        ["POST", `${api}/datasets/${id}/add-experiments`, { experiment_ids: [1.5] }],
        ["POST", `${api}/scorers/register`, { experiment_id: exp1, name: "s" }],
        ["POST", `${api}/scorers/register`, { experiment_id: "abc", name: "s", serialized_scorer: "{}" }],
        ["POST", `${api}/scorers/register`, { experiment_id: "99999", name: "s", serialized_scorer: "{}" }],
        ["POST", `${api}/scorers/register`, { experiment_id: exp1, name: "s".repeat(300), serialized_scorer: "{}" }],
        ["GET", `${api}/scorers/get?experiment_id=${exp1}&name=s&version=x`, undefined],
        ["GET", `${api}/scorers/list`, undefined],
        ["DELETE", `${api}/scorers/delete`, { experiment_id: exp1, name: "never" }],
      ];
      for (const [method, path, body] of cases) {
        const res = method === "GET" ? await getJson(server, path) : await postJson(server, path, body, method);
        expect([path, method, res.status >= 400 && res.status < 500, body]).toEqual([path, method, true, body]);
        expect(typeof res.body.error_code).toBe("string");
      }
      // Nothing of it was stored.
      expect(JSON.parse((await getJson(server, `${api}/datasets/${id}/records`)).body.records as string)).toEqual([]);
    });
  });
}
