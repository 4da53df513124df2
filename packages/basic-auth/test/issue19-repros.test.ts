import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, MYSQL_URL } from "../../../test/support/backends.js";
import { AuthServiceClient } from "@mlflow-ts/basic-auth";
import { spawnServer, type SpawnedServer } from "../../../test/support/spawn-server.js";
import { startAuthServer, type AuthServer } from "./auth-server.js";
import { OWNER_PASSWORD, SECRET, createWorld, createWorldWith, rawRequest, type Answer, type Send, type World } from "./owner-and-intruder.js";

// Issue 19's repros against the real server (real HTTP, real databases), one test each, on both
// permission set-ups and every backend. Each names the item of the issue it reproduces. A repro
// passes when the intruder gets none of the owner's data (SECRET never appears), no 5xx answers
// client input, and the owner and the intruder still reach what is theirs.

const MODES: World["mode"][] = ["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"];

const excerpt = (answer: Answer) => `HTTP ${answer.status}: ${answer.text.slice(0, 400)}`;

/** The intruder learnt nothing of the owner's, and the server did not fail on the input. */
function noLeak(answer: Answer, what: string): void {
  // Soft: one test reports every spelling that leaks, not only the first.
  expect.soft(answer.status, `${what}: no answer`).toBeGreaterThan(0);
  expect.soft(answer.status, `${what}: a 5xx on client input — ${excerpt(answer)}`).toBeLessThan(500);
  expect.soft(answer.text.includes(SECRET), `${what}: the answer holds the owner's data — ${excerpt(answer)}`).toBe(false);
}

/** MLflow's JSON error for a refused client input: 4xx with an `error_code`. */
function clientError(answer: Answer, what: string, codes: readonly number[] = [400]): void {
  // Soft: every input of a test is reported, not only the first one answered wrongly.
  expect.soft(codes.includes(answer.status), `${what}: expected ${codes.join(" or ")}, got ${excerpt(answer)}`).toBe(true);
  expect.soft(typeof answer.json?.error_code, `${what}: the error is not MLflow's JSON — ${excerpt(answer)}`).toBe("string");
}

/** GraphQL over POST (JSON body) and over GET (`query` and `variables` in the URL), as `who`. */
function graphqlBoth(w: World, who: "owner" | "intruder", query: string, variables?: Record<string, unknown>): Promise<[string, Answer][]> {
  const get: Send = { query: { query, ...(variables ? { variables: JSON.stringify(variables) } : {}) } };
  return Promise.all([
    w.call(who, "POST", "/graphql", { body: { query, ...(variables ? { variables } : {}) } }).then((a): [string, Answer] => ["POST /graphql", a]),
    w.call(who, "GET", "/graphql", get).then((a): [string, Answer] => ["GET /graphql", a]),
  ]);
}

async function graphqlNoLeak(w: World, query: string, variables?: Record<string, unknown>): Promise<void> {
  for (const [how, answer] of await graphqlBoth(w, "intruder", query, variables)) noLeak(answer, `${how} ${query}${variables ? ` variables=${JSON.stringify(variables)}` : ""}`);
}

/** The data of a GraphQL answer to the intruder's own resources: 200, no errors. */
function graphqlData(answer: Answer, what: string): Record<string, unknown> {
  expect(answer.status, `${what}: ${excerpt(answer)}`).toBe(200);
  expect(answer.json?.errors ?? null, `${what}: ${excerpt(answer)}`).toBeNull();
  return answer.json?.data as Record<string, unknown>;
}

/**
 * Item 5: every spelling MariaDB's `utf8mb4_general_ci` takes for the owner's model (case, trailing
 * spaces) is denied like the name itself, on the REST reads and the UI's file download.
 */
