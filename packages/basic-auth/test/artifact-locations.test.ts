import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { SECRET, createWorld, type Answer, type Send, type World } from "./owner-and-intruder.js";

// Issue 19's proof for the artifact proxy, location shape by location shape. A proxied artifact
// path belongs to the experiment (or run, or logged model) whose artifact location contains it,
// the longest first; a path inside none is the admin's alone. For every shape an experiment's
// location can take below the proxied root — the default `mlflow-artifacts:/<id>`, a named one
// (`mlflow-artifacts:/team-a/private`), the `mlflow-artifacts://host:port/…` and
// `http://…/api/2.0/mlflow-artifacts/artifacts/…` spellings — the owner (not an admin) uploads,
// lists, downloads and deletes through every route that reaches the files (the proxy's PUT, GET,
// DELETE and listing; the run's listing; /get-artifact; the UI's upload-artifact; a logged model's
// directories and files), and the intruder gets 403 or 404 on every one of them, in both
// permission set-ups; listings of the root and of every prefix of the owner's directories never
// name what is inside. Locations reaching into another experiment's tree (a subtree of it, the
// root itself, a numeric first segment where the server puts experiment <n>) are refused with
// 400 and create nothing; a location nested in another's is refused, or the longest one decides.

const MODES: World["mode"][] = ["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"];
const FORBIDDEN = [403, 404];

const excerpt = (a: Answer) => `HTTP ${a.status}: ${a.text.slice(0, 300)}`;
const text = (body: string): Send => ({ body, headers: { "Content-Type": "text/plain" } });
const proxied = (relative: string) => `/api/2.0/mlflow-artifacts/artifacts/${relative}`;

/**
 * A proxied URI's path below the artifact root, worked out here rather than with the server's
 * own function: `mlflow-artifacts:/p`, `mlflow-artifacts://host:port/p`, `http://…/api/2.0/mlflow-artifacts/artifacts/p`.
 */
function relativeOf(uri: string): string {
  const anchor = "/api/2.0/mlflow-artifacts/artifacts/";
  if (uri.startsWith("http")) return uri.slice(uri.indexOf(anchor) + anchor.length);
  const rest = uri.slice("mlflow-artifacts:".length);
  const path = rest.startsWith("//") ? rest.slice(rest.indexOf("/", 2)) : rest;
  return path.replace(/^\/+/, "");
}

/** Every proper prefix of a path ("" first): the directories a listing could name it from. */
function prefixes(relative: string): string[] {
  const segments = relative.split("/");
  return segments.map((_, i) => segments.slice(0, i).join("/"));
}

/** A location shape the owner's experiment is created with (undefined: the server's default). */
interface Shape {
  readonly name: string;
  readonly location: (port: string) => string | undefined;
  /** The location the experiment must end up with. */
  readonly expected: (port: string, experimentId: string) => string;
}

const SHAPES: readonly Shape[] = [
  { name: "default numeric", location: () => undefined, expected: (_p, id) => `mlflow-artifacts:/${id}` },
  { name: "named", location: () => "mlflow-artifacts:/team-a/private", expected: () => "mlflow-artifacts:/team-a/private" },
  { name: "mlflow-artifacts://host:port/path", location: (p) => `mlflow-artifacts://127.0.0.1:${p}/team-b/hosted`, expected: (p) => `mlflow-artifacts://127.0.0.1:${p}/team-b/hosted` },
  {
    name: "http://…/api/2.0/mlflow-artifacts/artifacts/path",
    location: (p) => `http://127.0.0.1:${p}/api/2.0/mlflow-artifacts/artifacts/team-c/over-http`,
    expected: (p) => `http://127.0.0.1:${p}/api/2.0/mlflow-artifacts/artifacts/team-c/over-http`,
  },
];

/** An owner's experiment of one shape, with a run and a logged model, and where their files live. */
interface Placed {
  readonly shape: string;
  readonly experimentId: string;
  readonly location: string;
  readonly runId: string;
  /** The run's artifact directory below the proxied root. */
  readonly runDir: string;
  readonly modelId: string;
  readonly modelDir: string;
}

/** What the owner's files are called: what a listing must never show the intruder. */
const FILES = { put: `${SECRET}put.txt`, ui: `${SECRET}ui.txt`, model: `${SECRET}model.txt` };

