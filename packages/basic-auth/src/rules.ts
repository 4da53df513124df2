import type { MlflowRequest } from "@mlflow-ts/plugin-api";
import type { Access } from "./access.js";
import type { UserRecord } from "./auth-store.js";
import type { Capabilities } from "./permissions.js";
import { paramsOf, requiredParam } from "./request-params.js";

/** Decides whether a non-admin may call a route. Throwing (404 for an unknown run…) answers with that error. */
export type Rule = (req: MlflowRequest, user: UserRecord, access: Access) => Promise<boolean> | boolean;

type Need = keyof Capabilities;

const authenticated: Rule = () => true;
const adminOnly: Rule = () => false;
const onExperiment = (need: Need): Rule => async (req, user, access) => (await access.experiment(user, requiredParam(req, "experiment_id")))[need];
// Logging to a run is the hot path: answered without a promise when the caches know the run.
const onRun = (need: Need): Rule => (req, user, access) => {
  const runId = requiredParam(req, "run_id");
  const cached = access.cachedRun(user, runId);
  return cached ? cached[need] : access.run(user, runId).then((c) => c[need]);
};
const onModel = (need: Need): Rule => async (req, user, access) => (await access.model(user, requiredParam(req, "name")))[need];
const onLoggedModel = (need: Need): Rule => async (req, user, access) => (await access.loggedModel(user, String(req.params?.model_id ?? modelIdFromPath(req.path))))[need];
const self: Rule = (req, user) => requiredParam(req, "username") === user.username;

function modelIdFromPath(path: string): string {
  return /\/logged-models\/([^/]+)/.exec(path)?.[1] ?? "";
}

// Search endpoints: allowed, and their experiment IDs narrowed to the readable ones before the
// handler runs, so pagination is the store's own.
const narrowExperimentIds: Rule = async (req, user, access) => {
  const body = (req.body ?? {}) as { experiment_ids?: unknown };
  if (Array.isArray(body.experiment_ids)) {
    const grants = await access.grantMap("experiment", user);
    body.experiment_ids = body.experiment_ids.filter((id) => access.readable(grants, String(id)));
  }
  return true;
};

/** Exact (method, path) rules; paths are relative to `/api/<v>.0` (and the `/ajax-api` twins). */
export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["POST /mlflow/experiments/create", authenticated],
  ["GET /mlflow/experiments/get", onExperiment("read")],
  ["GET /mlflow/experiments/get-by-name", async (req, user, access) => (await access.experimentByName(user, requiredParam(req, "experiment_name"))).read],
  ["POST /mlflow/experiments/delete", onExperiment("delete")],
  ["POST /mlflow/experiments/restore", onExperiment("delete")],
  ["POST /mlflow/experiments/update", onExperiment("update")],
  ["POST /mlflow/experiments/set-experiment-tag", onExperiment("update")],
  ["POST /mlflow/experiments/delete-experiment-tag", onExperiment("update")],
  ["POST /mlflow/experiments/search", authenticated],
  ["GET /mlflow/experiments/search", authenticated],
  ["POST /mlflow/runs/create", async (req, user, access) => (await access.experiment(user, String(paramsOf(req).experiment_id || "0"))).update],
  ["GET /mlflow/runs/get", onRun("read")],
  ["POST /mlflow/runs/update", onRun("update")],
  ["POST /mlflow/runs/log-metric", onRun("update")],
  ["POST /mlflow/runs/log-parameter", onRun("update")],
  ["POST /mlflow/runs/log-batch", onRun("update")],
  ["POST /mlflow/runs/log-model", onRun("update")],
  ["POST /mlflow/runs/set-tag", onRun("update")],
  ["POST /mlflow/runs/delete-tag", onRun("update")],
  // MLflow leaves these open to any authenticated user; they write to a run, so EDIT it is.
  ["POST /mlflow/runs/log-inputs", onRun("update")],
  ["POST /mlflow/runs/outputs", onRun("update")],
  ["POST /mlflow/runs/delete", onRun("delete")],
  ["POST /mlflow/runs/restore", onRun("delete")],
  ["GET /mlflow/metrics/get-history", onRun("read")],
  ["GET /mlflow/artifacts/list", onRun("read")],
  ["POST /mlflow/runs/search", narrowExperimentIds],
  ["POST /mlflow/registered-models/create", authenticated],
  ["GET /mlflow/registered-models/get", onModel("read")],
  ["POST /mlflow/registered-models/get-latest-versions", onModel("read")],
  ["GET /mlflow/registered-models/get-latest-versions", onModel("read")],
  ["GET /mlflow/model-versions/get", onModel("read")],
  ["GET /mlflow/model-versions/get-download-uri", onModel("read")],
  ["GET /mlflow/registered-models/alias", onModel("read")],
  ["PATCH /mlflow/registered-models/update", onModel("update")],
  ["POST /mlflow/registered-models/rename", onModel("update")],
  ["POST /mlflow/model-versions/create", onModel("update")],
  ["PATCH /mlflow/model-versions/update", onModel("update")],
  ["POST /mlflow/model-versions/transition-stage", onModel("update")],
  ["POST /mlflow/registered-models/set-tag", onModel("update")],
  ["DELETE /mlflow/registered-models/delete-tag", onModel("update")],
  ["POST /mlflow/model-versions/set-tag", onModel("update")],
  ["POST /mlflow/registered-models/alias", onModel("update")],
  ["DELETE /mlflow/registered-models/delete", onModel("delete")],
  ["DELETE /mlflow/model-versions/delete", onModel("delete")],
  ["DELETE /mlflow/model-versions/delete-tag", onModel("delete")],
  ["DELETE /mlflow/registered-models/alias", onModel("delete")],
  ["GET /mlflow/registered-models/search", authenticated],
  ["GET /mlflow/model-versions/search", authenticated],
  ["POST /mlflow/logged-models", onExperiment("update")],
  ["POST /mlflow/logged-models/search", narrowExperimentIds],
  ["GET /mlflow/server-info", authenticated],
  // basic-auth's own endpoints.
  ["POST /mlflow/users/create", adminOnly],
  ["GET /mlflow/users/get", self],
  ["PATCH /mlflow/users/update-password", self],
  ["PATCH /mlflow/users/update-admin", adminOnly],
  ["DELETE /mlflow/users/delete", adminOnly],
  ["GET /mlflow/users/list", adminOnly],
  ["GET /mlflow/users/current", authenticated],
  ["POST /mlflow/users/create-ui", adminOnly],
  ...["create", "get", "update", "delete"].flatMap((verb): [string, Rule][] => {
    const method = { create: "POST", get: "GET", update: "PATCH", delete: "DELETE" }[verb]!;
    return [
      [`${method} /mlflow/experiments/permissions/${verb}`, onExperiment("manage")],
      [`${method} /mlflow/registered-models/permissions/${verb}`, onModel("manage")],
    ];
  }),
]);