async function expectModelDenied(w: World): Promise<void> {
  const exact = await w.call("intruder", "GET", "/api/2.0/mlflow/registered-models/get", { query: { name: w.owner.model } });
  expect(exact.status, `the model as named: ${excerpt(exact)}`).toBe(403);
  for (const name of [w.owner.model.toUpperCase(), `${w.owner.model} `, `${w.owner.model.toUpperCase()}  `, "Owner-Model"]) {
    const calls: [string, string, Send][] = [
      ["GET", "/api/2.0/mlflow/registered-models/get", { query: { name } }],
      ["GET", "/api/2.0/mlflow/model-versions/get", { query: { name, version: "1" } }],
      ["GET", "/model-versions/get-artifact", { query: { name, version: "1", path: "MLmodel" } }],
      ["GET", "/api/2.0/mlflow/registered-models/get-latest-versions", { query: { name } }],
    ];
    for (const [method, path, send] of calls) {
      const answer = await w.call("intruder", method, path, send);
      const what = `${method} ${path} name=${JSON.stringify(name)}`;
      noLeak(answer, what);
      expect.soft([403, 404].includes(answer.status), `${what}: expected 403 or 404, got ${excerpt(answer)}`).toBe(true);
    }
  }
}

for (const { dialect, skip } of DIALECTS) {
  for (const mode of MODES) {
    describe.skipIf(skip)(`issue 19: one decision for REST, GraphQL, searches and artifact paths (${dialect}, ${mode})`, () => {
      let w: World;
      beforeAll(async () => {
        w = await createWorld(mode, dialect);
        // A dataset on the owner's run, for mlflowSearchDatasets to have something to leak.
        await w.server.as("owner", OWNER_PASSWORD).logInputs(w.owner.runId, [
          { dataset: { name: `${SECRET}dataset`, digest: "d19", source_type: "local", source: `{"uri": "${SECRET}source"}` }, tags: [{ key: "mlflow.data.context", value: "training" }] },
        ]);
      }, 60_000);
      afterAll(async () => w?.server.close());

      it("1. GraphQL list coercion: mlflowSearchRuns experimentIds as a scalar", async () => {
        await graphqlNoLeak(w, `{ mlflowSearchRuns(input:{experimentIds:"${w.owner.experimentId}"}) { runs { info{runName} data{params{key value} metrics{key value}} } } }`);
      });

      it("1. GraphQL list coercion: mlflowSearchDatasets experimentIds as a scalar", async () => {
        await graphqlNoLeak(w, `{ mlflowSearchDatasets(input:{experimentIds:"${w.owner.experimentId}"}) { datasetSummaries { experimentId name digest context } } }`);
      });

      it("1. GraphQL list coercion: mlflowGetMetricHistoryBulkInterval runIds as a scalar", async () => {
        await graphqlNoLeak(w, `{ mlflowGetMetricHistoryBulkInterval(input:{runIds:"${w.owner.runId}", metricKey:"${SECRET}metric"}) { metrics { key value step runId } } }`);
      });

      it("1. GraphQL list coercion: a scalar variable for a list ($ids: \"<owner experiment>\")", async () => {
        await graphqlNoLeak(w, `query Q($ids:[String]){ mlflowSearchRuns(input:{experimentIds:$ids}) { runs { info{runName} data{params{key value}} } } }`, { ids: w.owner.experimentId });
        await graphqlNoLeak(w, `query Q($ids:[String]){ mlflowSearchDatasets(input:{experimentIds:$ids}) { datasetSummaries { name } } }`, { ids: w.owner.experimentId });
        await graphqlNoLeak(w, `query Q($ids:[String]){ mlflowGetMetricHistoryBulkInterval(input:{runIds:$ids, metricKey:"${SECRET}metric"}) { metrics { key value } } }`, { ids: w.owner.runId });
      });

      it("2. GraphQL variable defaults: a list default ($ids:[String]=[<owner experiment>])", async () => {
        await graphqlNoLeak(w, `query Q($ids:[String]=["${w.owner.experimentId}"]){ mlflowSearchRuns(input:{experimentIds:$ids}){runs{info{runName} data{params{key value}}}} }`);
        await graphqlNoLeak(w, `query Q($ids:[String]=["${w.owner.experimentId}"]){ mlflowSearchDatasets(input:{experimentIds:$ids}){datasetSummaries{name}} }`);
      });

      it("2. GraphQL variable defaults: mlflowListArtifacts runId from a default, runUuid the intruder's own", async () => {
        await graphqlNoLeak(w, `query Q($r:String="${w.owner.runId}"){ mlflowListArtifacts(input:{runId:$r, runUuid:"${w.intruder.runId}"}){files{path}} }`);
      });

      it("2. GraphQL variable defaults: an input-object default for mlflowGetRun", async () => {
        await graphqlNoLeak(w, `query Q($in:MlflowGetRunInput={runId:"${w.owner.runId}"}){ mlflowGetRun(input:$in){run{info{runName} data{params{key value}}}} }`);
        await graphqlNoLeak(w, `query Q($id:String="${w.owner.runId}"){ mlflowGetRun(input:{runId:$id}){run{info{runName} data{params{key value}}}} }`);
      });

      it("2. GraphQL variable defaults: an input-object default for mlflowGetExperiment", async () => {
        await graphqlNoLeak(w, `query Q($in:MlflowGetExperimentInput={experimentId:"${w.owner.experimentId}"}){ mlflowGetExperiment(input:$in){experiment{name tags{key value}}} }`);
        await graphqlNoLeak(w, `query Q($id:String="${w.owner.experimentId}"){ mlflowGetExperiment(input:{experimentId:$id}){experiment{name}} }`);
      });

      it("2. GraphQL aliases and fragments on the owner's run do not leak", async () => {
        const run = w.owner.runId;
        await graphqlNoLeak(w, `{ a: mlflowGetRun(input:{runId:"${run}"}){run{info{runName}}} }`);
        await graphqlNoLeak(w, `{ mlflowGetRun(input:{runId:"${run}"}){ r: run { i: info { n: runName } } } }`);
        await graphqlNoLeak(w, `{ ...F } fragment F on Query { mlflowGetRun(input:{runId:"${run}"}){run{info{runName}}} }`);
        await graphqlNoLeak(w, `{ ... on Query { mlflowGetRun(input:{runId:"${run}"}){run{info{runName}}} } }`);
        await graphqlNoLeak(w, `{ own: mlflowGetRun(input:{runId:"${w.intruder.runId}"}){run{info{runName}}} theirs: mlflowGetRun(input:{runId:"${run}"}){run{info{runName}}} }`);
      });

      it("2. positive control: the intruder's own run and experiment through GraphQL", async () => {
        for (const [how, answer] of await graphqlBoth(w, "intruder", `{ mlflowGetRun(input:{runId:"${w.intruder.runId}"}){run{info{runId runName}}} }`)) {
          const data = graphqlData(answer, `${how} mlflowGetRun on the intruder's own run`) as { mlflowGetRun: { run: { info: { runId: string; runName: string } } } };
          expect(data.mlflowGetRun.run.info.runId, `${how}: mlflowGetRun on the intruder's own run`).toBe(w.intruder.runId);
          expect(typeof data.mlflowGetRun.run.info.runName).toBe("string");
        }
        for (const [how, answer] of await graphqlBoth(w, "intruder", `{ mlflowSearchRuns(input:{experimentIds:["${w.intruder.experimentId}"]}){runs{info{runId}}} }`)) {
          const data = graphqlData(answer, `${how} mlflowSearchRuns on the intruder's own experiment`) as { mlflowSearchRuns: { runs: { info: { runId: string } }[] } };
          expect(data.mlflowSearchRuns.runs.map((r) => r.info.runId), `${how}: mlflowSearchRuns on the intruder's own experiment`).toEqual([w.intruder.runId]);
        }
      });

      it("2. positive control: aliases and fragments on the intruder's own data return data", async () => {
        const own = w.intruder.runId;
        const queries: [string, (d: Record<string, unknown>) => unknown][] = [
          [`{ mine: mlflowGetRun(input:{runId:"${own}"}){run{info{runId}}} }`, (d) => (d.mine as { run: { info: { runId: string } } }).run.info.runId],
          [`{ mlflowGetRun(input:{runId:"${own}"}){run{...F}} } fragment F on MlflowRunExtension { info { runId } }`, (d) => (d.mlflowGetRun as { run: { info: { runId: string } } }).run.info.runId],
          [`{ mlflowGetRun(input:{runId:"${own}"}){run{... on MlflowRunExtension { info { runId } }}} }`, (d) => (d.mlflowGetRun as { run: { info: { runId: string } } }).run.info.runId],
          [`{ ...F } fragment F on Query { mlflowGetRun(input:{runId:"${own}"}){run{info{runId}}} }`, (d) => (d.mlflowGetRun as { run: { info: { runId: string } } }).run.info.runId],
        ];
        for (const [query, pick] of queries) {
          for (const [how, answer] of await graphqlBoth(w, "intruder", query)) {
            expect(pick(graphqlData(answer, `${how} ${query}`)), `${how} ${query}`).toBe(own);
          }
        }
      });

      it.skipIf(dialect !== "mysql")("5. MariaDB names, auth tables in the same MariaDB database: case and trailing-space spellings of a denied model (MariaDB only: SQLite and PostgreSQL compare names exactly)", async () => {
        await expectModelDenied(w);
      });

      describe("6. artifact paths whose first segment is not an experiment id (mlflow-artifacts:/team-a/private)", () => {
        let experimentId: string;
        let runId: string;
        let file: string;
        beforeAll(async () => {
          const owner = w.server.as("owner", OWNER_PASSWORD);
          experimentId = await owner.createExperiment(`${SECRET}team-a-experiment`, { artifactLocation: "mlflow-artifacts:/team-a/private" });
          runId = (await owner.createRun(experimentId)).info.run_id;
          file = `team-a/private/${runId}/artifacts/s.txt`;
          // Planted by the admin, so the file is there whatever the owner's own upload gets today.
          await w.server.adminTracking.artifacts.upload(file, `${SECRET}team-a-file`);
          if (mode !== "NO_PERMISSIONS default") await w.server.admin.createExperimentPermission(experimentId, "intruder", "NO_PERMISSIONS");
        });

        it("6. the intruder cannot download a file of the owner's experiment below team-a/private", async () => {
          for (const path of [`/api/2.0/mlflow-artifacts/artifacts/${file}`, `/ajax-api/2.0/mlflow-artifacts/artifacts/${file}`]) {
            const answer = await w.call("intruder", "GET", path);
            noLeak(answer, `GET ${path}`);
            expect(answer.status, `GET ${path}: ${excerpt(answer)}`).toBe(403);
          }
          const ui = await w.call("intruder", "GET", "/get-artifact", { query: { run_id: runId, path: "s.txt" } });
          noLeak(ui, "GET /get-artifact");
        });

        it("6. the intruder's listings of the root and of team-a do not name team-a, private or the run", async () => {
          const listings: [string, Send][] = [
            ["the root (no path)", {}],
            ["path=team-a", { query: { path: "team-a" } }],
            ["path=team-a/private", { query: { path: "team-a/private" } }],
            [`path=team-a/private/${runId}/artifacts`, { query: { path: `team-a/private/${runId}/artifacts` } }],
          ];
          for (const [what, send] of listings) {
            const answer = await w.call("intruder", "GET", "/api/2.0/mlflow-artifacts/artifacts", send);
            noLeak(answer, `listing ${what}`);
            if (answer.status === 403) continue;
            expect(answer.status, `listing ${what}: ${excerpt(answer)}`).toBe(200);
            const names = ((answer.json?.files as { path: string }[] | undefined) ?? []).map((f) => f.path);
            for (const hidden of ["team-a", "private", runId, "s.txt"]) {
              expect(names.some((n) => n.split("/").includes(hidden)), `listing ${what} names '${hidden}': ${JSON.stringify(names)}`).toBe(false);
            }
          }
        });

        it("6. positive control: the owner (not an admin) uploads and reads their own file there", async () => {
          const path = `/api/2.0/mlflow-artifacts/artifacts/team-a/private/${runId}/artifacts/mine.txt`;
          const put = await w.call("owner", "PUT", path, { body: "owner's own words", headers: { "Content-Type": "text/plain" } });
          expect(put.status, `the owner's PUT ${path}: ${excerpt(put)}`).toBe(200);
          const got = await w.call("owner", "GET", path);
          expect(got.status, `the owner's GET ${path}: ${excerpt(got)}`).toBe(200);
          expect(got.text).toBe("owner's own words");
          const admins = await w.call("owner", "GET", `/api/2.0/mlflow-artifacts/artifacts/${file}`);
          expect(admins.status, `the owner's GET of the file in their run: ${excerpt(admins)}`).toBe(200);
          expect(admins.text).toBe(`${SECRET}team-a-file`);
        });
      });

      it("7. experiments/create refuses an artifact_location inside another experiment's tree", async () => {
        const owned = await w.call("admin", "GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: w.owner.experimentId } });
        const ownerLocation = (owned.json?.experiment as { artifact_location: string }).artifact_location;
        const locations = [
          `mlflow-artifacts:/${w.owner.experimentId}/${w.owner.runId}/artifacts`,
          `mlflow-artifacts:/${w.owner.experimentId}/${w.owner.runId}/artifacts/sub`,
          `mlflow-artifacts:/${w.owner.experimentId}`,
          ownerLocation,
        ];
        for (const [i, location] of locations.entries()) {
          const name = `planted-${i}`;
          const created = await w.call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name, artifact_location: location } });
          const what = `experiments/create artifact_location=${location}`;
          noLeak(created, what);
          expect([400, 403].includes(created.status), `${what}: expected 400 INVALID_PARAMETER_VALUE or 403, got ${excerpt(created)}`).toBe(true);
          if (created.status === 400) expect(created.json?.error_code, what).toBe("INVALID_PARAMETER_VALUE");
          const found = await w.call("admin", "GET", "/api/2.0/mlflow/experiments/get-by-name", { query: { experiment_name: name } });
          expect(found.status, `${what}: the experiment was created anyway: ${excerpt(found)}`).toBe(404);
        }
      });
    });
  }
}

