import type { NextFunction, Request, Response as ExpressResponse } from "express";
import { invalidParameter, isMlflowError } from "@mlflow-ts/protocol";
import type { MlflowApp, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { AuthStore, UserRecord } from "./auth-store.js";
import { passwordProblem } from "./auth-config.js";
import { paramsOf, requiredParam } from "./request-params.js";
import { hashPassword } from "./werkzeug-hash.js";

/** What the auth routes need besides the store. */
export interface AuthRouteContext {
  readonly store: AuthStore;
  /** The authenticated caller of this request (set by the before-request hook). */
  readonly callerOf: (req: MlflowRequest) => UserRecord;
  /** Drops a user's cached credentials here and in every replica. */
  readonly invalidate: (username: string) => Promise<void>;
  readonly staticPrefix: string;
}

type Handler = (req: MlflowRequest) => Promise<Record<string, unknown>>;

// Handlers return the payload; MLflow errors become MLflow's error JSON, anything else goes on to
// the server's error handler.
function json(handler: Handler) {
  return (req: Request, res: ExpressResponse, next: NextFunction) => {
    handler(req as MlflowRequest).then(
      (payload) => res.status(200).json(payload),
      (error: unknown) => (isMlflowError(error) ? res.status(error.status).json({ error_code: error.code, message: error.message }) : next(error)),
    );
  };
}

/** The wire shape of a user: never the hash; `scorer_permissions` for clients from 3.7 on. */
export async function userJson(store: AuthStore, user: UserRecord): Promise<Record<string, unknown>> {
  const [experiments, models] = await Promise.all([store.grantsOf("experiment", user.id), store.grantsOf("registered_model", user.id)]);
  return {
    id: user.id,
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: experiments.map((g) => ({ experiment_id: g.resource, user_id: g.userId, permission: g.permission })),
    registered_model_permissions: models.map((g) => ({ workspace: "default", name: g.resource, user_id: g.userId, permission: g.permission })),
    scorer_permissions: [],
  };
}

function plain(res: ExpressResponse, status: number, text: string): void {
  res.status(status).type("text/plain").send(text);
}

function requireBoolean(req: MlflowRequest, name: string): boolean {
  const value = paramsOf(req)[name];
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw invalidParameter(value === undefined ? `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.` : `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied.`);
}

/**
 * Registers basic-auth's REST endpoints (spec §6.2–§6.3): users create/get/update-password/
 * update-admin/delete/list/current (also under `/ajax-api`), and experiment and registered-model
 * permission create/get/update/delete.
 *
 * @example
 * registerAuthRoutes(app, { store, callerOf, invalidate, staticPrefix: "" });
 */
export function registerAuthRoutes(app: MlflowApp, ctx: AuthRouteContext): void {
  const { store } = ctx;
  const both = (path: string) => [`/api/2.0${path}`, `${ctx.staticPrefix}/ajax-api/2.0${path}`];

  for (const path of both("/mlflow/users/create")) {
    app.post(path, async (req, res, next) => {
      if (!req.is("application/json")) return plain(res, 400, "Invalid content type. Must be application/json");
      const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (!username || !password) return plain(res, 400, "Username and password cannot be empty.");
      json(async () => {
        if (typeof username !== "string") throw invalidParameter("Invalid value for parameter 'username' supplied.");
        const problem = passwordProblem(password);
        if (problem) throw invalidParameter(problem);
        const user = await store.createUser(username, await hashPassword(password as string), false);
        return { user: await userJson(store, user) };
      })(req, res, next);
    });
  }
  for (const path of both("/mlflow/users/get")) {
    app.get(path, json(async (req) => ({ user: await userJson(store, await store.requireUser(requiredParam(req, "username"))) })));
  }
  for (const path of both("/mlflow/users/list")) {
    app.get(path, json(async () => ({ users: (await store.listUsers()).map((u) => ({ id: u.id, username: u.username, is_admin: u.isAdmin })) })));
  }
  for (const path of both("/mlflow/users/current")) {
    app.get(path, json(async (req) => {
      const user = ctx.callerOf(req);
      return { user: { id: user.id, username: user.username, is_admin: user.isAdmin } };
    }));
  }
  for (const path of both("/mlflow/users/update-password")) {
    app.patch(path, json(async (req) => {
      const username = requiredParam(req, "username");
      const password = requiredParam(req, "password");
      const problem = passwordProblem(password);
      if (problem) throw invalidParameter(problem);
      await store.updatePassword(username, await hashPassword(password));
      await ctx.invalidate(username);
      return {};
    }));
  }
  for (const path of both("/mlflow/users/update-admin")) {
    app.patch(path, json(async (req) => {
      const username = requiredParam(req, "username");
      await store.updateAdmin(username, requireBoolean(req, "is_admin"));
      await ctx.invalidate(username);
      return {};
    }));
  }
  for (const path of both("/mlflow/users/delete")) {
    app.delete(path, json(async (req) => {
      const username = requiredParam(req, "username");
      await store.deleteUser(username);
      await ctx.invalidate(username);
      return {};
    }));
  }

  const families = [
    { base: "/api/2.0/mlflow/experiments/permissions", kind: "experiment" as const, key: "experiment_id", response: "experiment_permission" },
    { base: "/api/2.0/mlflow/registered-models/permissions", kind: "registered_model" as const, key: "name", response: "registered_model_permission" },
  ];
  for (const family of families) {
    const shape = (resource: string, userId: number, permission: string) =>
      family.kind === "experiment" ? { experiment_id: resource, user_id: userId, permission } : { workspace: "default", name: resource, user_id: userId, permission };
    app.post(`${family.base}/create`, json(async (req) => {
      const user = await store.requireUser(requiredParam(req, "username"));
      const grant = await store.createGrant(family.kind, requiredParam(req, family.key), user.id, requiredParam(req, "permission"));
      return { [family.response]: shape(grant.resource, grant.userId, grant.permission) };
    }));
    app.get(`${family.base}/get`, json(async (req) => {
      const username = requiredParam(req, "username");
      const user = await store.requireUser(username);
      const grant = await store.requireGrant(family.kind, requiredParam(req, family.key), user.id, username);
      return { [family.response]: shape(grant.resource, grant.userId, grant.permission) };
    }));
    app.patch(`${family.base}/update`, json(async (req) => {
      const username = requiredParam(req, "username");
      const user = await store.requireUser(username);
      await store.updateGrant(family.kind, requiredParam(req, family.key), user.id, username, requiredParam(req, "permission"));
      return {};
    }));
    app.delete(`${family.base}/delete`, json(async (req) => {
      const username = requiredParam(req, "username");
      const user = await store.requireUser(username);
      await store.deleteGrant(family.kind, requiredParam(req, family.key), user.id, username);
      return {};
    }));
  }
}
