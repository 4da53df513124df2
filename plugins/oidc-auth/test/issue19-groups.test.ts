import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOidcAuth } from "../dist/app.js";
import { DIALECTS } from "../../../test/support/backends.js";
import { freePort } from "../../../test/support/free-port.js";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";
import { describeDisagreement, observeDecisions, type CallAs, type RawAnswer } from "../../../test/support/decision-surfaces.js";
import { signInThroughServer, startIdp, type TestIdp } from "./idp.js";
import { applyExtraApps, enterAuthApp } from "../../../test/support/extra-apps.js";

// Issue 19 with oidc-auth: item 4 (group grants count in every search, as in gets and writes) on
// every backend, item 1 through a signed-in oidc-auth user, and the identity hygiene of the issue
// (a machine token named by its client_id; a name taken from an unverified email). People sign in
// through the server's own code flow against a real OpenID Provider (oidc-provider) over HTTP.

const SECRET = "owner-secret-";
const GROUP = "team-r";
// Not SECRET: with default READ everybody may see it; with NO_PERMISSIONS only its creator.
const VICTIM_EXPERIMENT = "victim-private-experiment";

/** The people and machines of these tests, beyond idp.ts's own. */
const ACCOUNTS = {
  owner: { groups: [] },
  member: { groups: [GROUP] },
  outsider: { groups: [] },
  victim: { groups: [], claims: { preferred_username: "victim@example.com" } },
  // No preferred_username; an email the provider has not verified, spelled as the victim's name.
  mallory: { groups: [], claims: { preferred_username: undefined, email: "victim@example.com", email_verified: false } },
};
const MACHINES = [{ clientId: "owner", secret: "owner-machine-secret" }];

const excerpt = (a: RawAnswer) => `HTTP ${a.status}: ${a.text.slice(0, 300)}`;