// MLflow's basic_auth.ini keeps users and grants in SQLite (`database_uri = sqlite:///basic_auth.db`)
// whatever the tracking store is: grants are then matched exactly while MariaDB finds the model
// by any case or trailing spaces.
describe.skipIf(!MYSQL_URL)("issue 19, item 5: MariaDB names with the auth tables in SQLite (MLflow's default database_uri)", () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorldWith("READ default, explicit NO_PERMISSIONS", "mysql", { databaseUri: (dir) => `sqlite:///${dir}/basic_auth.db` });
  }, 60_000);
  afterAll(async () => w?.server.close());

  it("5. MariaDB names: OWNER-MODEL, 'owner-model ' and the file download are denied like 'owner-model' (explicit NO_PERMISSIONS, READ default)", async () => {
    await expectModelDenied(w);
  });
});

/** Whether starting failed because of the static prefix: the error names it (`/static`, not just `/static-files`). */
function refusedForPrefix(error: unknown, prefix: string): boolean {
  return new RegExp(`${prefix}(?![\\w-])`).test(String((error as Error)?.message ?? error));
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`issue 19, item 3: a static prefix starting with /static opens nothing (${dialect})`, () => {
    const started: AuthServer[] = [];
    afterAll(async () => {
      for (const s of started) await s.close();
    });

    const promote = (server: AuthServer, path: string) =>
      rawRequest(server.url, "PATCH", path, { body: { username: "intruder", is_admin: true } });

    async function intruderIsAdmin(server: AuthServer): Promise<boolean> {
      return (await server.admin.getUser("intruder")).is_admin;
    }

    for (const prefix of ["/static-mlflow", "/staticfoo", "/static"]) {
      it(`3. --static-prefix ${prefix}: an unauthenticated update-admin is 401 (or the server refuses the prefix)`, async () => {
        let server: AuthServer;
        try {
          server = await startAuthServer({ dialect, config: { staticPrefix: prefix }, ini: { default_permission: "NO_PERMISSIONS" } });
        } catch (error) {
          // Refusing a prefix that overlaps the server's own /static… paths is a fix too, if it says why.
          expect(refusedForPrefix(error, prefix), `the server did not start with prefix ${prefix}, and its error does not name the prefix: ${String(error)}`).toBe(true);
          return;
        }
        started.push(server);
        await server.admin.createUser("intruder", "intruder-password-123");
        for (const path of [`${prefix}/ajax-api/2.0/mlflow/users/update-admin`, "/api/2.0/mlflow/users/update-admin"]) {
          const answer = await promote(server, path);
          expect(answer.status, `PATCH ${path} without credentials: ${excerpt(answer)}`).toBe(401);
        }
        const list = await rawRequest(server.url, "GET", `${prefix}/ajax-api/2.0/mlflow/users/list`);
        expect(list.status, `GET ${prefix}/ajax-api/2.0/mlflow/users/list without credentials: ${excerpt(list)}`).toBe(401);
        const search = await rawRequest(server.url, "GET", `${prefix}/ajax-api/2.0/mlflow/experiments/search`, { query: { max_results: "10" } });
        expect(search.status, `GET ${prefix}/ajax-api/2.0/mlflow/experiments/search without credentials: ${excerpt(search)}`).toBe(401);
        expect(await intruderIsAdmin(server), `the intruder became admin through ${prefix}`).toBe(false);
      });
    }

    it("3. without a prefix, /static…-looking paths open no API route", async () => {
      const server = await startAuthServer({ dialect, ini: { default_permission: "NO_PERMISSIONS" } });
      started.push(server);
      await server.admin.createUser("intruder", "intruder-password-123");
      for (const path of [
        "/staticfoo/ajax-api/2.0/mlflow/users/update-admin",
        "/static/ajax-api/2.0/mlflow/users/update-admin",
        "/static-mlflow/ajax-api/2.0/mlflow/users/update-admin",
        "/static/../ajax-api/2.0/mlflow/users/update-admin",
        "/static-files/../ajax-api/2.0/mlflow/users/update-admin",
        "/static%2f..%2fajax-api/2.0/mlflow/users/update-admin",
      ]) {
        const answer = await promote(server, path);
        expect(answer.status >= 200 && answer.status < 300, `PATCH ${path} without credentials: ${excerpt(answer)}`).toBe(false);
        expect(answer.status, `PATCH ${path}: ${excerpt(answer)}`).toBeLessThan(500);
      }
      expect(await intruderIsAdmin(server), "the intruder became admin through a /static… path").toBe(false);
    });
  });
}

