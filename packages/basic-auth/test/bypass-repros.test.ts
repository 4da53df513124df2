import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { SECRET, createWorld, type Answer, type World } from "./owner-and-intruder.js";

// Issue 9's repros, one test each, on both permission set-ups and every backend: each failed before
// the fix (200 with the owner's data, or a write into the owner's resources).

const MODES: World["mode"][] = ["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"];

function noLeak(answer: Answer): void {
  expect(answer.text).not.toContain(SECRET);
  expect(answer.status).toBeLessThan(500);
}

for (const { dialect, skip } of DIALECTS) {
  for (const mode of MODES) {
    describe.skipIf(skip)(`authorization bypasses are closed (${dialect}, ${mode})`, () => {
      let w: World;
      beforeAll(async () => {
        w = await createWorld(mode, dialect);
      }, 60_000);
      afterAll(async () => w?.server.close());

      it("1: query-string IDs on POST searches are ignored (runs/search, logged-models/search)", async () => {
        const query = { experiment_ids: w.owner.experimentId };
        for (const send of [{ query }, { query, body: {} }, { query, headers: { "Content-Length": "0" } }]) {
          const runs = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/search", send);
          noLeak(runs);
          expect(runs.status).toBe(200);
          expect(runs.json).toEqual({});
          const models = await w.call("intruder", "POST", "/api/2.0/mlflow/logged-models/search", send);
          noLeak(models);
          // experiment_ids is required by logged-models/search: without a body it is missing.
          expect(models.status).toBe(400);
        }
        // In the body, the owner's experiment is narrowed away; the intruder's own stays.
        const body = { experiment_ids: [w.owner.experimentId, w.intruder.experimentId] };
        const narrowed = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/search", { body });
        noLeak(narrowed);
        expect((narrowed.json?.runs as { info: { run_id: string } }[]).map((r) => r.info.run_id)).toEqual([w.intruder.runId]);
        const models = await w.call("intruder", "POST", "/api/2.0/mlflow/logged-models/search", { body });
        noLeak(models);
        expect((models.json?.models as { info: { model_id: string } }[]).map((m) => m.info.model_id)).toEqual([w.intruder.loggedModelId]);
        // The owner still sees their own.
        const mine = await w.call("owner", "POST", "/api/2.0/mlflow/logged-models/search", { body: { experiment_ids: [w.owner.experimentId] } });
        expect((mine.json?.models as unknown[]).length).toBe(1);
      });

      it("2: a model version cannot point at what its creator may not read", async () => {
        const { runId, experimentId, loggedModelId } = w.owner;
        const sources = [
          `runs:/${runId}`,
          `runs:/${runId}/model`,
          `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
          `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
          `mlflow-artifacts://127.0.0.1:5000/${experimentId}/${runId}/artifacts`,
          `http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`,
          `models:/${loggedModelId}`,
          `models:/${w.owner.model}/1`,
        ];
        for (const source of sources) {
          const created = await w.call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: w.intruder.model, source } });
          noLeak(created);
          expect([source, created.status]).toEqual([source, 403]);
        }
        // Naming the run or the logged model as run_id / model_id is refused too.
        for (const body of [
          { name: w.intruder.model, source: "s3://bucket/x", run_id: runId },
          { name: w.intruder.model, source: "s3://bucket/x", model_id: loggedModelId },
        ]) {
          expect((await w.call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body })).status).toBe(403);
        }
        // And nothing was created to download from.
        const download = await w.call("intruder", "GET", "/model-versions/get-artifact", { query: { name: w.intruder.model, version: "1", path: "secret.txt" } });
        noLeak(download);
        expect(download.status).toBe(404);
        // The intruder's own run is a fine source.
        const own = await w.call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: w.intruder.model, source: `runs:/${w.intruder.runId}/model` } });
        expect(own.status).toBe(200);
      });

      it("3: runs/create reads experiment_id from the body only", async () => {
        const created = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/create", { query: { experiment_id: w.owner.experimentId } });
        expect(created.status).toBe(200);
        expect((created.json?.run as { info: { experiment_id: string } }).info.experiment_id).toBe("0");
        const inBody = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: w.owner.experimentId } });
        expect(inBody.status).toBe(403);
      });

      it("4: metrics cannot be written into another user's logged model", async () => {
        const metric = { key: "m", value: 1, timestamp: 1, model_id: w.owner.loggedModelId };
        const single = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/log-metric", { body: { run_id: w.intruder.runId, ...metric } });
        expect(single.status).toBe(403);
        const batch = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/log-batch", {
          body: { run_id: w.intruder.runId, metrics: [{ key: "m", value: 1, timestamp: 1 }, metric] },
        });
        expect(batch.status).toBe(403);
        const model = await w.call("owner", "GET", `/api/2.0/mlflow/logged-models/${w.owner.loggedModelId}`);
        expect((model.json?.model as { data?: { metrics?: unknown[] } }).data?.metrics ?? []).toEqual([]);
      });

      it("5: zero-padded and otherwise non-canonical IDs are refused, never mapped to the owner's experiment", async () => {
        const id = w.owner.experimentId;
        for (const spelled of [`0${id}`, `+${id}`, ` ${id}`, `${id} `, `00${id}`]) {
          const calls: [string, string, { query?: Record<string, string>; body?: unknown }][] = [
            ["GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: spelled } }],
            ["POST", "/api/2.0/mlflow/experiments/set-experiment-tag", { body: { experiment_id: spelled, key: "k", value: "v" } }],
            ["POST", "/api/2.0/mlflow/experiments/update", { body: { experiment_id: spelled, new_name: "stolen" } }],
            ["POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: spelled } }],
            ["POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: [spelled] } }],
          ];
          for (const [method, path, send] of calls) {
            const answer = await w.call("intruder", method, path, send);
            noLeak(answer);
            expect([path, spelled, answer.status]).toEqual([path, spelled, 400]);
          }
        }
        const experiment = await w.call("owner", "GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: id } });
        expect((experiment.json?.experiment as { name: string }).name).toBe(`${SECRET}experiment`);
        expect((experiment.json?.experiment as { tags?: unknown[] }).tags).toBeUndefined();
      });

      it("6: an artifact listing reads its path where the rule does (a JSON body on a GET without a query)", async () => {
        const listed = await w.call("intruder", "GET", "/api/2.0/mlflow-artifacts/artifacts", { body: { path: w.owner.experimentId } });
        noLeak(listed);
        expect(listed.status).toBe(403);
        const deeper = await w.call("intruder", "GET", "/api/2.0/mlflow-artifacts/artifacts", { body: { path: `${w.owner.experimentId}/${w.owner.runId}/artifacts` } });
        expect(deeper.status).toBe(403);
        const padded = await w.call("intruder", "GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: `0${w.owner.experimentId}` } });
        expect(padded.status).toBe(400);
        const file = await w.call("intruder", "GET", `/api/2.0/mlflow-artifacts/artifacts/0${w.owner.artifact}`);
        expect(file.status).toBe(400);
      });
    });
  }
}
