import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, startTestServer, type TestServer } from "../../../test/support/test-server.js";

const API = "/api/2.0/mlflow";
let server: TestServer;
let experimentId: string;

beforeAll(async () => {
  server = await startTestServer();
  experimentId = await server.client.createExperiment("wire");
});
afterAll(async () => server?.close());

async function newRun(name?: string): Promise<string> {
  return (await server.client.createRun(experimentId, { runName: name })).info.run_id;
}

describe("wire details", () => {
  it("sends int64 as JSON numbers and echoes run_uuid", async () => {
    const { body } = await postJson(server, `${API}/runs/create`, { experiment_id: experimentId, start_time: "1719830000000" });
    const info = (body.run as { info: Record<string, unknown> }).info;
    expect(info.start_time).toBe(1719830000000);
    expect(info.run_uuid).toBe(info.run_id);
    expect(info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${info.run_id}/artifacts`);
    expect(info.end_time).toBeUndefined();
  });

  it("accepts a legacy numeric experiment_id", async () => {
    const { status, body } = await postJson(server, `${API}/runs/create`, { experiment_id: Number(experimentId) });
    expect(status).toBe(200);
    expect((body.run as { info: { experiment_id: string } }).info.experiment_id).toBe(experimentId);
  });

  it("falls back to run_uuid when run_id is absent", async () => {
    const id = await newRun();
    expect((await postJson(server, `${API}/runs/log-parameter`, { run_uuid: id, key: "p", value: "1" })).status).toBe(200);
    const { body } = await getJson(server, `${API}/runs/get?run_uuid=${id}`);
    expect((body.run as { data: { params: unknown } }).data.params).toEqual([{ key: "p", value: "1" }]);
  });

  it("takes NaN and the infinities as strings, and stores them as MLflow does", async () => {
    const id = await newRun();
    for (const [key, value] of [["nan", "NaN"], ["inf", "Infinity"], ["ninf", "-Infinity"]] as const) {
      expect((await postJson(server, `${API}/runs/log-metric`, { run_id: id, key, value, timestamp: 1 })).status).toBe(200);
    }
    const metrics = (await server.client.getRun(id)).data.metrics ?? [];
    // MLflow's SQL store keeps NaN as a flag and the infinities as the largest doubles, and reads
    // them back that way: a database shared with MLflow's server reads the same on both.
    expect(Object.fromEntries(metrics.map((m) => [m.key, m.value]))).toEqual({ nan: "NaN", inf: Number.MAX_VALUE, ninf: -Number.MAX_VALUE });
    const { body } = await getJson(server, `${API}/metrics/get-history?run_id=${id}&metric_key=nan`);
    expect(body).toEqual({ metrics: [{ key: "nan", value: "NaN", timestamp: 1, step: 0 }] });
  });

  it("answers {} for an empty result", async () => {
    const id = await newRun();
    expect(await postJson(server, `${API}/runs/delete`, { run_id: id })).toEqual({ status: 200, body: {} });
    expect(await postJson(server, `${API}/runs/search`, { experiment_ids: ["424242"] })).toEqual({ status: 200, body: {} });
    expect(await getJson(server, `${API}/metrics/get-history?run_id=${id}&metric_key=none`)).toEqual({ status: 200, body: {} });
  });

  it("ignores unknown fields, accepts charset, decodes a double-encoded body", async () => {
    const id = await newRun();
    const r1 = await server.fetch(`${API}/runs/set-tag`, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ run_id: id, key: "a", value: "1", surprise: { deep: true } }),
    });
    expect(r1.status).toBe(200);
    const r2 = await postJson(server, `${API}/runs/set-tag`, JSON.stringify(JSON.stringify({ run_id: id, key: "b", value: "2" })));
    expect(r2.status).toBe(200);
    const tags = (await server.client.getRun(id)).data.tags ?? [];
    expect(tags.filter((t) => t.key === "a" || t.key === "b")).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
  });

  it("reads a GET's JSON body when it has no query string", async () => {
    const response = await server.fetch(`${API}/experiments/get`, { method: "GET", headers: { "Content-Type": "application/json" }, body: undefined });
    expect(response.status).toBe(400);
    // fetch cannot send a GET body; use a raw request.
    const http = await import("node:http");
    const url = new URL(`${server.url}${API}/experiments/get`);
    const payload = JSON.stringify({ experiment_id: experimentId });
    const body = await new Promise<string>((resolve, reject) => {
      const headers = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(payload)) };
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "GET", headers }, (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve(data));
      });
      req.on("error", reject);
      req.end(payload);
    });
    expect((JSON.parse(body) as { experiment: { name: string } }).experiment.name).toBe("wire");
  });

  it("collects repeated query keys into lists", async () => {
    await server.client.createExperiment("wire-b");
    const { body } = await getJson(server, `${API}/experiments/search?max_results=10&order_by=name+DESC&filter=name+LIKE+'wire%25'`);
    expect((body.experiments as { name: string }[]).map((e) => e.name)).toEqual(["wire-b", "wire"]);
    const bad = await getJson(server, `${API}/experiments/search?max_results=10&order_by=name&order_by=name`);
    expect(bad.status).toBe(400);
  });

  it("truncates over-long param and tag values as MLflow does", async () => {
    const id = await newRun();
    await server.client.logParam(id, "long", "p".repeat(7000));
    await server.client.setTag(id, "long", "t".repeat(9000));
    const run = await server.client.getRun(id);
    expect(run.data.params?.find((p) => p.key === "long")?.value).toHaveLength(6000);
    expect(run.data.tags?.find((t) => t.key === "long")?.value).toHaveLength(8000);
  });

  it("replays a log-batch whose response was lost without failing or duplicating", async () => {
    const id = await newRun();
    const batch = {
      metrics: [
        { key: "m", value: 1, timestamp: 10, step: 0 },
        { key: "m", value: 2, timestamp: 20, step: 1 },
      ],
      params: [{ key: "p", value: "x" }],
      tags: [{ key: "t", value: "y" }],
    };
    await server.client.logBatch(id, batch);
    await server.client.logBatch(id, batch);
    expect(await server.client.getFullMetricHistory(id, "m")).toHaveLength(2);
    expect((await server.client.getRun(id)).data.params).toEqual([{ key: "p", value: "x" }]);
  });

  it("keeps the latest metric by (step, timestamp, value), not by write order", async () => {
    const id = await newRun();
    await server.client.logMetric(id, "m", 5, { step: 3, timestamp: 100 });
    await server.client.logMetric(id, "m", 9, { step: 1, timestamp: 200 });
    await server.client.logBatch(id, { metrics: [{ key: "m", value: 4, step: 3, timestamp: 100 }] });
    expect((await server.client.getRun(id)).data.metrics).toEqual([{ key: "m", value: 5, timestamp: 100, step: 3 }]);
  });

  it("mirrors mlflow.runName and run_name", async () => {
    const id = await newRun("first");
    await server.client.setTag(id, "mlflow.runName", "second");
    expect((await server.client.getRun(id)).info.run_name).toBe("second");
    await server.client.updateRun(id, { runName: "third", status: "FINISHED", endTime: 5 });
    const run = await server.client.getRun(id);
    expect(run.info).toMatchObject({ run_name: "third", status: "FINISHED", end_time: 5 });
    expect(run.data.tags?.find((t) => t.key === "mlflow.runName")?.value).toBe("third");
  });

  it("serves the /ajax-api twins, /health, /version and server-info", async () => {
    expect((await getJson(server, `/ajax-api/2.0/mlflow/experiments/get?experiment_id=0`)).body.experiment).toMatchObject({ name: "Default" });
    expect(await (await server.fetch("/health")).text()).toBe("OK");
    expect((await server.fetch("/version")).status).toBe(200);
    expect((await getJson(server, "/api/3.0/mlflow/server-info")).body).toMatchObject({ multipart_uploads_enabled: false });
  });

  it("paginates experiments with opaque tokens", async () => {
    for (let i = 0; i < 5; i += 1) await server.client.createExperiment(`page-${i}`);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await server.client.searchExperiments({ filter: "name LIKE 'page-%'", maxResults: 2, orderBy: ["name"], pageToken: token });
      names.push(...page.experiments.map((e) => e.name));
      token = page.nextPageToken;
    } while (token);
    expect(names).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
  });
});

describe("the run search grammar", () => {
  let ids: Record<string, string>;
  let exp: string;
  beforeAll(async () => {
    exp = await server.client.createExperiment("grammar");
    ids = {};
    const specs = [
      { name: "alpha", metric: 0.5, param: "Adam", tag: "x", start: 100 },
      { name: "beta", metric: Number.NaN, param: "adam", tag: "y", start: 200 },
      { name: "gamma", metric: 0.9, param: "sgd", tag: undefined, start: 300 },
      { name: "delta", metric: undefined, param: undefined, tag: "x", start: 400 },
    ];
    for (const s of specs) {
      const run = await server.client.createRun(exp, { runName: s.name, startTime: s.start });
      ids[s.name] = run.info.run_id;
      await server.client.logBatch(run.info.run_id, {
        metrics: s.metric === undefined ? [] : [{ key: "acc", value: s.metric, timestamp: 1 }],
        params: s.param === undefined ? [] : [{ key: "opt", value: s.param }],
        tags: s.tag === undefined ? [] : [{ key: "grp", value: s.tag }],
      });
    }
    await server.client.logInputs(ids.alpha!, [
      { tags: [{ key: "mlflow.data.context", value: "training" }], dataset: { name: "iris", digest: "d1", source_type: "local", source: "{}" } },
    ]);
  });

  async function names(filter: string, orderBy?: string[]): Promise<string[]> {
    const { runs } = await server.client.searchRuns([exp], { filter, orderBy });
    return runs.map((r) => r.info.run_name);
  }

  it("filters on metrics, params, tags and attributes", async () => {
    expect(await names("metrics.acc > 0.6")).toEqual(["gamma"]);
    expect(await names("params.opt != 'sgd'", ["attributes.start_time"])).toEqual(["alpha", "beta"]);
    expect(await names("params.opt LIKE 'A%'")).toEqual(["alpha"]);
    expect(await names("params.opt ILIKE 'a%'", ["start_time"])).toEqual(["alpha", "beta"]);
    expect(await names("tags.grp = 'x'", ["start_time ASC"])).toEqual(["alpha", "delta"]);
    expect(await names("attributes.run_name = 'beta'")).toEqual(["beta"]);
    expect(await names("`Run name` LIKE '%ta'", ["start_time"])).toEqual(["beta", "delta"]);
    expect(await names(`attributes.run_id IN ('${ids.alpha}', '${ids.gamma}')`, ["start_time"])).toEqual(["alpha", "gamma"]);
    expect(await names(`run_id NOT IN ('${ids.alpha}')`, ["start_time"])).toEqual(["beta", "gamma", "delta"]);
    expect(await names("attributes.start_time >= 300", ["start_time"])).toEqual(["gamma", "delta"]);
    expect(await names("created < 200")).toEqual(["alpha"]);
    expect(await names("datasets.name = 'iris' and datasets.context = 'training'")).toEqual(["alpha"]);
    expect(await names("params.`opt` = 'sgd' and metrics.\"acc\" >= 0.9")).toEqual(["gamma"]);
  });

  it("orders with missing values last in both directions and NaN before missing", async () => {
    expect(await names("", ["metrics.acc ASC"])).toEqual(["alpha", "gamma", "beta", "delta"]);
    expect(await names("", ["metrics.acc DESC"])).toEqual(["gamma", "alpha", "beta", "delta"]);
    expect(await names("", ["params.opt DESC"])).toEqual(["gamma", "beta", "alpha", "delta"]);
    expect(await names("")).toEqual(["delta", "gamma", "beta", "alpha"]);
  });

  it("returns dataset inputs in search results", async () => {
    const { runs } = await server.client.searchRuns([exp], { filter: "attributes.run_name = 'alpha'" });
    expect(runs[0]?.inputs.dataset_inputs?.[0]).toEqual({
      tags: [{ key: "mlflow.data.context", value: "training" }],
      dataset: { name: "iris", digest: "d1", source_type: "local", source: "{}" },
    });
  });
});
