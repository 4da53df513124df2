import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "@mlflow-ts/client";
import { ruleFor, UNAUTHENTICATED_BODY } from "@mlflow-ts/basic-auth";
import { ADMIN, startAuthServer, type AuthServer } from "./auth-server.js";
import { extraAppRoutes } from "../../../test/support/extra-apps.js";

type Who = "READ" | "EDIT" | "MANAGE" | "NO_PERMISSIONS" | "default" | "admin";
const WHO: Who[] = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS", "default", "admin"];
const EXPECT: Record<"read" | "update" | "manage", Who[]> = {
  read: ["READ", "EDIT", "MANAGE", "default", "admin"],
  update: ["EDIT", "MANAGE", "admin"],
  manage: ["MANAGE", "admin"],
};

async function allowed(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if ((error as { status?: number }).status === 403) return false;
    throw error;
  }
}

describe("the permission table (default_permission READ)", () => {
  let s: AuthServer;
  const clients = {} as Record<Who, MlflowClient>;
  let experimentId: string;
  let runId: string;
  beforeAll(async () => {
    s = await startAuthServer({
      after: (app) => {
        app.get("/api/custom/unruled", (_req, res) => {
          res.json({ ok: true });
        });
      },
    });
    experimentId = await s.adminTracking.createExperiment("matrix");
    runId = (await s.adminTracking.createRun(experimentId)).info.run_id;
    await s.adminTracking.registry.createRegisteredModel("matrix-model");
    await s.adminTracking.registry.createModelVersion("matrix-model", `runs:/${runId}/model`, { runId });
    for (const who of WHO) {
      if (who === "admin") {
        clients.admin = s.adminTracking;
        continue;
      }
      const name = `u-${who.toLowerCase().replace("_", "-")}`;
      clients[who] = (await s.user(name)).tracking;
      if (who !== "default") {
        await s.admin.createExperimentPermission(experimentId, name, who);
        await s.admin.createRegisteredModelPermission("matrix-model", name, who);
      }
    }
  });
  afterAll(async () => s?.close());

  const experimentCalls: Record<"read" | "update" | "manage", (c: MlflowClient, i: number) => Promise<unknown>> = {
    read: (c) => c.getExperiment(experimentId),
    update: (c, i) => c.setExperimentTag(experimentId, `k${i}`, "v"),
    manage: async (c) => {
      const fresh = (await s.adminTracking.createRun(experimentId)).info.run_id;
      return c.deleteRun(fresh);
    },
  };
  const runCalls: Record<"read" | "update", (c: MlflowClient, i: number) => Promise<unknown>> = {
    read: (c) => c.getMetricHistory(runId, "m"),
    update: (c, i) => c.logMetric(runId, "m", i, { step: i }),
  };
  const modelCalls: Record<"read" | "update" | "manage", (c: MlflowClient, i: number) => Promise<unknown>> = {
    read: (c) => c.registry.getModelVersion("matrix-model", "1"),
    update: (c, i) => c.registry.setRegisteredModelTag("matrix-model", `k${i}`, "v"),
    manage: (c, i) => c.registry.deleteModelVersionTag("matrix-model", "1", `k${i}`),
  };
  const artifactCalls: Record<"read" | "update" | "manage", (c: MlflowClient, i: number) => Promise<unknown>> = {
    read: (c) => c.artifacts.list(`${experimentId}/${runId}/artifacts`),
    update: (c, i) => c.artifacts.upload(`${experimentId}/${runId}/artifacts/f${i}.txt`, "x"),
    manage: async (c, i) => {
      await s.adminTracking.artifacts.upload(`${experimentId}/${runId}/artifacts/d${i}.txt`, "x");
      return c.artifacts.delete(`${experimentId}/${runId}/artifacts/d${i}.txt`);
    },
  };

  for (const [family, calls] of Object.entries({ experiment: experimentCalls, run: runCalls, model: modelCalls, artifact: artifactCalls })) {
    for (const [need, call] of Object.entries(calls)) {
      it(`${family} ${need}: allowed for ${EXPECT[need as keyof typeof EXPECT].join(", ")}`, async () => {
        const got: Record<string, boolean> = {};
        let i = 0;
        for (const who of WHO) got[who] = await allowed(() => call(clients[who], (i += 1)));
        expect(got).toEqual(Object.fromEntries(WHO.map((w) => [w, EXPECT[need as keyof typeof EXPECT].includes(w)])));
      });
    }
  }

  it("grant management needs MANAGE on the resource", async () => {
    for (const who of ["READ", "EDIT", "MANAGE"] as const) {
      const name = `u-${who.toLowerCase()}`;
      const auth = s.auth(name, `${name}-password-xyz`);
      const ok = await allowed(() => auth.createExperimentPermission(experimentId, "u-default", "READ").then(() => s.admin.deleteExperimentPermission(experimentId, "u-default")));
      expect({ who, ok }).toEqual({ who, ok: who === "MANAGE" });
    }
  });

  it("answers an unknown user and a wrong password with MLflow's exact 401", async () => {
    for (const headers of <Record<string, string>[]>[{ Authorization: `Basic ${Buffer.from("ghost:whatever-password").toString("base64")}` }, { Authorization: `Basic ${Buffer.from(`${ADMIN.username}:wrong-password-1`).toString("base64")}` }, {}]) {
      const response = await s.fetch(`/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="mlflow"');
      expect(await response.text()).toBe(UNAUTHENTICATED_BODY);
    }
    expect(await (await s.fetch("/health")).text()).toBe("OK");
  });

  it("answers MLflow's exact 403 and a 404 for unknown runs before authorizing", async () => {
    const response = await s.fetch(`/api/2.0/mlflow/runs/delete`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from("u-read:u-read-password-xyz").toString("base64")}`, "Content-Type": "application/json" },
      body: JSON.stringify({ run_id: runId }),
    });
    expect([response.status, await response.text()]).toEqual([403, "Permission denied"]);
    await expect(clients.READ.getRun("0".repeat(32))).rejects.toMatchObject({ status: 404, code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("gives the creator MANAGE, and carries model grants through rename and delete", async () => {
    const { tracking, auth } = await s.user("creator");
    const id = await tracking.createExperiment("created-by-creator");
    expect((await auth.getUser("creator")).experiment_permissions).toEqual([{ experiment_id: id, user_id: expect.any(Number), permission: "MANAGE" }]);
    await tracking.registry.createRegisteredModel("creators-model");
    await tracking.registry.renameRegisteredModel("creators-model", "creators-model-2");
    expect((await auth.getUser("creator")).registered_model_permissions.map((g) => g.name)).toEqual(["creators-model-2"]);
    await tracking.registry.deleteRegisteredModel("creators-model-2");
    expect((await auth.getUser("creator")).registered_model_permissions).toEqual([]);
    // A new model of the same name does not inherit the old grants.
    await s.adminTracking.registry.createRegisteredModel("creators-model-2");
    await expect(s.admin.getRegisteredModelPermission("creators-model-2", "creator")).rejects.toMatchObject({ status: 404 });
  });

  it("denies non-admins any route without a rule, including routes other apps add", async () => {
    expect((await clients.MANAGE.request("GET", "/api/custom/unruled").catch((e: { status: number }) => e.status))).toBe(403);
    expect(await clients.admin.request("GET", "/api/custom/unruled")).toEqual({ ok: true });
  });

  it("has a rule for every registered route (a test that fails when one is added without)", () => {
    const open = new Set(["GET /health", "GET /api/custom/unruled"]);
    // Composed with other apps (MLFLOW_TS_TEST_WITH_APPS), their routes have no rule on purpose:
    // admin-only, which route-by-route asserts.
    const extra = extraAppRoutes(s.app);
    const missing = s.app
      .listRoutes()
      .filter((r) => !open.has(`${r.method} ${r.path}`) && !extra.has(`${r.method} ${r.path}`))
      .filter((r) => ruleFor(r.method, r.path, "") === undefined)
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });
});

describe("default_permission NO_PERMISSIONS and search filtering", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer({ ini: { default_permission: "NO_PERMISSIONS" } });
  });
  afterAll(async () => s?.close());

  it("hides what a user may not read, across pages, keeping page sizes", async () => {
    const { tracking } = await s.user("viewer");
    const ids: string[] = [];
    for (let i = 0; i < 9; i += 1) ids.push(await s.adminTracking.createExperiment(`exp-${i}`));
    for (const i of [1, 4, 7]) await s.admin.createExperimentPermission(ids[i]!, "viewer", "READ");
    await expect(tracking.getExperiment(ids[0]!)).rejects.toMatchObject({ status: 403 });
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await tracking.searchExperiments({ filter: "name LIKE 'exp-%'", maxResults: 2, orderBy: ["name"], pageToken });
      expect(page.experiments.length).toBeLessThanOrEqual(2);
      seen.push(...page.experiments.map((e) => e.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["exp-1", "exp-4", "exp-7"]);
    const runs = await tracking.searchRuns(ids);
    expect(runs.runs).toEqual([]);

    for (let i = 0; i < 5; i += 1) await s.adminTracking.registry.createRegisteredModel(`model-${i}`);
    await s.admin.createRegisteredModelPermission("model-3", "viewer", "READ");
    const models = await tracking.registry.searchRegisteredModels({ filter: "name LIKE 'model-%'", maxResults: 1 });
    expect(models.registeredModels.map((m) => m.name)).toEqual(["model-3"]);
  });
});
