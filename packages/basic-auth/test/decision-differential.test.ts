import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { describeDisagreement, observeDecisions, seededRandom, type CallAs, type Target } from "../../../test/support/decision-surfaces.js";
import { startAuthServer, type AuthServer } from "./auth-server.js";
import { rawRequest } from "./owner-and-intruder.js";

// Issue 19's promise, checked by difference: one authorization decision for REST, GraphQL,
// searches and artifact paths. A seeded scenario (callers × their own grants × experiments, some
// with an artifact_location whose first segment is not the experiment id) on a server per
// default_permission; for every (caller, experiment) each surface of decision-surfaces.ts must
// show the experiment exactly when the caller's grant (else the default) gives READ.
// Another seed: DECISION_SEED=<n>.

const SEED = Number(process.env.DECISION_SEED ?? 19_019);
const CALLERS = ["c0", "c1", "c2", "c3"] as const;
const GRANTS = [undefined, undefined, "READ", "EDIT", "MANAGE", "NO_PERMISSIONS", "NO_PERMISSIONS"] as const;
const READS = new Set(["READ", "EDIT", "MANAGE"]);
const DEFAULTS = ["READ", "NO_PERMISSIONS"] as const;

interface Entity extends Target {
  readonly name: string;
  /** The caller who created it (MANAGE by creation), or the separate `maker`. */
  readonly creator: string;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const passwordOf = (user: string) => `${user}-password-xyz`;

for (const { dialect, skip } of DIALECTS) {
  for (const defaultPermission of DEFAULTS) {
    describe.skipIf(skip)(`one decision on every surface, seed ${SEED} (${dialect}, default ${defaultPermission})`, () => {
      let server: AuthServer;
      const entities: Entity[] = [];
      // caller → experiment id → the grant the scenario gave (undefined: none).
      const grants = new Map<string, Map<string, string | undefined>>();

      beforeAll(async () => {
        console.log(`decision-differential: seed ${SEED} (${dialect}, default ${defaultPermission}); rerun with DECISION_SEED=${SEED}`);
        const random = seededRandom(SEED);
        const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
        server = await startAuthServer({ dialect, ini: { default_permission: defaultPermission } });
        for (const user of [...CALLERS, "maker"]) await server.admin.createUser(user, passwordOf(user));
        for (let i = 0; i < 6; i += 1) {
          const creator = pick([...CALLERS, "maker", "maker"]);
          const client = server.as(creator, passwordOf(creator));
          // Every other experiment keeps its artifacts below a first segment that is not its id.
          const named = i % 2 === 1;
          const name = `exp-${i}${named ? "-named" : ""}`;
          const experimentId = await client.createExperiment(name, named ? { artifactLocation: `mlflow-artifacts:/team-${i}/private` } : {});
          const run = await client.createRun(experimentId);
          const artifactDir = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "");
          // The admin uploads: the file must be there whatever a creator's own upload gets.
          await server.adminTracking.artifacts.upload(`${artifactDir}/f.txt`, `file of ${name}`);
          entities.push({ name, creator, experimentId, runId: run.info.run_id, artifactDir });
        }
        for (const caller of CALLERS) {
          const mine = new Map<string, string | undefined>();
          for (const e of entities) {
            if (e.creator === caller) continue;
            const grant = pick(GRANTS);
            mine.set(e.experimentId, grant);
            if (grant) await server.admin.createExperimentPermission(e.experimentId, caller, grant);
          }
          grants.set(caller, mine);
        }
        const table = CALLERS.map((c) => `${c}: ${entities.map((e) => `${e.name}=${e.creator === c ? "creator" : grants.get(c)!.get(e.experimentId) ?? "-"}`).join(" ")}`).join("\n  ");
        console.log(`decision-differential scenario (seed ${SEED}, ${dialect}, default ${defaultPermission}):\n  ${table}`);
      }, 60_000);
      afterAll(async () => server?.close());

      it("every surface agrees with the caller's grant (else the default) for every caller and experiment", async () => {
        const problems: string[] = [];
        for (const caller of CALLERS) {
          const call: CallAs = (method, path, send = {}) => rawRequest(server.url, method, path, { ...send, headers: { Authorization: basic(caller, passwordOf(caller)) } });
          // One call first: the password is checked (scrypt) once, then the credential cache answers.
          await call("GET", "/api/2.0/mlflow/users/current");
          const found = await Promise.all(
            entities.map(async (e) => {
              const grant = e.creator === caller ? "MANAGE" : grants.get(caller)!.get(e.experimentId) ?? defaultPermission;
              return describeDisagreement(`${caller} (${e.creator === caller ? "creator" : grant})`, `${e.name} (experiment ${e.experimentId}, artifacts ${e.artifactDir})`, READS.has(grant), await observeDecisions(call, e));
            }),
          );
          problems.push(...found.filter((p): p is string => p !== undefined));
        }
        expect(problems, `seed ${SEED}, ${dialect}, default ${defaultPermission}: ${problems.length} (caller, experiment) pairs where surfaces disagree with the decision:\n${problems.join("\n")}`).toEqual([]);
      }, 40_000);
    });
  }
}
