import type { MlflowRequest, RequestParams } from "@mlflow-ts/plugin-api";
import type { Access } from "./access.js";
import type { UserRecord } from "./auth-store.js";
import { capabilitiesOf, type Capabilities } from "./permissions.js";
import { mayReadModelSource, mayTouchArtifact } from "./caller-stores.js";

/** What a check sees: the request's one reading (`requestParams`), the caller, and the grant lookup. */
export interface RuleContext {
  readonly req: MlflowRequest;
  readonly params: RequestParams;
  readonly user: UserRecord;
  readonly access: Access;
}

/**
 * One condition of a rule. `covers` names the request fields it decides on (`metrics[].model_id`
 * for a field inside a list), so a test can tell, endpoint by endpoint, that every ID a request
 * carries is checked by something.
 */
export interface Check {
  readonly covers: readonly string[];
  run(ctx: RuleContext): boolean | Promise<boolean>;
}

/** A rule: every check must allow. A check that throws (404 for an unknown run…) answers with that error. */
export type Rule = readonly Check[];

type Need = keyof Capabilities;

const isThenable = (x: unknown): x is PromiseLike<unknown> => typeof (x as PromiseLike<unknown> | undefined)?.then === "function";

/**
 * Runs a rule's checks in order, from check `from` (0: all); stays synchronous while they do (a
 * cached run check on the logging hot path costs no promise or closure).
 *
 * @example
 * const ok = await evaluate(RULES.get("POST /mlflow/runs/log-metric")!, ctx);
 */
export function evaluate(rule: Rule, ctx: RuleContext, from = 0): boolean | Promise<boolean> {
  for (let i = from; i < rule.length; i += 1) {
    const result = rule[i]!.run(ctx);
    if (isThenable(result)) return Promise.resolve(result).then((ok) => (ok ? evaluate(rule, ctx, i + 1) : false));
    if (!result) return false;
  }
  return true;
}

const text = (params: RequestParams, field: string): string | undefined => {
  const value = params[field];
  return typeof value === "string" && value !== "" ? value : undefined;
};

/** Any authenticated caller. */
export const authenticated: Rule = [];
/** Admins only (they never reach a rule). */
export const adminOnly: Rule = [{ covers: [], run: () => false }];

/** `need` on the experiment in `field`; absent means `fallback` (runs/create's default experiment), or nothing to check. */
function experiment(field: string, need: Need, fallback?: string): Check {
  return {
    covers: [field],
    run: ({ params, user, access }) => {
      const id = text(params, field) ?? fallback;
      if (id === undefined) return true;
      const cached = access.cachedPermission("experiment", id, user);
      return cached !== undefined ? capabilitiesOf(cached)[need] : access.experiment(user, id).then((c) => c[need]);
    },
  };
}

/** `need` on the experiment of the run in `field` (404 for an unknown run, as MLflow answers first). */
function run(field: string, need: Need): Check {
  return {
    covers: [field],
    run: ({ params, user, access }) => {
      const runId = text(params, field);
      if (runId === undefined) return true;
      const cached = access.cachedRun(user, runId);
      return cached ? cached[need] : access.run(user, runId).then((c) => c[need]);
    },
  };
}

/** `need` on the experiment of every run in the list `field` (UI bulk reads). */
function runs(field: string, need: Need): Check {
  return {
    covers: [field],
    run: async ({ params, user, access }) => {
      const ids = params[field];
      if (!Array.isArray(ids)) return true;
      for (const id of ids as string[]) if (!(await access.run(user, id))[need]) return false;
      return true;
    },
  };
}

/** `need` on every experiment in the list `field` (no narrowing: the endpoint names them all). */
function experiments(field: string, need: Need): Check {
  return {
    covers: [field],
    run: async ({ params, user, access }) => {
      const ids = params[field];
      if (!Array.isArray(ids)) return true;
      for (const id of ids as string[]) if (!(await access.experiment(user, id))[need]) return false;
      return true;
    },
  };
}

/** `need` on the registered model named in `field`. */
function model(field: string, need: Need): Check {
  return {
    covers: [field],
    run: ({ params, user, access }) => {
      const name = text(params, field);
      if (name === undefined) return true;
      const cached = access.cachedPermission("registered_model", name, user);
      return cached !== undefined ? capabilitiesOf(cached)[need] : access.model(user, name).then((c) => c[need]);
    },
  };
}