for (const { dialect, skip } of DIALECTS) {
  for (const mode of MODES) {
    describe.skipIf(skip)(`artifact locations: who owns a proxied path (${dialect}, ${mode})`, () => {
      let w: World;
      let port: string;
      const placed: Placed[] = [];

      /** The owner creates an experiment of a shape (as a non-admin), with a run and a logged model. */
      async function place(shape: Shape, name: string): Promise<Placed> {
        const location = shape.location(port);
        const created = await w.call("owner", "POST", "/api/2.0/mlflow/experiments/create", { body: { name, ...(location ? { artifact_location: location } : {}) } });
        expect(created.status, `the owner creates an experiment (${shape.name}) ${location ?? ""}: ${excerpt(created)}`).toBe(200);
        const experimentId = String(created.json?.experiment_id);
        const got = await w.call("owner", "GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: experimentId } });
        const stored = (got.json?.experiment as { artifact_location: string } | undefined)?.artifact_location;
        expect(stored, `the ${shape.name} experiment's location: ${excerpt(got)}`).toBe(shape.expected(port, experimentId));
        const run = await w.call("owner", "POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: experimentId } });
        expect(run.status, excerpt(run)).toBe(200);
        const info = (run.json?.run as { info: { run_id: string; artifact_uri: string } }).info;
        const model = await w.call("owner", "POST", "/api/2.0/mlflow/logged-models", { body: { experiment_id: experimentId, name: "owner-logged-model" } });
        expect(model.status, `the owner creates a logged model in the ${shape.name} experiment: ${excerpt(model)}`).toBe(200);
        const modelInfo = (model.json?.model as { info: { model_id: string; artifact_uri: string } }).info;
        if (mode !== "NO_PERMISSIONS default") await w.server.admin.createExperimentPermission(experimentId, "intruder", "NO_PERMISSIONS");
        return {
          shape: shape.name,
          experimentId,
          location: stored!,
          runId: info.run_id,
          runDir: relativeOf(info.artifact_uri),
          modelId: modelInfo.model_id,
          modelDir: relativeOf(modelInfo.artifact_uri),
        };
      }

      /** What the admin sees at a path (status and body). */
      const adminReads = async (relative: string) => {
        const a = await w.call("admin", "GET", proxied(relative));
        return `${a.status} ${a.text}`;
      };

      beforeAll(async () => {
        w = await createWorld(mode, dialect);
        port = new URL(w.server.url).port;
        for (const [i, shape] of SHAPES.entries()) placed.push(await place(shape, `${SECRET}shape-${i}`));
      }, 60_000);
      afterAll(async () => w?.server.close());

      it("the owner (not an admin) uploads, lists, downloads and deletes through every route, on every shape", async () => {
        const failures: string[] = [];
        const want = (ok: boolean, what: string, a: Answer) => {
          if (!ok) failures.push(`${what}: ${excerpt(a)}`);
        };
        for (const p of placed) {
          const at = `[${p.shape}, ${p.location}]`;
          const put = await w.call("owner", "PUT", proxied(`${p.runDir}/${FILES.put}`), text(`${SECRET}put-${p.shape}`));
          want(put.status === 200, `${at} PUT ${proxied(`${p.runDir}/${FILES.put}`)}`, put);
          const ui = await w.call("owner", "POST", "/ajax-api/2.0/mlflow/upload-artifact", { query: { run_uuid: p.runId, path: FILES.ui }, ...text(`${SECRET}ui-${p.shape}`) });
          want(ui.status === 200, `${at} POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=${p.runId}&path=${FILES.ui}`, ui);
          const modelPut = await w.call("owner", "PUT", proxied(`${p.modelDir}/${FILES.model}`), text(`${SECRET}model-${p.shape}`));
          want(modelPut.status === 200, `${at} PUT ${proxied(`${p.modelDir}/${FILES.model}`)}`, modelPut);

          const listed = await w.call("owner", "GET", "/api/2.0/mlflow/artifacts/list", { query: { run_id: p.runId } });
          const names = ((listed.json?.files as { path: string }[] | undefined) ?? []).map((f) => f.path);
          want(listed.status === 200 && names.includes(FILES.put) && names.includes(FILES.ui), `${at} GET /api/2.0/mlflow/artifacts/list?run_id=${p.runId}`, listed);
          const proxyList = await w.call("owner", "GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: p.runDir } });
          want(proxyList.status === 200 && proxyList.text.includes(FILES.put) && proxyList.text.includes(FILES.ui), `${at} GET /api/2.0/mlflow-artifacts/artifacts?path=${p.runDir}`, proxyList);
          const viaUi = await w.call("owner", "GET", "/get-artifact", { query: { run_id: p.runId, path: FILES.ui } });
          want(viaUi.status === 200 && viaUi.text === `${SECRET}ui-${p.shape}`, `${at} GET /get-artifact?run_id=${p.runId}&path=${FILES.ui}`, viaUi);
          const viaProxy = await w.call("owner", "GET", proxied(`${p.runDir}/${FILES.put}`));
          want(viaProxy.status === 200 && viaProxy.text === `${SECRET}put-${p.shape}`, `${at} GET ${proxied(`${p.runDir}/${FILES.put}`)}`, viaProxy);
          const dirs = await w.call("owner", "GET", `/api/2.0/mlflow/logged-models/${p.modelId}/artifacts/directories`);
          want(dirs.status === 200 && dirs.text.includes(FILES.model), `${at} GET /api/2.0/mlflow/logged-models/${p.modelId}/artifacts/directories`, dirs);
          const file = await w.call("owner", "GET", `/ajax-api/2.0/mlflow/logged-models/${p.modelId}/artifacts/files`, { query: { artifact_file_path: FILES.model } });
          want(file.status === 200 && file.text === `${SECRET}model-${p.shape}`, `${at} GET /ajax-api/2.0/mlflow/logged-models/${p.modelId}/artifacts/files?artifact_file_path=${FILES.model}`, file);

          const doomed = `${p.runDir}/${SECRET}delete-me.txt`;
          const planted = await w.call("owner", "PUT", proxied(doomed), text("short-lived"));
          const deleted = await w.call("owner", "DELETE", proxied(doomed));
          want(planted.status === 200 && deleted.status === 200, `${at} PUT then DELETE ${proxied(doomed)} (PUT ${planted.status})`, deleted);
          const gone = await w.call("owner", "GET", proxied(doomed));
          want(gone.status === 404, `${at} GET ${proxied(doomed)} after the owner's DELETE`, gone);
        }
        expect(failures).toEqual([]);
      });

      it("the intruder gets 403 or 404 on every route to the owner's files, and changes nothing", async () => {
        const failures: string[] = [];
        let requests = 0;
        for (const p of placed) {
          const at = `[${p.shape}, ${p.location}]`;
          const before = await Promise.all([adminReads(`${p.runDir}/${FILES.put}`), adminReads(`${p.runDir}/${FILES.ui}`), adminReads(`${p.modelDir}/${FILES.model}`)]);
          const calls: [string, string, Send][] = [
            ["GET", proxied(`${p.runDir}/${FILES.put}`), {}],
            ["GET", `/ajax-api/2.0/mlflow-artifacts/artifacts/${p.runDir}/${FILES.ui}`, {}],
            ["GET", proxied(`${p.modelDir}/${FILES.model}`), {}],
            ["PUT", proxied(`${p.runDir}/${FILES.put}`), text("overwritten by the intruder")],
            ["PUT", proxied(`${p.runDir}/planted-by-intruder.txt`), text("planted")],
            ["PUT", proxied(`${p.modelDir}/planted-by-intruder.txt`), text("planted")],
            ["DELETE", proxied(`${p.runDir}/${FILES.put}`), {}],
            ["DELETE", proxied(p.runDir), {}],
            ["DELETE", proxied(`${p.modelDir}/${FILES.model}`), {}],
            ["GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: p.runDir } }],
            ["GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: p.modelDir } }],
            ["GET", "/api/2.0/mlflow/artifacts/list", { query: { run_id: p.runId } }],
            ["GET", "/ajax-api/2.0/mlflow/artifacts/list", { query: { run_id: p.runId } }],
            ["GET", "/get-artifact", { query: { run_id: p.runId, path: FILES.ui } }],
            ["POST", "/ajax-api/2.0/mlflow/upload-artifact", { query: { run_uuid: p.runId, path: "planted-ui.txt" }, ...text("planted") }],
            ["POST", "/ajax-api/2.0/mlflow/upload-artifact", { query: { run_uuid: p.runId, path: FILES.ui }, ...text("overwritten") }],
            ["GET", `/api/2.0/mlflow/logged-models/${p.modelId}/artifacts/directories`, {}],
            ["GET", `/ajax-api/2.0/mlflow/logged-models/${p.modelId}/artifacts/files`, { query: { artifact_file_path: FILES.model } }],
          ];
          const answers = await Promise.all(calls.map(([method, path, send]) => w.call("intruder", method, path, send)));
          requests += calls.length;
          for (const [i, [method, path, send]] of calls.entries()) {
            const a = answers[i]!;
            const what = `${at} the intruder's ${method} ${path}${send.query ? `?${new URLSearchParams(send.query as Record<string, string>)}` : ""}`;
            if (!FORBIDDEN.includes(a.status)) failures.push(`${what}: expected 403 or 404, got ${excerpt(a)}`);
            if (a.text.includes(SECRET)) failures.push(`${what}: the answer holds the owner's data — ${excerpt(a)}`);
          }
          const after = await Promise.all([adminReads(`${p.runDir}/${FILES.put}`), adminReads(`${p.runDir}/${FILES.ui}`), adminReads(`${p.modelDir}/${FILES.model}`)]);
          if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${at} the owner's files changed: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
          for (const plantedAt of [`${p.runDir}/planted-by-intruder.txt`, `${p.modelDir}/planted-by-intruder.txt`, `${p.runDir}/planted-ui.txt`]) {
            const seen = await adminReads(plantedAt);
            if (!seen.startsWith("404")) failures.push(`${at} the intruder's file is at ${plantedAt}: ${seen.slice(0, 200)}`);
          }
        }
        console.log(`artifact-locations (${dialect}, ${mode}): ${requests} intruder requests on ${placed.length} shapes`);
        expect(failures).toEqual([]);
      });

      it("listings of the root and of every prefix of the owner's directories are refused and never name what is inside", async () => {
        const failures: string[] = [];
        const checks: { path: string | undefined; hidden: string[]; at: string }[] = [{ path: undefined, hidden: [], at: "the root, no path" }];
        for (const p of placed) {
          for (const dir of [p.runDir, p.modelDir]) {
            const segments = dir.split("/");
            for (const [i, prefix] of prefixes(`${dir}/${FILES.put}`).entries()) {
              // What a listing of this prefix would name: the owner's next segment (and the files).
              checks.push({ path: prefix, hidden: [...segments.slice(i), FILES.put, FILES.ui, FILES.model], at: `[${p.shape}] prefix ${JSON.stringify(prefix)}` });
            }
          }
        }
        const everything = new Set(placed.flatMap((p) => [...p.runDir.split("/"), ...p.modelDir.split("/")]));
        for (const check of checks) {
          const hidden = check.path === undefined || check.path === "" ? [...everything, ...Object.values(FILES)] : check.hidden;
          for (const base of ["/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"]) {
            const a = await w.call("intruder", "GET", base, check.path === undefined ? {} : { query: { path: check.path } });
            const what = `the intruder's GET ${base}${check.path === undefined ? "" : `?path=${check.path}`} (${check.at})`;
            if (a.text.includes(SECRET)) failures.push(`${what}: the answer holds the owner's data — ${excerpt(a)}`);
            if (a.status >= 500) failures.push(`${what}: ${excerpt(a)}`);
            if (a.status === 403 || a.status === 404) continue;
            // A path inside no location is the admin's; one inside the owner's is the owner's.
            failures.push(`${what}: expected 403 (or 404), got ${excerpt(a)}`);
            if (a.status !== 200) continue;
            const names = ((a.json?.files as { path: string }[] | undefined) ?? []).flatMap((f) => f.path.split("/"));
            // The intruder's own experiments sit at the root too: only the owner's names count.
            const own = new Set([w.intruder.experimentId]);
            const shown = names.filter((n) => hidden.includes(n) && !own.has(n));
            if (shown.length > 0) failures.push(`${what}: names the owner's ${JSON.stringify(shown)} — ${excerpt(a)}`);
          }
        }
        expect(failures).toEqual([]);
      });

      it("locations reaching into another experiment's tree, the root, or a numeric first segment are refused with 400 and create nothing", async () => {
        const def = placed[0]!;
        const named = placed[1]!;
        const anchor = `http://127.0.0.1:${port}/api/2.0/mlflow-artifacts/artifacts`;
        const refused = [
          `mlflow-artifacts:/${def.experimentId}/${def.runId}/artifacts`,
          `mlflow-artifacts:/${def.experimentId}/${def.runId}/artifacts/sub`,
          `mlflow-artifacts:/${def.experimentId}`,
          `mlflow-artifacts://127.0.0.1:${port}/${def.experimentId}/${def.runId}/artifacts`,
          `mlflow-artifacts://other-host:1/${def.experimentId}/${def.runId}/artifacts`,
          `${anchor}/${def.experimentId}/${def.runId}/artifacts`,
          `mlflow-artifacts:/${named.runDir}`,
          `mlflow-artifacts:/${named.modelDir}`,
          named.location,
          `mlflow-artifacts:/${relativeOf(named.location)}/`,
          `mlflow-artifacts://127.0.0.1:${port}/${relativeOf(named.location)}`,
          `${anchor}/${relativeOf(named.location)}`,
          `mlflow-artifacts:/${placed[2]!.runDir}`,
          `mlflow-artifacts:/${placed[3]!.runDir}`,
          `mlflow-artifacts:/${w.owner.experimentId}/${w.owner.runId}/artifacts`,
          // The proxied root itself, in every spelling.
          "mlflow-artifacts:/",
          "mlflow-artifacts:",
          "mlflow-artifacts:///",
          `mlflow-artifacts://127.0.0.1:${port}/`,
          `mlflow-artifacts://127.0.0.1:${port}`,
          `${anchor}/`,
          // Where the server puts experiment <n>'s artifacts (mlflow-artifacts:/<n>).
          "mlflow-artifacts:/999/x",
          "mlflow-artifacts:/999",
          "mlflow-artifacts:/0999/x",
          `mlflow-artifacts://127.0.0.1:${port}/999/x`,
          `${anchor}/999/x`,
        ];
        const failures: string[] = [];
        for (const [i, location] of refused.entries()) {
          const name = `intruder-refused-${i}`;
          const a = await w.call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name, artifact_location: location } });
          const what = `the intruder's POST /api/2.0/mlflow/experiments/create artifact_location=${location}`;
          if (a.status !== 400 || a.json?.error_code !== "INVALID_PARAMETER_VALUE") failures.push(`${what}: expected 400 INVALID_PARAMETER_VALUE, got ${excerpt(a)}`);
          const found = await w.call("admin", "GET", "/api/2.0/mlflow/experiments/get-by-name", { query: { experiment_name: name } });
          if (found.status !== 404) failures.push(`${what}: the experiment was created anyway — ${excerpt(found)}`);
        }
        expect(failures).toEqual([]);
      });

      it("a location nested in the owner's, created by the intruder: refused with 400, or the longest location decides", async () => {
        const named = placed[1]!;
        const location = `${named.location}/deeper`;
        const a = await w.call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name: "intruder-deeper", artifact_location: location } });
        expect(a.text, excerpt(a)).not.toContain(SECRET);
        if (a.status === 400) {
          expect(a.json?.error_code, excerpt(a)).toBe("INVALID_PARAMETER_VALUE");
          const found = await w.call("admin", "GET", "/api/2.0/mlflow/experiments/get-by-name", { query: { experiment_name: "intruder-deeper" } });
          expect(found.status, `refused, but created anyway: ${excerpt(found)}`).toBe(404);
          return;
        }
        // Accepted: the intruder owns …/deeper and nothing else of the owner's.
        expect(a.status, `experiments/create artifact_location=${location}: ${excerpt(a)}`).toBe(200);
        const experimentId = String(a.json?.experiment_id);
        const run = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: experimentId } });
        const runId = (run.json?.run as { info: { run_id: string } }).info.run_id;
        const up = await w.call("intruder", "POST", "/ajax-api/2.0/mlflow/upload-artifact", { query: { run_uuid: runId, path: "mine.txt" }, ...text("mine") });
        expect(up.status, `the intruder's upload to their nested run: ${excerpt(up)}`).toBe(200);
        for (const [method, path] of [
          ["GET", proxied(`${named.runDir}/${FILES.put}`)],
          ["DELETE", proxied(`${named.runDir}/${FILES.put}`)],
          ["PUT", proxied(`${named.runDir}/planted.txt`)],
        ] as const) {
          const answer = await w.call("intruder", method, path, method === "PUT" ? text("planted") : {});
          expect(FORBIDDEN, `the intruder's ${method} ${path} (owner's location ${named.location}, the intruder's ${location}): ${excerpt(answer)}`).toContain(answer.status);
        }
      });

      it("a location whose segments climb (`..`, also encoded) is refused, or inert: nothing of the owner's is reached through it", async () => {
        const def = placed[0]!;
        const failures: string[] = [];
        for (const [i, location] of [`mlflow-artifacts:/team-z/../${def.experimentId}`, `mlflow-artifacts:/team-z/%2e%2e/${def.experimentId}`, `mlflow-artifacts:/team-z/./../${def.experimentId}`].entries()) {
          const name = `intruder-climb-${i}`;
          const a = await w.call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name, artifact_location: location } });
          const what = `the intruder's experiments/create artifact_location=${location}`;
          if (a.text.includes(SECRET) || a.status >= 500) failures.push(`${what}: ${excerpt(a)}`);
          if (a.status === 400) continue;
          if (a.status !== 200) {
            failures.push(`${what}: expected 400 or 200, got ${excerpt(a)}`);
            continue;
          }
          const run = await w.call("intruder", "POST", "/api/2.0/mlflow/runs/create", { body: { experiment_id: String(a.json?.experiment_id) } });
          const runId = (run.json?.run as { info: { run_id: string } } | undefined)?.info.run_id;
          if (!runId) continue;
          const before = await adminReads(`${def.runDir}/${FILES.put}`);
          for (const [method, path, send] of [
            ["GET", "/api/2.0/mlflow/artifacts/list", { query: { run_id: runId } }],
            ["GET", "/get-artifact", { query: { run_id: runId, path: `${def.runId}/artifacts/${FILES.put}` } }],
            ["POST", "/ajax-api/2.0/mlflow/upload-artifact", { query: { run_uuid: runId, path: "planted.txt" }, ...text("planted") }],
          ] as [string, string, Send][]) {
            const answer = await w.call("intruder", method, path, send);
            if (answer.text.includes(SECRET) || answer.status >= 500 || (answer.status >= 200 && answer.status < 300 && method === "POST")) {
              failures.push(`${what}, then ${method} ${path} ${JSON.stringify(send.query)}: ${excerpt(answer)}`);
            }
          }
          if ((await adminReads(`${def.runDir}/${FILES.put}`)) !== before) failures.push(`${what}: the owner's file changed`);
        }
        expect(failures).toEqual([]);
      });

      // Last: if it is not refused, the intruder's DELETE may remove the owner's files.
      it("a parent of the owner's location, claimed later by the intruder: refused with 400, or it reveals and removes nothing of the owner's", async () => {
        const owner = await place(
          { name: "named, parent claimed later", location: () => "mlflow-artifacts:/team-p/private", expected: () => "mlflow-artifacts:/team-p/private" },
          `${SECRET}parent-claimed`,
        );
        const file = `${owner.runDir}/${FILES.put}`;
        const put = await w.call("owner", "PUT", proxied(file), text(`${SECRET}parent-claimed-file`));
        expect(put.status, excerpt(put)).toBe(200);
        const location = "mlflow-artifacts:/team-p";
        const a = await w.call("intruder", "POST", "/api/2.0/mlflow/experiments/create", { body: { name: "intruder-parent", artifact_location: location } });
        expect(a.text, excerpt(a)).not.toContain(SECRET);
        if (a.status === 400) {
          expect(a.json?.error_code, excerpt(a)).toBe("INVALID_PARAMETER_VALUE");
          return;
        }
        expect(a.status, `experiments/create artifact_location=${location}: ${excerpt(a)}`).toBe(200);
        const failures: string[] = [];
        for (const base of ["/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"]) {
          const listing = await w.call("intruder", "GET", base, { query: { path: "team-p" } });
          const names = ((listing.json?.files as { path: string }[] | undefined) ?? []).flatMap((f) => f.path.split("/"));
          if (names.includes("private") || listing.text.includes(SECRET)) {
            failures.push(`the intruder's GET ${base}?path=team-p (the intruder's experiment has ${location}, the owner's ${owner.location}) names the owner's directory — ${excerpt(listing)}`);
          }
        }
        const overwrite = await w.call("intruder", "PUT", proxied(file), text("overwritten"));
        if (!FORBIDDEN.includes(overwrite.status)) failures.push(`the intruder's PUT ${proxied(file)}: ${excerpt(overwrite)}`);
        const del = await w.call("intruder", "DELETE", proxied("team-p/private"));
        if (!FORBIDDEN.includes(del.status)) failures.push(`the intruder's DELETE ${proxied("team-p/private")}: ${excerpt(del)}`);
        const before = await adminReads(file);
        const delParent = await w.call("intruder", "DELETE", proxied("team-p"));
        const after = await adminReads(file);
        if (after !== before) {
          failures.push(
            `the intruder's DELETE ${proxied("team-p")} (the intruder's experiment has ${location}, the owner's ${owner.location}) answered ${excerpt(delParent)} and removed the owner's ${file}: the admin now reads ${after.slice(0, 120)}`,
          );
        }
        expect(failures).toEqual([]);
      });
    });
  }
}
