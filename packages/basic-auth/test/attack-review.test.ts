import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { OWNER_PASSWORD, SECRET, createWorld, type Answer, type World } from "./owner-and-intruder.js";

// Attack review of "authorization at the point of data access": each test is one way an outsider
// (the intruder: signed in, not an admin) reaches the owner's data or makes the server do
// unbounded work. A test passes when the attack is refused. Real server, real HTTP, every dialect.

const MODES: World["mode"][] = ["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"];
const excerpt = (a: Answer) => `HTTP ${a.status}: ${a.text.slice(0, 300)}`;

function noLeak(answer: Answer, what: string): void {
  expect.soft(answer.status, `${what}: a 5xx — ${excerpt(answer)}`).toBeLessThan(500);
  expect.soft(answer.text.includes(SECRET), `${what}: the answer holds the owner's data — ${excerpt(answer)}`).toBe(false);
}

/**
 * Registers `source` as a new version of the intruder's own model and downloads `path` from it
 * through the UI's `/model-versions/get-artifact` (which reads with the server's own stores).
 * Either step refused is a pass; a download holding the owner's data is a leak.
 */
async function registerThenDownload(w: World, model: string, source: string, path: string): Promise<void> {
  const created = await w.call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: model, source } });
  const what = `POST model-versions/create {name:${model}, source:${source}} (${excerpt(created)})`;
  noLeak(created, what);
  const version = (created.json?.model_version as { version?: string } | undefined)?.version;
  if (!version) return;
  const download = await w.call("intruder", "GET", "/model-versions/get-artifact", { query: { name: model, version, path } });
  noLeak(download, `${what}, then GET /model-versions/get-artifact?name=${model}&version=${version}&path=${path}`);
}