/** A raw request with a cookie or a Bearer token (node:http; the body is JSON). */
function request(base: string, auth: { cookie?: string; token?: string }, method: string, path: string, send: { query?: Record<string, string>; body?: unknown } = {}): Promise<RawAnswer> {
  const url = new URL(`${base}${path}`);
  for (const [k, v] of Object.entries(send.query ?? {})) url.searchParams.append(k, v);
  const body = send.body === undefined ? undefined : JSON.stringify(send.body);
  const headers: Record<string, string> = {
    ...(auth.cookie ? { cookie: auth.cookie } : {}),
    ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    ...(body !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A server with oidc-auth (users and grants in its own database), an identity provider, and signed-in people. */
interface Scene {
  readonly server: TestServer;
  readonly idp: TestIdp;
  as(who: string): CallAs;
  asToken(token: string): CallAs;
  readonly experimentId: string;
  readonly runId: string;
  readonly artifactDir: string;
  readonly model: string;
  close(): Promise<void>;
}

async function createScene(dialect: (typeof DIALECTS)[number]["dialect"], defaultPermission: "READ" | "NO_PERMISSIONS", groupGrant: "READ" | "NO_PERMISSIONS"): Promise<Scene> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startIdp({ redirectUri: `${url}/oidc/callback`, postLogoutUri: `${url}/`, accounts: ACCOUNTS, machines: MACHINES });
  let server: TestServer;
  try {
    server = await startTestServer({
      dialect,
      port,
      configure: async (app) => {
        enterAuthApp(app, "oidc-auth");
        await createOidcAuth({
          env: {
            MLFLOW_OIDC_ISSUER: idp.issuer,
            MLFLOW_OIDC_CLIENT_ID: "mlflow",
            MLFLOW_OIDC_CLIENT_SECRET: "mlflow-secret",
            MLFLOW_OIDC_REDIRECT_URL: `${url}/oidc/callback`,
            MLFLOW_OIDC_AUDIENCE: "mlflow",
            MLFLOW_OIDC_SCOPES: "openid profile email groups",
            MLFLOW_OIDC_DEFAULT_PERMISSION: defaultPermission,
            MLFLOW_OIDC_SESSION_SECRET: "a-test-session-secret-of-32-characters!",
            MLFLOW_OIDC_ALLOW_INSECURE_HTTP: "true",
            MLFLOW_OIDC_DATABASE_URI: app.context.config.backendStoreUri,
          },
        })(app);
        await applyExtraApps(app, process.env);
      },
    });
  } catch (error) {
    await idp.close();
    throw error;
  }
  const cookies = new Map<string, string>();
  for (const who of ["alice", "owner", "member", "outsider", "victim"]) {
    const signed = await signInThroughServer(url, who);
    if (!signed.cookie) throw new Error(`${who} could not sign in: HTTP ${signed.status} ${signed.text.slice(0, 200)}`);
    cookies.set(who, signed.cookie);
  }
  const as = (who: string): CallAs => (method, path, send) => request(url, { cookie: cookies.get(who)! }, method, path, send);
  const asToken = (token: string): CallAs => (method, path, send) => request(url, { token }, method, path, send);
  const ok = async (answer: Promise<RawAnswer>, what: string) => {
    const a = await answer;
    if (a.status !== 200) throw new Error(`setup: ${what}: ${excerpt(a)}`);
    return a.json ?? {};
  };
  const owner = as("owner");
  const experimentId = String((await ok(owner("POST", "/api/2.0/mlflow/experiments/create", { body: { name: `${SECRET}experiment` } }), "create experiment")).experiment_id);
  const run = (await ok(owner("POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: experimentId, run_name: `${SECRET}run` } }), "create run")).run as { info: { run_id: string; artifact_uri: string } };
  await ok(owner("POST", "/api/2.0/mlflow/runs/log-parameter", { body: { run_id: run.info.run_id, key: "p", value: `${SECRET}param` } }), "log param");
  const artifactDir = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "");
  const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${artifactDir}/f.txt`, { method: "PUT", headers: { cookie: cookies.get("owner")! }, body: `${SECRET}file` });
  if (put.status !== 200) throw new Error(`setup: upload: HTTP ${put.status} ${await put.text()}`);
  const model = "owner-model";
  await ok(owner("POST", "/api/2.0/mlflow/registered-models/create", { body: { name: model, description: `${SECRET}model` } }), "create model");
  // The victim's own experiment: what a caller wrongly named victim@example.com would read.
  await ok(as("victim")("POST", "/api/2.0/mlflow/experiments/create", { body: { name: VICTIM_EXPERIMENT } }), "victim's experiment");
  const admin = as("alice");
  for (const [kind, resource] of [["experiment", experimentId], ["registered_model", model]]) {
    await ok(admin("POST", "/api/2.0/mlflow-ts/group-permissions/set", { body: { group: GROUP, kind, resource, permission: groupGrant } }), `group grant on ${kind}`);
  }
  return {
    server: server!,
    idp,
    as,
    asToken,
    experimentId,
    runId: run.info.run_id,
    artifactDir,
    model,
    close: async () => {
      await server.close();
      await idp.close();
    },
  };
}

const runIds = (a: RawAnswer) => ((a.json?.runs as { info: { run_id: string } }[] | undefined) ?? []).map((r) => r.info.run_id);
const experimentIds = (a: RawAnswer) => ((a.json?.experiments as { experiment_id: string }[] | undefined) ?? []).map((e) => e.experiment_id);
const modelNames = (a: RawAnswer) => ((a.json?.registered_models as { name: string }[] | undefined) ?? []).map((m) => m.name);

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`issue 19 with oidc-auth: a group's READ grant, default NO_PERMISSIONS (${dialect})`, () => {
    let s: Scene;
    beforeAll(async () => {
      s = await createScene(dialect, "NO_PERMISSIONS", "READ");
    }, 60_000);
    afterAll(async () => s?.close());

    it("4. a member gets the experiment and the model the group may read", async () => {
      const got = await s.as("member")("GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: s.experimentId } });
      expect(got.status, `experiments/get as a member of ${GROUP} (READ): ${excerpt(got)}`).toBe(200);
      const model = await s.as("member")("GET", "/api/2.0/mlflow/registered-models/get", { query: { name: s.model } });
      expect(model.status, `registered-models/get as a member of ${GROUP} (READ): ${excerpt(model)}`).toBe(200);
    });

    it("4. runs/search on the experiment returns the owner's runs to a member", async () => {
      const runs = await s.as("member")("POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: [s.experimentId] } });
      expect(runs.status, excerpt(runs)).toBe(200);
      expect(runIds(runs), `runs/search as a member of ${GROUP} (READ on the experiment): ${excerpt(runs)}`).toEqual([s.runId]);
    });

    it("4. experiments/search lists the experiment to a member", async () => {
      for (const method of ["POST", "GET"]) {
        const found = await s.as("member")(method, "/api/2.0/mlflow/experiments/search", method === "POST" ? { body: { max_results: 1000 } } : { query: { max_results: "1000" } });
        expect(experimentIds(found), `${method} experiments/search as a member of ${GROUP} (READ): ${excerpt(found)}`).toContain(s.experimentId);
      }
    });

    it("4. registered-models/search lists the model to a member", async () => {
      const found = await s.as("member")("GET", "/api/2.0/mlflow/registered-models/search", { query: { max_results: "100" } });
      expect(modelNames(found), `registered-models/search as a member of ${GROUP} (READ): ${excerpt(found)}`).toContain(s.model);
    });

    it("4. GraphQL mlflowSearchRuns returns the owner's runs to a member", async () => {
      const answer = await s.as("member")("POST", "/graphql", { body: { query: `{ mlflowSearchRuns(input:{experimentIds:["${s.experimentId}"]}){ runs { info { runId } } } }` } });
      const runs = ((answer.json?.data as { mlflowSearchRuns?: { runs?: { info: { runId: string } }[] } } | undefined)?.mlflowSearchRuns?.runs ?? []).map((r) => r.info.runId);
      expect(runs, `GraphQL mlflowSearchRuns as a member of ${GROUP} (READ): ${excerpt(answer)}`).toEqual([s.runId]);
    });

    it("4. every surface agrees: visible to the member, hidden from a user outside the group", async () => {
      const problems = [
        describeDisagreement(`member (group ${GROUP}: READ)`, `experiment ${s.experimentId}`, true, await observeDecisions(s.as("member"), s)),
        describeDisagreement("outsider (no grant, default NO_PERMISSIONS)", `experiment ${s.experimentId}`, false, await observeDecisions(s.as("outsider"), s)),
      ].filter(Boolean);
      expect(problems, problems.join("\n")).toEqual([]);
    });

    it("identity: a machine token of an IdP client whose client_id is 'owner' does not act as user owner", async () => {
      const token = await s.idp.clientToken("owner", "owner-machine-secret");
      const robot = s.asToken(token);
      const me = await robot("GET", "/ajax-api/2.0/mlflow-ts/oidc/me");
      if (me.status === 200) expect((me.json?.user as { username?: string } | undefined)?.username, `the machine client 'owner' is named: ${excerpt(me)}`).not.toBe("owner");
      else expect([401, 403].includes(me.status), `oidc/me for the machine client 'owner': ${excerpt(me)}`).toBe(true);
      for (const [method, path, send] of [
        ["GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: s.experimentId } }],
        ["POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: [s.experimentId] } }],
        ["POST", "/api/2.0/mlflow/experiments/search", { body: { max_results: 1000 } }],
        ["GET", "/api/2.0/mlflow/registered-models/get", { query: { name: s.model } }],
      ] as const) {
        const answer = await robot(method, path, send);
        expect(answer.text.includes(SECRET), `${method} ${path} with the machine token of client 'owner' reads the user owner's data: ${excerpt(answer)}`).toBe(false);
        expect(answer.status).toBeLessThan(500);
      }
    });

    it("identity: an ID token without preferred_username and with email_verified=false is not named by that email", async () => {
      const signed = await signInThroughServer(s.server.url, "mallory");
      if (!signed.cookie) {
        // Refusing the sign-in is a fix too.
        expect(signed.status, `mallory's sign-in ended without a session: ${signed.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        return;
      }
      const mallory: CallAs = (method, path, send) => request(s.server.url, { cookie: signed.cookie }, method, path, send);
      const me = await mallory("GET", "/ajax-api/2.0/mlflow-ts/oidc/me");
      expect((me.json?.user as { username?: string } | undefined)?.username, `mallory (unverified email victim@example.com) is named: ${excerpt(me)}`).not.toBe("victim@example.com");
      const search = await mallory("POST", "/api/2.0/mlflow/experiments/search", { body: { max_results: 1000 } });
      expect(search.text.includes(VICTIM_EXPERIMENT), `mallory sees the victim's experiment: ${excerpt(search)}`).toBe(false);
    });
  });

  describe.skipIf(skip)(`issue 19 with oidc-auth: a group denied, default READ (${dialect})`, () => {
    let s: Scene;
    beforeAll(async () => {
      s = await createScene(dialect, "READ", "NO_PERMISSIONS");
    }, 60_000);
    afterAll(async () => s?.close());

    it("4. a member cannot get the experiment or the model the group is denied", async () => {
      const got = await s.as("member")("GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: s.experimentId } });
      expect(got.status, `experiments/get as a member of ${GROUP} (NO_PERMISSIONS): ${excerpt(got)}`).toBe(403);
      const model = await s.as("member")("GET", "/api/2.0/mlflow/registered-models/get", { query: { name: s.model } });
      expect(model.status, `registered-models/get as a member of ${GROUP} (NO_PERMISSIONS): ${excerpt(model)}`).toBe(403);
    });

    it("4. experiments/search does not list the denied experiment to a member", async () => {
      for (const method of ["POST", "GET"]) {
        const found = await s.as("member")(method, "/api/2.0/mlflow/experiments/search", method === "POST" ? { body: { max_results: 1000 } } : { query: { max_results: "1000" } });
        expect(found.status).toBe(200);
        expect(experimentIds(found), `${method} experiments/search as a member of ${GROUP} (NO_PERMISSIONS): ${excerpt(found)}`).not.toContain(s.experimentId);
        expect(found.text.includes(SECRET), `${method} experiments/search as a member: ${excerpt(found)}`).toBe(false);
      }
    });

    it("4. runs/search with experiment_ids including the denied experiment returns none of its runs", async () => {
      for (const ids of [[s.experimentId], ["0", s.experimentId]]) {
        const runs = await s.as("member")("POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: ids } });
        expect(runs.status).toBeLessThan(500);
        expect(runIds(runs), `runs/search ${JSON.stringify(ids)} as a member of ${GROUP} (NO_PERMISSIONS): ${excerpt(runs)}`).not.toContain(s.runId);
        expect(runs.text.includes(SECRET), `runs/search ${JSON.stringify(ids)} as a member: ${excerpt(runs)}`).toBe(false);
      }
    });

    it("4. registered-models/search does not list the denied model to a member", async () => {
      const found = await s.as("member")("GET", "/api/2.0/mlflow/registered-models/search", { query: { max_results: "100" } });
      expect(found.status).toBe(200);
      expect(modelNames(found), `registered-models/search as a member of ${GROUP} (NO_PERMISSIONS): ${excerpt(found)}`).not.toContain(s.model);
      expect(found.text.includes(SECRET), `registered-models/search as a member: ${excerpt(found)}`).toBe(false);
    });

    it("4. GraphQL gives a member none of the denied experiment's runs (list, scalar, variable)", async () => {
      const member = s.as("member");
      for (const [query, variables] of [
        [`{ mlflowSearchRuns(input:{experimentIds:["${s.experimentId}"]}){ runs { info { runName } data { params { key value } } } } }`, undefined],
        [`{ mlflowSearchRuns(input:{experimentIds:"${s.experimentId}"}){ runs { info { runName } data { params { key value } } } } }`, undefined],
        [`query Q($ids:[String]){ mlflowSearchRuns(input:{experimentIds:$ids}){ runs { info { runName } } } }`, { ids: s.experimentId }],
        [`query Q($ids:[String]=["${s.experimentId}"]){ mlflowSearchRuns(input:{experimentIds:$ids}){ runs { info { runName } } } }`, undefined],
      ] as const) {
        for (const answer of [
          await member("POST", "/graphql", { body: { query, ...(variables ? { variables } : {}) } }),
          await member("GET", "/graphql", { query: { query, ...(variables ? { variables: JSON.stringify(variables) } : {}) } }),
        ]) {
          expect.soft(answer.text.includes(SECRET), `GraphQL as a member of ${GROUP} (NO_PERMISSIONS): ${query} ${variables ? JSON.stringify(variables) : ""}: ${excerpt(answer)}`).toBe(false);
          expect.soft(answer.status, `GraphQL as a member: ${excerpt(answer)}`).toBeLessThan(500);
        }
      }
    });

    it("4. every surface agrees: hidden from the member, visible to a user outside the group (default READ)", async () => {
      const problems = [
        describeDisagreement(`member (group ${GROUP}: NO_PERMISSIONS)`, `experiment ${s.experimentId}`, false, await observeDecisions(s.as("member"), s)),
        describeDisagreement("outsider (no grant, default READ)", `experiment ${s.experimentId}`, true, await observeDecisions(s.as("outsider"), s)),
      ].filter(Boolean);
      expect(problems, problems.join("\n")).toEqual([]);
    });
  });
}