describe("issue 19, item 3, through the published entry point (bin/mlflow.js, SQLite)", () => {
  let dir: string;
  const running: SpawnedServer[] = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-issue19-"));
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const prefix of ["/static", "/static-mlflow"]) {
    it(`3. mlflow server --app-name basic-auth --static-prefix ${prefix}: refuses to start naming the prefix, or answers 401 without credentials`, async () => {
      const here = fs.mkdtempSync(path.join(dir, "server-"));
      const ini = path.join(here, "basic_auth.ini");
      fs.writeFileSync(ini, `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(here, "auth.db")}\nadmin_username = admin\n`);
      let server: SpawnedServer;
      try {
        server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(here, "mlflow.db")}`, "--app-name", "basic-auth", "--static-prefix", prefix], {
          cwd: here,
          env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123" },
        });
      } catch (error) {
        expect(refusedForPrefix(error, prefix), `the server did not start with --static-prefix ${prefix}, and its error does not name the prefix: ${String(error).slice(0, 600)}`).toBe(true);
        return;
      }
      running.push(server);
      const admin = new AuthServiceClient(server.url, { username: "admin", password: "admin-password-123" });
      await admin.createUser("intruder", "intruder-password-123");
      const answer = await rawRequest(server.url, "PATCH", `${prefix}/ajax-api/2.0/mlflow/users/update-admin`, { body: { username: "intruder", is_admin: true } });
      expect(answer.status, `PATCH ${prefix}/ajax-api/2.0/mlflow/users/update-admin without credentials: ${excerpt(answer)}`).toBe(401);
      expect((await admin.getUser("intruder")).is_admin, `the intruder became admin through ${prefix}`).toBe(false);
    });
  }
});

/** Sends the head of a request and a few body bytes of a much longer declared body; resolves with the status and when it came. */
function headOnly(url: string, path: string, declaredLength: number, waitMs: number): Promise<{ status: number | undefined; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let received = "";
    const done = (status: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\n\r\n{"experiment_ids": ["`);
    });
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      const line = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (line) done(Number(line[1]));
    });
    socket.on("error", () => done(undefined));
  });
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`issue 19, items 8–10: denial of service and 5xx on client input (${dialect})`, () => {
    let server: AuthServer;
    let experimentId: string;
    let runId: string;
    const auth = `Basic ${Buffer.from("intruder:intruder-password-123").toString("base64")}`;
    const call = (method: string, path: string, send: Send = {}) => rawRequest(server.url, method, path, { ...send, headers: { Authorization: auth, ...send.headers } });
    beforeAll(async () => {
      server = await startAuthServer({ dialect, ini: { default_permission: "NO_PERMISSIONS" } });
      await server.admin.createUser("intruder", "intruder-password-123");
      const client = server.as("intruder", "intruder-password-123");
      experimentId = await client.createExperiment("dos-experiment");
      runId = (await client.createRun(experimentId)).info.run_id;
      await client.logParam(runId, "p", "v");
    }, 60_000);
    afterAll(async () => server?.close());

    /** Sends a JSON body as the user, timed; never waits longer than `limitMs` (fetch, aborted). */
    async function timedPost(path: string, body: string, limitMs: number): Promise<{ answer: Answer; ms: number }> {
      const started = Date.now();
      try {
        const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { Authorization: auth, "Content-Type": "application/json" }, body, signal: AbortSignal.timeout(limitMs) });
        const text = await response.text();
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        return { answer: { status: response.status, text, json }, ms: Date.now() - started };
      } catch (error) {
        return { answer: { status: 0, text: `no answer within ${limitMs} ms (${(error as Error).name})`, json: undefined }, ms: Date.now() - started };
      }
    }

    it("8. an unauthenticated POST declaring a 15 MiB body is answered 401 before the body is sent", async () => {
      for (const path of ["/api/2.0/mlflow/runs/search", "/ajax-api/2.0/mlflow/experiments/create", "/graphql"]) {
        const { status, ms } = await headOnly(server.url, path, 15 * 1024 * 1024, 3000);
        expect(status, `POST ${path} with Content-Length 15 MiB and no credentials: no answer within 3 s while the body is withheld — the body is read before authentication`).toBe(401);
        expect(ms, `POST ${path}: the 401 took ${ms} ms`).toBeLessThan(2000);
      }
    });

    it("9. a signed-in user's 10 MB filter is refused quickly (400 INVALID_PARAMETER_VALUE), four at once, the event loop stays free", async () => {
      const filter = `params.p = '${"a".repeat(10 * 1024 * 1024)}'`;
      const body = JSON.stringify({ experiment_ids: [experimentId], filter });
      const single = await timedPost("/api/2.0/mlflow/runs/search", body, 15_000);
      expect(single.answer.status, `runs/search with a 10 MB filter: ${excerpt(single.answer)} after ${single.ms} ms`).toBe(400);
      expect(single.answer.json?.error_code, `runs/search with a 10 MB filter: ${excerpt(single.answer)}`).toBe("INVALID_PARAMETER_VALUE");
      expect(single.ms, `runs/search with a 10 MB filter took ${single.ms} ms`).toBeLessThan(3000);

      const clauses = JSON.stringify({ experiment_ids: [experimentId], filter: Array.from({ length: 500_000 }, (_, i) => `params.p${i % 10} = 'x'`).join(" and ") });
      const started = Date.now();
      const calls = [body, clauses, body, clauses].map((b) => timedPost("/api/2.0/mlflow/runs/search", b, 20_000));
      // While they run, a tiny request: answered at once when the big ones are refused early.
      await new Promise((r) => setTimeout(r, 300));
      const probeStart = Date.now();
      const probe = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.status).catch(() => 0);
      const probeMs = Date.now() - probeStart;
      for (const { answer, ms } of await Promise.all(calls)) {
        expect(answer.status, `one of four concurrent 10 MB filters: ${excerpt(answer)} after ${ms} ms`).toBe(400);
        expect(answer.json?.error_code).toBe("INVALID_PARAMETER_VALUE");
      }
      const total = Date.now() - started;
      expect(probe, "GET /health during the four searches").toBe(200);
      expect(probeMs, `GET /health waited ${probeMs} ms behind four 10 MB filters: the event loop was blocked`).toBeLessThan(2000);
      expect(total, `four concurrent 10 MB filters kept the server busy ${total} ms`).toBeLessThan(5000);
    });

    it("9. a 100 KB filter is refused with 400 INVALID_PARAMETER_VALUE", async () => {
      const filter = `params.p = '${"a".repeat(100 * 1024)}'`;
      const runs = await timedPost("/api/2.0/mlflow/runs/search", JSON.stringify({ experiment_ids: [experimentId], filter }), 30_000);
      clientError(runs.answer, "runs/search with a 100 KB filter");
      expect(runs.answer.json?.error_code).toBe("INVALID_PARAMETER_VALUE");
      const experiments = await timedPost("/api/2.0/mlflow/experiments/search", JSON.stringify({ filter: `name = '${"a".repeat(100 * 1024)}'` }), 30_000);
      clientError(experiments.answer, "experiments/search with a 100 KB filter");
      expect(experiments.answer.json?.error_code).toBe("INVALID_PARAMETER_VALUE");
    });

    it("10. a LIKE pattern of 60,000 characters is a 4xx JSON answer on every search, never a 5xx", async () => {
      const pattern = `%${"a".repeat(60_000)}%`;
      const cases: [string, Record<string, unknown>][] = [
        ["/api/2.0/mlflow/runs/search", { experiment_ids: [experimentId], filter: `params.p LIKE '${pattern}'` }],
        ["/api/2.0/mlflow/runs/search", { experiment_ids: [experimentId], filter: `params.p ILIKE '${pattern}'` }],
        ["/api/2.0/mlflow/runs/search", { experiment_ids: [experimentId], filter: `attributes.run_name LIKE '${pattern}'` }],
        ["/api/2.0/mlflow/experiments/search", { filter: `name LIKE '${pattern}'` }],
        ["/api/2.0/mlflow/experiments/search", { filter: `name ILIKE '${pattern}'` }],
        ["/api/2.0/mlflow/logged-models/search", { experiment_ids: [experimentId], filter: `name LIKE '${pattern}'` }],
      ];
      for (const [path, body] of cases) {
        expect(JSON.stringify(body).length).toBeLessThan(64 * 1024);
        const answer = await call("POST", path, { body });
        clientError(answer, `POST ${path} ${String(body.filter).slice(0, 30)}…`, [400]);
      }
      const models = await call("GET", "/api/2.0/mlflow/registered-models/search", { query: { filter: `name LIKE '${"%" + "a".repeat(12_000) + "%"}'` } });
      expect(models.status, `registered-models/search with a 12,000-character LIKE (URL-sized): ${excerpt(models)}`).toBeLessThan(500);
    });

    it("10. an artifact path of ~4,000 characters (a/a/…) is a 4xx on PUT and on upload-artifact, never a 5xx", async () => {
      const deep = `${"a/".repeat(2000)}f.txt`;
      const put = await call("PUT", `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${deep}`, { body: "x", headers: { "Content-Type": "text/plain" } });
      expect.soft(put.status >= 400 && put.status < 500, `PUT mlflow-artifacts with a ${deep.length}-character path: ${excerpt(put)}`).toBe(true);
      const upload = await call("POST", "/ajax-api/2.0/mlflow/upload-artifact", { query: { run_uuid: runId, path: deep }, body: "x", headers: { "Content-Type": "text/plain" } });
      expect.soft(upload.status >= 400 && upload.status < 500, `POST upload-artifact with a ${deep.length}-character path: ${excerpt(upload)}`).toBe(true);
    });

    it("10. runs/create with a 300-character user_id is 400 and stores nothing", async () => {
      const before = await call("POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: [experimentId] } });
      const created = await call("POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: experimentId, user_id: "u".repeat(300) } });
      clientError(created, "runs/create user_id of 300 characters");
      const after = await call("POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: [experimentId] } });
      expect(((after.json?.runs as unknown[]) ?? []).length, "runs/create user_id of 300 characters stored a run").toBe(((before.json?.runs as unknown[]) ?? []).length);
    });

    it("10. registered-models/create with a 6,000-character description is 400 and stores nothing", async () => {
      const created = await call("POST", "/api/2.0/mlflow/registered-models/create", { body: { name: "long-description", description: "d".repeat(6000) } });
      clientError(created, "registered-models/create description of 6,000 characters");
      const found = await call("GET", "/api/2.0/mlflow/registered-models/get", { query: { name: "long-description" } });
      expect([403, 404].includes(found.status), `registered-models/create description of 6,000 characters stored the model: ${excerpt(found)}`).toBe(true);
    });

    it("10. logged-models create with a 600-character name or model_type is 400 and stores nothing", async () => {
      for (const field of ["name", "model_type"]) {
        const created = await call("POST", "/api/2.0/mlflow/logged-models", { body: { experiment_id: experimentId, [field]: "m".repeat(600) } });
        clientError(created, `logged-models create ${field} of 600 characters`);
      }
      const search = await call("POST", "/api/2.0/mlflow/logged-models/search", { body: { experiment_ids: [experimentId] } });
      expect(search.status).toBe(200);
      expect(((search.json?.models as unknown[]) ?? []).length, `logged-models create with 600 characters stored a model: ${excerpt(search)}`).toBe(0);
    });
  });
}