for (const { dialect, skip } of DIALECTS) {
  for (const mode of MODES) {
    describe.skipIf(skip)(`attack review (${dialect}, ${mode})`, () => {
      let w: World;
      beforeAll(async () => {
        w = await createWorld(mode, dialect);
      }, 60_000);

      // MariaDB: renaming onto a taken name is a 500 (MySQL's "would lead to a duplicate entry" from
      // the ON UPDATE CASCADE into model_versions is not recognised as a unique violation), and its
      // case-insensitive, PAD SPACE collation makes every spelling of another's name taken.
      it("renaming one's own model onto another's name is a 400 RESOURCE_ALREADY_EXISTS that changes nothing", async () => {
        const names = dialect === "mysql" ? [w.owner.model, w.owner.model.toUpperCase(), `${w.owner.model} `] : [w.owner.model];
        for (const newName of names) {
          const answer = await w.call("intruder", "POST", "/api/2.0/mlflow/registered-models/rename", { body: { name: w.intruder.model, new_name: newName } });
          const what = `POST registered-models/rename {name:${w.intruder.model}, new_name:${JSON.stringify(newName)}}`;
          noLeak(answer, what);
          expect.soft(answer.status, `${what} — ${excerpt(answer)}`).toBe(400);
          expect.soft(answer.json?.error_code, `${what} — ${excerpt(answer)}`).toBe("RESOURCE_ALREADY_EXISTS");
        }
        const mine = await w.call("intruder", "GET", "/api/2.0/mlflow/registered-models/get", { query: { name: w.intruder.model } });
        expect(mine.status, `the intruder's model after the refused renames — ${excerpt(mine)}`).toBe(200);
        const theirs = await w.call("owner", "GET", "/api/2.0/mlflow/registered-models/get", { query: { name: w.owner.model } });
        expect(theirs.status, `the owner's model after the refused renames — ${excerpt(theirs)}`).toBe(200);
      });

      // No cap on root fields or aliases: work grows with the document (and faster than linearly —
      // SQLite: 1,000 aliased reads 0.8 s, 4,000 4.4 s, 8,000 17 s, 20,000 230 s), so one 1.4 MB
      // request of a signed-in user keeps the server busy for minutes; the 16 MB body limit allows
      // ~230,000 aliases.
      it("a GraphQL document with 5,000 aliased store reads is refused, not run", async () => {
        const query = `{ ${Array.from({ length: 5_000 }, (_, i) => `a${i}: mlflowGetExperiment(input:{experimentId:"${w.intruder.experimentId}"}){experiment{name}}`).join(" ")} }`;
        const started = Date.now();
        const answer = await w.call("intruder", "POST", "/graphql", { body: { query } });
        const took = Date.now() - started;
        noLeak(answer, "5,000 aliases");
        expect.soft(answer.json?.data ?? null, `5,000 aliased mlflowGetExperiment were run (${took} ms) — ${excerpt(answer)}`).toBeNull();
      }, 180_000);
      afterAll(async () => w?.server.close());

      // CallerRegistry.source() reads `runs:/([^/]+)` — "<owner run>model" is no run, so the check
      // passes as "a run that does not exist holds nothing to read" — while the download route reads
      // `runs:/([0-9a-f]{32})/?(.*)`: the owner's run, sub-path "model".
      it("model-version source runs:/<owner run id><suffix> (no slash) is not downloadable through /model-versions/get-artifact", async () => {
        await registerThenDownload(w, w.intruder.model, `runs:/${w.owner.runId}model`, "MLmodel");
      });

      it("positive control: runs:/<owner run id>/model is refused at creation", async () => {
        const created = await w.call("intruder", "POST", "/api/2.0/mlflow/model-versions/create", { body: { name: w.intruder.model, source: `runs:/${w.owner.runId}/model` } });
        expect(created.status, excerpt(created)).toBe(403);
      });

      // The source check reads `models:/([^/@]+)` — the intruder's model "team" — while the store
      // copies `models:/([^/]+)/(\d+)` — the owner's "team@secret" version 1 — and the download
      // reads the copied storage location with the server's own stores.
      it("model-version source models:/<own model>@<rest>/<v> does not copy another's model '<own model>@<rest>'", async () => {
        const owner = w.server.as("owner", OWNER_PASSWORD);
        await owner.registry.createRegisteredModel("team@secret");
        await owner.registry.createModelVersion("team@secret", `runs:/${w.owner.runId}/model`, { runId: w.owner.runId });
        if (mode !== "NO_PERMISSIONS default") await w.server.admin.createRegisteredModelPermission("team@secret", "intruder", "NO_PERMISSIONS");
        const denied = await w.call("intruder", "GET", "/api/2.0/mlflow/model-versions/get", { query: { name: "team@secret", version: "1" } });
        expect(denied.status, `the intruder may not read team@secret — ${excerpt(denied)}`).toBe(403);
        const mine = await w.call("intruder", "POST", "/api/2.0/mlflow/registered-models/create", { body: { name: "team" } });
        expect(mine.status, excerpt(mine)).toBe(200);
        await registerThenDownload(w, "team", "models:/team@secret/1", "MLmodel");
        // The copy's storage location is the owner's: get-download-uri must not name it either.
        const uri = await w.call("intruder", "GET", "/api/2.0/mlflow/model-versions/get-download-uri", { query: { name: "team", version: "1" } });
        expect.soft(uri.text.includes(w.owner.runId), `get-download-uri of team/1 names the owner's run — ${excerpt(uri)}`).toBe(false);
      });

      // REST caps `experiment_ids` at MAX_IDS (1,000; search-datasets at 20); before the fix the
      // GraphQL twins took any length, and the database's own limit answered: SQLite "too many SQL variables", PostgreSQL's 16-bit parameter
      // count wrapping ("bind message has 4467 parameter formats but 0 parameters"), and
      // mlflowSearchDatasets runs one grant lookup per ID (20,000 IDs: ~8 s on PostgreSQL/MariaDB).
      it("GraphQL list inputs are bounded as their REST twins are (at most 1,000 experiment IDs)", async () => {
        const ids = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i + 100)));
        for (const [field, n] of [
          ["mlflowSearchRuns(input:{experimentIds:%IDS%}) { runs { info { runId } } }", 5_000],
          ["mlflowSearchRuns(input:{experimentIds:%IDS%}) { runs { info { runId } } }", 70_000],
          ["mlflowSearchDatasets(input:{experimentIds:%IDS%}) { datasetSummaries { name } }", 5_000],
        ] as const) {
          const query = `{ ${field.replace("%IDS%", ids(n))} }`;
          const answer = await w.call("intruder", "POST", "/graphql", { body: { query } });
          const what = `POST /graphql ${field.split("(")[0]} with ${n} experiment IDs`;
          noLeak(answer, what);
          const errors = (answer.json?.errors as string[] | null) ?? [];
          // Refused by the REST twin's bound (1,000 for runs, 20 for datasets) or, for a document
          // too large to parse cheaply, by the parser's token bound.
          expect.soft(errors.some((e) => /may name at most (1000|20) IDs|more tha[nt] \d+ tokens/.test(e)), `${what}: not refused as too many IDs — ${excerpt(answer)}`).toBe(true);
          expect.soft(errors.some((e) => /SQL variables|bind message|parameter formats/.test(e)), `${what}: a database driver's message reaches the client — ${excerpt(answer)}`).toBe(false);
        }
      }, 60_000);
    });
  }
}
