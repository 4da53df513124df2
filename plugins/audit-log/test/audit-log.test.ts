import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../dist/app.js";
import { ADMIN, BOB, basic, startAudited, type AuditedServer } from "./support.js";

// Issue 22, item 4: `--app-name basic-auth,audit-log` on the real server (SQLite, real HTTP). Every
// write gets one line with the right fields, refused writes are lines too, reads are not; sign-ins
// and permission changes are lines; nothing secret reaches the file; the search endpoint is for
// admins only and filters and pages.

const NEW_BOB_PASSWORD = "bob-new-password-6789";
const SECRETS = {
  tagValue: "tag-value-0f3e9a",
  paramValue: "param-value-77c1d2",
  runTagValue: "run-tag-value-5b8e44",
  description: "model-description-a9d3",
  artifact: "artifact-content-c2f71e",
  metricValue: 0.918273645,
};

describe("audit-log with basic-auth", () => {
  let s: AuditedServer;
  let experimentId: string;
  let runId: string;
  let modelId: string;
  let entries: AuditEntry[];
  const requests = () => entries.filter((e) => e.kind === "request");

  beforeAll(async () => {
    s = await startAudited();
    const ok = async (method: string, p: string, body?: unknown, who: { username: string; password: string } | null = ADMIN) => {
      const r = await s.call(method, p, body, who);
      if (r.status !== 200) throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
      return r.json;
    };
    const now = Date.now();
    // Writes, as the admin.
    experimentId = (await ok("POST", "/api/2.0/mlflow/experiments/create", { name: "audit-exp" })).experiment_id as string;
    await ok("POST", "/api/2.0/mlflow/experiments/set-experiment-tag", { experiment_id: experimentId, key: "team", value: SECRETS.tagValue });
    runId = ((await ok("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experimentId, start_time: now })).run as { info: { run_id: string } }).info.run_id;
    await ok("POST", "/api/2.0/mlflow/runs/log-metric", { run_id: runId, key: "loss", value: SECRETS.metricValue, timestamp: now, step: 0 });
    await ok("POST", "/api/2.0/mlflow/runs/log-parameter", { run_id: runId, key: "lr", value: SECRETS.paramValue });
    await ok("POST", "/api/2.0/mlflow/runs/log-batch", { run_id: runId, metrics: [{ key: "acc", value: 0.5, timestamp: now, step: 1 }] });
    await ok("POST", "/api/2.0/mlflow/runs/set-tag", { run_id: runId, key: "note", value: SECRETS.runTagValue });
    await ok("POST", "/api/2.0/mlflow/registered-models/create", { name: "audit-model", description: SECRETS.description });
    await ok("POST", "/api/2.0/mlflow/model-versions/create", { name: "audit-model", source: `runs:/${runId}/model`, run_id: runId });
    await ok("POST", "/api/2.0/mlflow/registered-models/alias", { name: "audit-model", alias: "champion", version: "1" });
    await ok("DELETE", "/api/2.0/mlflow/registered-models/alias", { name: "audit-model", alias: "champion" });
    modelId = ((await ok("POST", "/api/2.0/mlflow/logged-models", { experiment_id: experimentId, name: "lm" })).model as { info: { model_id: string } }).info.model_id;
    await ok("DELETE", `/api/2.0/mlflow/logged-models/${modelId}`);
    const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes.txt`, { method: "PUT", headers: { authorization: basic(ADMIN) }, body: SECRETS.artifact });
    expect(put.status).toBe(200);
    await ok("POST", "/graphql", { query: 'mutation { testMutation(inputString: "x") { output } }' });
    await ok("POST", "/api/2.0/mlflow/runs/update", { run_id: runId, status: "FINISHED" });
    // Reads: none of these is a line.
    await ok("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`);
    await ok("POST", "/api/2.0/mlflow/experiments/search", { max_results: 10 });
    await ok("POST", "/api/2.0/mlflow/runs/search", { experiment_ids: [experimentId] });
    await ok("POST", "/api/2.0/mlflow/registered-models/get-latest-versions", { name: "audit-model" });
    await ok("POST", "/api/2.0/mlflow/logged-models/search", { experiment_ids: [experimentId] });
    await ok("POST", "/graphql", { query: '# a comment saying mutation\nquery Q { test(inputString: "mutation") { output } }' });
    await ok("GET", `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`);
    // Users and grants: permission changes.
    await ok("POST", "/api/2.0/mlflow/users/create", { username: BOB.username, password: BOB.password });
    await ok("POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: experimentId, username: "bob", permission: "READ" });
    await ok("PATCH", "/api/2.0/mlflow/experiments/permissions/update", { experiment_id: experimentId, username: "bob", permission: "EDIT" });
    await ok("POST", "/api/2.0/mlflow/registered-models/permissions/create", { name: "audit-model", username: "bob", permission: "READ" });
    // Bob: a sign-in, a write he may do, one he may not, one that fails.
    await ok("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experimentId }, BOB);
    expect((await s.call("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: experimentId }, BOB)).status).toBe(403);
    expect((await s.call("POST", "/api/2.0/mlflow/runs/create", { experiment_id: "999999" }, BOB)).status).toBe(403);
    expect((await s.call("POST", "/api/2.0/mlflow/experiments/create", { name: "audit-exp" })).status).toBe(400);
    // Refused before the body was read: anonymous, a wrong password, an unknown user.
    expect((await s.call("POST", "/api/2.0/mlflow/experiments/create", { name: "anon" }, null)).status).toBe(401);
    expect((await s.call("POST", "/api/2.0/mlflow/runs/log-metric", { run_id: runId, key: "x", value: 1, timestamp: now }, { username: "bob", password: "not-bobs-password" })).status).toBe(401);
    expect((await s.call("POST", "/api/2.0/mlflow/experiments/create", { name: "m" }, { username: "mallory", password: "mallory-password-1" })).status).toBe(401);
    // More permission changes.
    await ok("PATCH", "/api/2.0/mlflow/users/update-admin", { username: "bob", is_admin: true });
    await ok("PATCH", "/api/2.0/mlflow/users/update-admin", { username: "bob", is_admin: false });
    await ok("PATCH", "/api/2.0/mlflow/users/update-password", { username: "bob", password: NEW_BOB_PASSWORD });
    await ok("DELETE", "/api/2.0/mlflow/experiments/permissions/delete", { experiment_id: experimentId, username: "bob" });
    entries = await s.entries();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("writes one line per state-changing request, in order, with the endpoint pattern, the caller and the ids", () => {
    const mine = requests().filter((e) => e.user === "admin" && e.outcome === "success");
    expect(mine.map((e) => `${e.method} ${e.endpoint}`).slice(0, 16)).toEqual([
      "POST /api/2.0/mlflow/experiments/create",
      "POST /api/2.0/mlflow/experiments/set-experiment-tag",
      "POST /api/2.0/mlflow/runs/create",
      "POST /api/2.0/mlflow/runs/log-metric",
      "POST /api/2.0/mlflow/runs/log-parameter",
      "POST /api/2.0/mlflow/runs/log-batch",
      "POST /api/2.0/mlflow/runs/set-tag",
      "POST /api/2.0/mlflow/registered-models/create",
      "POST /api/2.0/mlflow/model-versions/create",
      "POST /api/2.0/mlflow/registered-models/alias",
      "DELETE /api/2.0/mlflow/registered-models/alias",
      "POST /api/2.0/mlflow/logged-models",
      "DELETE /api/2.0/mlflow/logged-models/:model_id",
      "PUT /api/2.0/mlflow-artifacts/artifacts/*path",
      "POST /graphql",
      "POST /api/2.0/mlflow/runs/update",
    ]);
    const metric = mine[3]!;
    expect(metric).toMatchObject({ kind: "request", user: "admin", method: "POST", path: "/api/2.0/mlflow/runs/log-metric", status: 200, outcome: "success", resource: { run_id: runId, key: "loss" } });
    expect(Date.parse(metric.time)).toBeGreaterThan(Date.now() - 120_000);
    expect(metric.ms).toBeGreaterThanOrEqual(0);
    expect(mine[0]!.resource).toEqual({ name: "audit-exp" });
    expect(mine[1]!.resource).toEqual({ experiment_id: experimentId, key: "team" });
    expect(mine[8]!.resource).toEqual({ name: "audit-model", run_id: runId });
    expect(mine[9]!.resource).toEqual({ name: "audit-model", version: "1", alias: "champion" });
    expect(mine[12]).toMatchObject({ path: `/api/2.0/mlflow/logged-models/${modelId}`, resource: { model_id: modelId } });
    expect(mine[13]!.resource).toEqual({ path: `${experimentId}/${runId}/artifacts/notes.txt` });
  });

  it("writes no line for reads: GETs, searches, batch reads, GraphQL queries", () => {
    const endpoints = requests().map((e) => e.endpoint ?? "");
    for (const read of ["/experiments/get", "/experiments/search", "/runs/search", "/get-latest-versions", "/logged-models/search", "/metrics/get-history", "/audit-log/search"]) {
      expect(endpoints.filter((e) => e.includes(read))).toEqual([]);
    }
    expect(requests().filter((e) => e.endpoint === "/graphql")).toHaveLength(1);
  });

  it("records refused and failed writes, with the caller when known and without when the request was refused before it was read", () => {
    const bobs = requests().filter((e) => e.user === "bob");
    expect(bobs.map((e) => [e.endpoint, e.status, e.outcome])).toEqual([
      ["/api/2.0/mlflow/runs/create", 200, "success"],
      ["/api/2.0/mlflow/experiments/delete", 403, "refused"],
      ["/api/2.0/mlflow/runs/create", 403, "refused"],
    ]);
    expect(bobs[2]!.resource).toEqual({ experiment_id: "999999" });
    expect(requests().find((e) => e.status === 400)).toMatchObject({ user: "admin", endpoint: "/api/2.0/mlflow/experiments/create", outcome: "error", resource: { name: "audit-exp" } });
    const anonymous = requests().filter((e) => e.user === null);
    expect(anonymous.map((e) => [e.endpoint, e.status, e.outcome])).toEqual([
      ["/api/2.0/mlflow/experiments/create", 401, "refused"],
      ["/api/2.0/mlflow/runs/log-metric", 401, "refused"],
      ["/api/2.0/mlflow/experiments/create", 401, "refused"],
    ]);
  });

  it("records sign-ins: each password checked (not each cached request) and each refusal with its reason", () => {
    const signIns = entries.filter((e) => e.kind === "sign-in");
    expect(signIns.map((e) => [e.user, e.outcome, e.auth, e.reason])).toEqual([
      ["admin", "success", "basic", undefined],
      ["bob", "success", "basic", undefined],
      ["bob", "refused", "basic", "wrong password"],
      ["mallory", "refused", "basic", "unknown user"],
    ]);
    expect(signIns[2]).toMatchObject({ method: "POST", endpoint: "/api/2.0/mlflow/runs/log-metric" });
  });

  it("records permission changes: who changed what, for whom", () => {
    const changes = entries.filter((e) => e.kind === "permission-change");
    expect(changes.map((e) => [e.user, e.action, e.subject, e.resource, e.permission])).toEqual([
      ["admin", "user-created", "bob", undefined, undefined],
      ["admin", "grant", "bob", { experiment_id: experimentId }, "READ"],
      ["admin", "grant-update", "bob", { experiment_id: experimentId }, "EDIT"],
      ["admin", "grant", "bob", { registered_model_name: "audit-model" }, "READ"],
      ["admin", "admin-granted", "bob", undefined, undefined],
      ["admin", "admin-revoked", "bob", undefined, undefined],
      ["admin", "password-changed", "bob", undefined, undefined],
      ["admin", "revoke", "bob", { experiment_id: experimentId }, undefined],
    ]);
    expect(changes.every((e) => e.outcome === "success")).toBe(true);
  });

  it("never writes a secret: no password, header, value, description or body", () => {
    const text = fs.readFileSync(s.file, "utf8");
    for (const secret of [ADMIN.password, BOB.password, NEW_BOB_PASSWORD, "not-bobs-password", "mallory-password-1", basic(ADMIN).slice(6), basic(BOB).slice(6), "Basic ", ...Object.values(SECRETS).map(String)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/"(value|password|description|authorization|cookie|token|tags|params|metrics)":/i);
  });

  it("serves the log to admins only: 403 for a user, 401 anonymous", async () => {
    expect((await s.call("GET", "/api/2.0/audit-log/search", undefined, { username: "bob", password: NEW_BOB_PASSWORD })).status).toBe(403);
    expect((await s.call("GET", "/ajax-api/2.0/audit-log/search", undefined, { username: "bob", password: NEW_BOB_PASSWORD })).status).toBe(403);
    expect((await s.call("GET", "/audit-log/ui.js", undefined, { username: "bob", password: NEW_BOB_PASSWORD })).status).toBe(403);
    expect((await s.call("GET", "/api/2.0/audit-log/search", undefined, null)).status).toBe(401);
    const page = await fetch(`${s.url}/audit-log/ui.js`, { headers: { authorization: basic(ADMIN) } });
    expect(page.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await page.text()).toContain("export function mount");
  });

  it("searches newest first, by user, kind, outcome, endpoint and time", async () => {
    const search = async (query: string) => {
      const r = await s.call("GET", `/api/2.0/audit-log/search?${query}`);
      expect(r.status, r.text).toBe(200);
      return r.json as { entries: AuditEntry[]; next_page_token?: string };
    };
    const all = (await search("max_results=1000")).entries;
    expect(all.length).toBeGreaterThanOrEqual(entries.length);
    // Newest first: the file's order reversed.
    expect(all.slice(all.length - entries.length)).toEqual([...entries].reverse());
    expect((await search("user=bob&max_results=1000")).entries.every((e) => e.user === "bob")).toBe(true);
    const refusedSignIns = (await search("kind=sign-in&outcome=refused")).entries;
    expect(refusedSignIns.map((e) => e.user)).toEqual(["mallory", "bob"]);
    const metrics = (await search("endpoint=LOG-METRIC")).entries;
    expect(metrics.map((e) => [e.kind, e.status])).toEqual([
      ["request", 401],
      ["sign-in", undefined],
      ["request", 200],
    ]);
    const middle = entries[Math.floor(entries.length / 2)]!.time;
    const since = (await search(`since=${encodeURIComponent(middle)}&max_results=1000`)).entries;
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.time >= middle)).toBe(true);
    const until = (await search(`until=${Date.parse(middle)}&max_results=1000`)).entries;
    expect(until.every((e) => e.time <= middle)).toBe(true);
    expect(since.length + until.length).toBeGreaterThanOrEqual(all.length);
  });

  it("pages with page_token until the end, each entry once", async () => {
    const seen: AuditEntry[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await s.call("GET", `/api/2.0/audit-log/search?max_results=7&kind=request${token ? `&page_token=${token}` : ""}`);
      expect(r.status).toBe(200);
      const page = r.json as { entries: AuditEntry[]; next_page_token?: string };
      expect(page.entries.length).toBeLessThanOrEqual(7);
      seen.push(...page.entries);
      token = page.next_page_token;
      pages += 1;
    } while (token && pages < 100);
    const whole = (await s.call("GET", "/api/2.0/audit-log/search?max_results=1000&kind=request")).json.entries as AuditEntry[];
    expect(seen).toEqual(whole);
    expect(pages).toBe(Math.ceil(whole.length / 7));
  });

  it("answers bad search parameters with MLflow's 400, never a 500", async () => {
    for (const query of ["max_results=0", "max_results=1001", "max_results=abc", "since=yesterday", "until=2026-13-45", "kind=bogus", "outcome=maybe", "page_token=not-a-token", `page_token=${Buffer.from('{"ino":-1}').toString("base64url")}`]) {
      const r = await s.call("GET", `/api/2.0/audit-log/search?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error_code, query).toBe("INVALID_PARAMETER_VALUE");
    }
  });

  it("records a write whose client hung up before the answer, with status 499", async () => {
    await s.call("POST", "/api/2.0/mlflow/users/create", { username: "carol", password: "carol-password-123" });
    // Carol's first request waits for her password check (scrypt, a credential-cache miss): the
    // client is gone long before the server could answer.
    const body = JSON.stringify({ name: "left-early" });
    const socket = net.connect(Number(new URL(s.url).port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(`POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${basic({ username: "carol", password: "carol-password-123" })}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), 5);
    await expect
      .poll(async () => (await s.entries()).filter((e) => e.kind === "request" && e.status === 499).map((e) => [e.endpoint, e.outcome]), { timeout: 10_000 })
      .toEqual([["/api/2.0/mlflow/experiments/create", "error"]]);
  });

  it("reports on /health?detail to admins", async () => {
    const health = (await s.call("GET", "/health?detail")).json as { checks: Record<string, { ok: boolean; app: string; detail: { target: string; written: number; dropped: number } }> };
    expect(health.checks["audit-log"]).toMatchObject({ ok: true, app: "audit-log", detail: { target: "file", dropped: 0 } });
    expect(health.checks["audit-log"]!.detail.written).toBeGreaterThanOrEqual(entries.length);
  });
});

describe("audit-log with basic-auth's custom authorization_function", () => {
  // Bearer tokens "<user>-token"; anything else is refused with a 401 the function makes itself.
  const MODULE = `export function authenticate(req) {
  const m = /^Bearer (\\w+)-token$/.exec(req.get("authorization") ?? "");
  return m ? { username: m[1], type: "bearer" } : new Response("no", { status: 401 });
}`;
  let s: AuditedServer;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-fn-"));
    fs.writeFileSync(path.join(dir, "tokens.mjs"), MODULE);
    s = await startAudited({ ini: `authorization_function = ${path.join(dir, "tokens.mjs")}:authenticate\n` });
  });
  afterAll(async () => {
    await s?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("records a sign-in once per credentials within the cache TTL, and each refusal of a request that carried credentials", async () => {
    const as = (authorization?: string) => fetch(`${s.url}/api/2.0/mlflow/experiments/search`, { method: "POST", headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) }, body: "{}" });
    for (let i = 0; i < 3; i += 1) expect((await as("Bearer admin-token")).status).toBe(200);
    expect((await as("Bearer forged")).status).toBe(401);
    expect((await as()).status).toBe(401); // anonymous: not a sign-in attempt
    expect((await as(basic({ username: "mallory", password: "guess" }))).status).toBe(401);
    // The search flushes the queue; the helper's own call signs in with Basic, which this function refuses.
    expect((await fetch(`${s.url}/api/2.0/audit-log/search?max_results=1`, { headers: { authorization: "Bearer admin-token" } })).status).toBe(200);
    const lines = fs.readFileSync(s.file, "utf8").split("\n").filter(Boolean);
    const signIns = lines.map((line) => JSON.parse(line) as AuditEntry).filter((e) => e.kind === "sign-in");
    expect(signIns.map((e) => [e.user, e.outcome, e.auth, e.reason])).toEqual([
      ["admin", "success", "custom", undefined],
      [null, "refused", "custom", `refused by ${path.join(dir, "tokens.mjs")}:authenticate (401)`],
      ["mallory", "refused", "custom", `refused by ${path.join(dir, "tokens.mjs")}:authenticate (401)`],
    ]);
    expect(JSON.stringify(signIns)).not.toContain("guess");
  });
});

describe("audit-log alone (no auth app), rotating small files", () => {
  let s: AuditedServer;
  beforeAll(async () => {
    s = await startAudited({ apps: "audit-log", env: { MLFLOW_AUDIT_LOG_MAX_BYTES: "2048", MLFLOW_AUDIT_LOG_KEEP: "2", MLFLOW_AUDIT_LOG_FLUSH_INTERVAL_MS: "5" } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("records callers as unknown, rotates by the settings, and searches across the rotated files", async () => {
    for (let i = 0; i < 40; i += 1) {
      expect((await s.call("POST", "/api/2.0/mlflow/experiments/create", { name: `e-${i}` }, null)).status).toBe(200);
    }
    const page = (await s.call("GET", "/api/2.0/audit-log/search?max_results=1000", undefined, null)).json as { entries: AuditEntry[] };
    const names = page.entries.map((e) => e.resource?.name);
    expect(names[0]).toBe("e-39");
    expect(names).toEqual(Array.from({ length: names.length }, (_, i) => `e-${39 - i}`));
    expect(page.entries.every((e) => e.user === null && e.outcome === "success")).toBe(true);
    const files = fs.readdirSync(s.dir).filter((f) => f.startsWith("audit.log")).sort();
    expect(files).toEqual(["audit.log", "audit.log.1", "audit.log.2"]);
    for (const f of files) expect(fs.statSync(`${s.dir}/${f}`).size).toBeLessThanOrEqual(2048);
    expect(names.length).toBeLessThan(40);
  });
});