/** `need` on the experiment of the logged model in `field`. */
function loggedModel(field: string, need: Need): Check {
  return {
    covers: [field],
    run: ({ params, user, access }) => {
      const id = text(params, field);
      // Synchronous when there is nothing to look up (log-metric without a model_id).
      return id === undefined || access.loggedModel(user, id).then((c) => c[need]);
    },
  };
}

/** The caller themself, by the username in `field`. */
function self(field: string): Check {
  return { covers: [field], run: ({ params, user }) => text(params, field) === user.username };
}

/** A check applied to every object of the list in `field` (`metrics[].model_id`). */
function each(field: string, check: Check): Check {
  return {
    covers: check.covers.map((c) => `${field}[].${c}`),
    run: (ctx) => {
      const items = ctx.params[field];
      if (!Array.isArray(items)) return true;
      // Synchronous while every item answers synchronously (metrics without a model_id).
      const from = (index: number): boolean | Promise<boolean> => {
        for (let i = index; i < items.length; i += 1) {
          const ok = check.run({ ...ctx, params: items[i] as RequestParams });
          if (isThenable(ok)) return Promise.resolve(ok).then((yes) => (yes ? from(i + 1) : false));
          if (!ok) return false;
        }
        return true;
      };
      return from(0);
    },
  };
}

/**
 * `need` on the experiment owning the proxied artifact path in `field` (its location, a run's or
 * a logged model's, longest first); a path nobody owns is for admins only.
 */
function artifact(field: string, need: Need): Check {
  return {
    covers: [field],
    run: ({ params, user, access }) => mayTouchArtifact(user, access, text(params, field) ?? "", need),
  };
}

/** `need` on the experiment of the trace in `field` (404 for an unknown trace, as the handler would answer). */
function traceOf(field: string, need: Need): Check {
  return {
    covers: [field],
    run: async ({ params, user, access }) => {
      const traceId = text(params, field);
      if (traceId === undefined) return true;
      return (await access.experiment(user, await access.stores.traces.traceExperiment(traceId)))[need];
    },
  };
}

/** `need` on the experiment of every trace listed in `field` (unknown traces are left to the handler). */
function tracesOf(field: string, need: Need): Check {
  return {
    covers: [field],
    run: async ({ params, user, access }) => {
      const ids = params[field];
      for (const id of Array.isArray(ids) ? ids : []) {
        if (typeof id !== "string") continue;
        let experimentId: string;
        try {
          experimentId = await access.stores.traces.traceExperiment(id);
        } catch {
          continue;
        }
        if (!(await access.experiment(user, experimentId))[need]) return false;
      }
      return true;
    },
  };
}

/**
 * `need` on the evaluation dataset in `field`: on any one of the experiments it is associated with,
 * or on every one of them (`every`). A dataset with no experiment is for admins only; an unknown
 * one is left to the handler (404, or MLflow's no-op deletes).
 */
function datasetOf(field: string, need: Need, every = false): Check {
  return {
    covers: [field],
    run: async ({ params, user, access }) => {
      const datasetId = text(params, field);
      if (datasetId === undefined) return true;
      const experiments = await access.stores.datasets.datasetExperiments(datasetId);
      if (experiments === undefined) return true;
      if (experiments.length === 0) return false;
      for (const id of experiments) {
        const ok = (await access.experiment(user, id))[need];
        if (every && !ok) return false;
        if (!every && ok) return true;
      }
      return every;
    },
  };
}

/** Creating a dataset without an experiment makes one nobody but admins may touch. */
const someExperiments = (field: string): Check => ({
  covers: [field],
  run: ({ params }) => Array.isArray(params[field]) && (params[field] as unknown[]).length > 0,
});

/** READ on whatever a model-version `source` points at, read as the store and server read it. */
function modelSource(field: string): Check {
  return {
    covers: [field],
    run: ({ params, user, access }) => {
      const source = text(params, field);
      return source === undefined || mayReadModelSource(user, access, source);
    },
  };
}

/**
 * The rules, by endpoint: the method and the path pattern the server matched (`requestEndpoint`),
 * relative to `/api/<v>.0` (and the `/ajax-api` twins) or to the static prefix. Every ID-bearing
 * field of an endpoint has a check here; an endpoint without an entry is denied to non-admins.
 */