/** Rules for parameterised paths: logged models, the artifact proxy, and the plain UI routes. */
export const PATTERN_RULES: readonly { readonly method: string; readonly pattern: RegExp; readonly rule: Rule }[] = [
  { method: "GET", pattern: /^\/mlflow\/logged-models\/[^/]+$/, rule: onLoggedModel("read") },
  { method: "PATCH", pattern: /^\/mlflow\/logged-models\/[^/]+$/, rule: onLoggedModel("update") },
  { method: "DELETE", pattern: /^\/mlflow\/logged-models\/[^/]+$/, rule: onLoggedModel("delete") },
  { method: "PATCH", pattern: /^\/mlflow\/logged-models\/[^/]+\/tags$/, rule: onLoggedModel("update") },
  { method: "DELETE", pattern: /^\/mlflow\/logged-models\/[^/]+\/tags\/.+$/, rule: onLoggedModel("delete") },
  { method: "POST", pattern: /^\/mlflow\/logged-models\/[^/]+\/params$/, rule: onLoggedModel("update") },
  { method: "GET", pattern: /^\/mlflow\/logged-models\/[^/]+\/artifacts\/(directories|files)$/, rule: onLoggedModel("read") },
  { method: "GET", pattern: /^\/mlflow-artifacts\/artifacts(\/.*)?$/, rule: artifactRule("read") },
  { method: "PUT", pattern: /^\/mlflow-artifacts\/artifacts\/.+$/, rule: artifactRule("update") },
  { method: "DELETE", pattern: /^\/mlflow-artifacts\/artifacts\/.+$/, rule: artifactRule("manage") },
  { method: "POST", pattern: /^\/mlflow-artifacts\/mpu\/(create|complete|abort)\/.+$/, rule: artifactRule("update") },
  { method: "GET", pattern: /^\/mlflow-artifacts\/presigned\/.+$/, rule: artifactRule("read") },
];

/**
 * Proxied artifacts: the experiment is the leading number of the artifact path (or of `?path=`
 * for listings). Paths that name no experiment fall back to `default_permission`.
 */
function artifactRule(need: Need): Rule {
  return async (req, user, access) => {
    const raw = req.path.replace(/^.*?\/mlflow-artifacts\/(artifacts|mpu\/\w+|presigned)\/?/, "");
    let rest = raw;
    try {
      rest = decodeURIComponent(raw);
    } catch {
      // A malformed escape is the route's to refuse (400); here the raw path decides.
    }
    const target = rest === "" ? String((req.query as Record<string, unknown>).path ?? "") : rest;
    const experimentId = /^(\d+)(\/|$)/.exec(target)?.[1];
    if (experimentId === undefined) return (await access.experiment(user, "\u0000no-experiment"))[need];
    return (await access.experiment(user, experimentId))[need];
  };
}

/** Plain routes outside `/api`, relative to the static prefix. */
export const PLAIN_RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["GET /get-artifact", onRun("read")],
  ["GET /model-versions/get-artifact", onModel("read")],
  ["GET /version", authenticated],
  ["GET /signup", adminOnly],
]);