export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["POST /mlflow/experiments/create", authenticated],
  ["GET /mlflow/experiments/get", [experiment("experiment_id", "read")]],
  ["GET /mlflow/experiments/get-by-name", [{ covers: ["experiment_name"], run: async ({ params, user, access }) => (await access.experimentByName(user, text(params, "experiment_name")!)).read }]],
  ["POST /mlflow/experiments/delete", [experiment("experiment_id", "delete")]],
  ["POST /mlflow/experiments/restore", [experiment("experiment_id", "delete")]],
  ["POST /mlflow/experiments/update", [experiment("experiment_id", "update")]],
  ["POST /mlflow/experiments/set-experiment-tag", [experiment("experiment_id", "update")]],
  ["POST /mlflow/experiments/delete-experiment-tag", [experiment("experiment_id", "update")]],
  // Searches: the caller's stores put what they may read into the query.
  ["POST /mlflow/experiments/search", authenticated],
  ["GET /mlflow/experiments/search", authenticated],
  ["POST /mlflow/runs/create", [experiment("experiment_id", "update", "0")]],
  ["GET /mlflow/runs/get", [run("run_id", "read")]],
  ["POST /mlflow/runs/update", [run("run_id", "update")]],
  ["POST /mlflow/runs/log-metric", [run("run_id", "update"), loggedModel("model_id", "update")]],
  ["POST /mlflow/runs/log-parameter", [run("run_id", "update")]],
  ["POST /mlflow/runs/log-batch", [run("run_id", "update"), each("metrics", loggedModel("model_id", "update"))]],
  ["POST /mlflow/runs/log-model", [run("run_id", "update")]],
  ["POST /mlflow/runs/set-tag", [run("run_id", "update")]],
  ["POST /mlflow/runs/delete-tag", [run("run_id", "update")]],
  // MLflow leaves these two open to any authenticated user; they write to a run, so EDIT it is,
  // and the logged models they name must be readable.
  ["POST /mlflow/runs/log-inputs", [run("run_id", "update"), each("models", loggedModel("model_id", "read"))]],
  ["POST /mlflow/runs/outputs", [run("run_id", "update"), each("models", loggedModel("model_id", "read"))]],
  ["POST /mlflow/runs/delete", [run("run_id", "delete")]],
  ["POST /mlflow/runs/restore", [run("run_id", "delete")]],
  ["GET /mlflow/metrics/get-history", [run("run_id", "read")]],
  ["GET /mlflow/artifacts/list", [run("run_id", "read")]],
  ["POST /mlflow/runs/search", authenticated],
  ["POST /mlflow/registered-models/create", authenticated],
  ["GET /mlflow/registered-models/get", [model("name", "read")]],
  ["POST /mlflow/registered-models/get-latest-versions", [model("name", "read")]],
  ["GET /mlflow/registered-models/get-latest-versions", [model("name", "read")]],
  ["GET /mlflow/model-versions/get", [model("name", "read")]],
  ["GET /mlflow/model-versions/get-download-uri", [model("name", "read")]],
  ["GET /mlflow/registered-models/alias", [model("name", "read")]],
  ["PATCH /mlflow/registered-models/update", [model("name", "update")]],
  ["POST /mlflow/registered-models/rename", [model("name", "update")]],
  ["POST /mlflow/model-versions/create", [model("name", "update"), run("run_id", "read"), loggedModel("model_id", "read"), modelSource("source")]],
  ["PATCH /mlflow/model-versions/update", [model("name", "update")]],
  ["POST /mlflow/model-versions/transition-stage", [model("name", "update")]],
  ["POST /mlflow/registered-models/set-tag", [model("name", "update")]],
  ["DELETE /mlflow/registered-models/delete-tag", [model("name", "update")]],
  ["POST /mlflow/model-versions/set-tag", [model("name", "update")]],
  ["POST /mlflow/registered-models/alias", [model("name", "update")]],
  ["DELETE /mlflow/registered-models/delete", [model("name", "delete")]],
  ["DELETE /mlflow/model-versions/delete", [model("name", "delete")]],
  ["DELETE /mlflow/model-versions/delete-tag", [model("name", "delete")]],
  ["DELETE /mlflow/registered-models/alias", [model("name", "delete")]],
  ["GET /mlflow/registered-models/search", authenticated],
  ["GET /mlflow/model-versions/search", authenticated],
  ["POST /mlflow/logged-models", [experiment("experiment_id", "update"), run("source_run_id", "read")]],
  ["POST /mlflow/logged-models/search", authenticated],
  ["GET /mlflow/logged-models/:model_id", [loggedModel("model_id", "read")]],
  ["PATCH /mlflow/logged-models/:model_id", [loggedModel("model_id", "update")]],
  ["DELETE /mlflow/logged-models/:model_id", [loggedModel("model_id", "delete")]],
  ["PATCH /mlflow/logged-models/:model_id/tags", [loggedModel("model_id", "update")]],
  ["DELETE /mlflow/logged-models/:model_id/tags/:tag_key", [loggedModel("model_id", "delete")]],
  ["POST /mlflow/logged-models/:model_id/params", [loggedModel("model_id", "update")]],
  ["GET /mlflow/logged-models/:model_id/artifacts/directories", [loggedModel("model_id", "read")]],
  ["GET /mlflow/logged-models/:model_id/artifacts/files", [loggedModel("model_id", "read")]],
  ["GET /mlflow-artifacts/artifacts/*path", [artifact("path", "read")]],
  ["GET /mlflow-artifacts/artifacts", [artifact("path", "read")]],
  ["PUT /mlflow-artifacts/artifacts/*path", [artifact("path", "update")]],
  ["DELETE /mlflow-artifacts/artifacts/*path", [artifact("path", "manage")]],
  ["POST /mlflow-artifacts/mpu/create/*dir", [artifact("dir", "update")]],
  ["POST /mlflow-artifacts/mpu/complete/*dir", [artifact("dir", "update")]],
  ["POST /mlflow-artifacts/mpu/abort/*dir", [artifact("dir", "update")]],
  ["GET /mlflow-artifacts/presigned/*path", [artifact("path", "read")]],
  ["GET /mlflow/server-info", authenticated],
  // Traces (MLflow 2.14+ v2, 3.x v3, OTLP) belong to their experiment: READ to read, EDIT to write
  // or delete; assessments are writes. StartTrace v3 names its experiment inside `trace`, which the
  // caller's stores decide on (as they decide every call below once more, on the stored trace).
  ["POST /mlflow/traces", [experiment("experiment_id", "update")]],
  ["GET /mlflow/traces", authenticated],
  ["POST /mlflow/traces/search", authenticated],
  ["POST /mlflow/traces/calculate-filter-correlation", authenticated],
  ["PATCH /mlflow/traces/:request_id", [traceOf("request_id", "update")]],
  ["GET /mlflow/traces/:request_id/info", [traceOf("request_id", "read")]],
  ["POST /mlflow/traces/delete-traces", [experiment("experiment_id", "update"), tracesOf("request_ids", "update")]],
  ["POST /mlflow/traces/link-to-run", [run("run_id", "update"), tracesOf("trace_ids", "read")]],
  ["PATCH /mlflow/traces/:request_id/tags", [traceOf("request_id", "update")]],
  ["DELETE /mlflow/traces/:request_id/tags", [traceOf("request_id", "update")]],
  ["PATCH /mlflow/traces/:trace_id/tags", [traceOf("trace_id", "update")]],
  ["DELETE /mlflow/traces/:trace_id/tags", [traceOf("trace_id", "update")]],
  ["GET /mlflow/traces/get", [traceOf("trace_id", "read")]],
  ["GET /mlflow/traces/batchGet", [tracesOf("trace_ids", "read")]],
  ["GET /mlflow/traces/:trace_id", [traceOf("trace_id", "read")]],
  ["POST /mlflow/traces/:trace_id/assessments", [traceOf("trace_id", "update")]],
  ["GET /mlflow/traces/:trace_id/assessments/:assessment_id", [traceOf("trace_id", "read")]],
  ["PATCH /mlflow/traces/:trace_id/assessments/:assessment_id", [traceOf("trace_id", "update")]],
  ["DELETE /mlflow/traces/:trace_id/assessments/:assessment_id", [traceOf("trace_id", "update")]],
  ["GET /mlflow/get-trace-artifact", [traceOf("request_id", "read")]],
  // OTLP ingest names its experiment in a header; the caller's stores decide EDIT on it per trace.
  ["POST /v1/traces", [{ covers: [], run: ({ req, user, access }) => {
    const id = req.headers["x-mlflow-experiment-id"];
    return typeof id !== "string" || id === "" ? true : access.experiment(user, id).then((c) => c.update);
  } }]],
  // Evaluation datasets (MLflow 3.4+) belong to the experiments they are associated with; scorers
  // to their experiment. The caller's stores decide each call again on the stored associations.
  ["POST /mlflow/datasets/create", [someExperiments("experiment_ids"), experiments("experiment_ids", "update")]],
  ["POST /mlflow/datasets/search", authenticated],
  ["GET /mlflow/datasets/search", authenticated],
  ["GET /mlflow/datasets/:dataset_id", [datasetOf("dataset_id", "read")]],
  ["DELETE /mlflow/datasets/:dataset_id", [datasetOf("dataset_id", "delete", true)]],
  ["PATCH /mlflow/datasets/:dataset_id/tags", [datasetOf("dataset_id", "update")]],
  ["DELETE /mlflow/datasets/:dataset_id/tags/:key", [datasetOf("dataset_id", "update")]],
  ["POST /mlflow/datasets/:dataset_id/records", [datasetOf("dataset_id", "update")]],
  ["GET /mlflow/datasets/:dataset_id/records", [datasetOf("dataset_id", "read")]],
  ["GET /mlflow/datasets/:dataset_id/experiment-ids", [datasetOf("dataset_id", "read")]],
  ["POST /mlflow/datasets/:dataset_id/add-experiments", [datasetOf("dataset_id", "update"), experiments("experiment_ids", "update")]],
  ["POST /mlflow/datasets/:dataset_id/remove-experiments", [datasetOf("dataset_id", "update"), experiments("experiment_ids", "update")]],
  ["POST /mlflow/scorers/register", [experiment("experiment_id", "update")]],
  ["GET /mlflow/scorers/list", [experiment("experiment_id", "read")]],
  ["GET /mlflow/scorers/versions", [experiment("experiment_id", "read")]],
  ["GET /mlflow/scorers/get", [experiment("experiment_id", "read")]],
  ["DELETE /mlflow/scorers/delete", [experiment("experiment_id", "update")]],
  // What MLflow's web UI calls besides the REST API.
  ["GET /mlflow/metrics/get-history-bulk", [runs("run_id", "read")]],
  ["GET /mlflow/metrics/get-history-bulk-interval", [runs("run_ids", "read")]],
  ["POST /mlflow/experiments/search-datasets", [experiments("experiment_ids", "read")]],
  ["POST /mlflow/upload-artifact", [run("run_uuid", "update")]],
  // Creates a run (as runs/create, but no default experiment: absent is MLflow's 400).
  ["POST /mlflow/runs/create-promptlab-run", [experiment("experiment_id", "update")]],
  // GraphQL's resolvers read through the caller's stores, on the arguments GraphQL coerced
  // (lists, variables and their defaults, fragments, aliases): each field is decided as its REST twin.
  ["POST /graphql", authenticated],
  ["GET /graphql", authenticated],
  // Plain routes below the static prefix.
  ["GET /get-artifact", [run("run_id", "read")]],
  ["GET /model-versions/get-artifact", [model("name", "read")]],
  ["GET /version", authenticated],
  // `?detail` shows what the apps report about themselves: admins only.
  ["GET /health", [{ covers: [], run: (ctx) => ctx.req.query.detail === undefined }]],
  ["GET /signup", adminOnly],
  // The web UI: its page and assets (which MLflow leaves open under /static…), the pages apps
  // contribute and who is signed in; what the UI shows is then each API call's own rule.
  ["GET /", authenticated],
  ["GET /static-files/*file", authenticated],
  ["GET /mlflow-ts/ui/extensions", authenticated],
  ["GET /basic-auth/ui/pages.js", authenticated],
  // basic-auth's own endpoints.
  ["POST /mlflow/users/create", adminOnly],
  ["POST /mlflow/users/create-ui", adminOnly],
  ["GET /mlflow/users/get", [self("username")]],
  ["PATCH /mlflow/users/update-password", [self("username")]],
  ["PATCH /mlflow/users/update-admin", adminOnly],
  ["DELETE /mlflow/users/delete", adminOnly],
  ["GET /mlflow/users/list", adminOnly],
  ["GET /mlflow/users/current", authenticated],
  // Group grants (@mlflow-ts/authz's own endpoints, for apps whose identity provider sends groups).
  ["GET /mlflow-ts/group-permissions/list", adminOnly],
  ["POST /mlflow-ts/group-permissions/set", adminOnly],
  ["DELETE /mlflow-ts/group-permissions/delete", adminOnly],
  ...["create", "get", "update", "delete"].flatMap((verb): [string, Rule][] => {
    const method = { create: "POST", get: "GET", update: "PATCH", delete: "DELETE" }[verb]!;
    return [
      [`${method} /mlflow/experiments/permissions/${verb}`, [experiment("experiment_id", "manage")]],
      [`${method} /mlflow/registered-models/permissions/${verb}`, [model("name", "manage")]],
    ];
  }),
]);
