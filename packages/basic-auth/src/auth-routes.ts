import type { NextFunction, Request, Response as ExpressResponse } from "express";
import { f, invalidParameter, isMlflowError, type Field } from "@mlflow-ts/protocol";
import type { MlflowApp, MlflowRequest } from "@mlflow-ts/plugin-api";
import { permissionChanged, type AuthStore, type UserRecord } from "@mlflow-ts/authz";
import { passwordProblem } from "./auth-config.js";
import { hashPassword } from "./werkzeug-hash.js";

/** What the auth routes need besides the store. */
export interface AuthRouteContext {
  readonly store: AuthStore;
  /** The authenticated caller of this request (set by the before-request hook). */
  readonly callerOf: (req: MlflowRequest) => UserRecord;
  /** Drops a user's cached credentials here and in every replica. */
  readonly invalidate: (username: string) => Promise<void>;
  readonly staticPrefix: string;
  /** The test switch that lets short and default passwords through. */
  readonly allowInsecurePasswords?: boolean;
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


/**
 * Registers basic-auth's user endpoints (spec §6.2): create/get/update-password/update-admin/
 * delete/list/current (also under `/ajax-api`). The permission endpoints (§6.3) are
 * `@mlflow-ts/authz`'s.
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
        const problem = passwordProblem(password, ctx.allowInsecurePasswords);
        if (problem) throw invalidParameter(problem);
        const user = await store.createUser(username, await hashPassword(password as string), false);
        permissionChanged(app, req as MlflowRequest, { action: "user-created", subject: username });
        return { user: await userJson(store, user) };
      })(req, res, next);
    });
  }
  const username = { username: f.string(true) };
  app.endpoint("GET", both("/mlflow/users/get"), username, async (p) => ({ user: await userJson(store, await store.requireUser(p.username)) }));
  app.endpoint("GET", both("/mlflow/users/list"), {}, async () => ({
    users: (await store.listUsers()).map((u) => ({ id: u.id, username: u.username, is_admin: u.isAdmin })),
  }));
  app.endpoint("GET", both("/mlflow/users/current"), {}, (_p, req) => {
    const user = ctx.callerOf(req);
    return { user: { id: user.id, username: user.username, is_admin: user.isAdmin } };
  });
  app.endpoint("PATCH", both("/mlflow/users/update-password"), { ...username, password: f.string(true) }, async (p, req) => {
    const problem = passwordProblem(p.password, ctx.allowInsecurePasswords);
    if (problem) throw invalidParameter(problem);
    await store.updatePassword(p.username, await hashPassword(p.password));
    await ctx.invalidate(p.username);
    // That it changed, never what to.
    permissionChanged(app, req, { action: "password-changed", subject: p.username });
    return {};
  });
  app.endpoint("PATCH", both("/mlflow/users/update-admin"), { ...username, is_admin: f.bool(true) }, async (p, req) => {
    await store.updateAdmin(p.username, p.is_admin);
    await ctx.invalidate(p.username);
    permissionChanged(app, req, { action: p.is_admin ? "admin-granted" : "admin-revoked", subject: p.username });
    return {};
  });
  app.endpoint("DELETE", both("/mlflow/users/delete"), username, async (p, req) => {
    await store.deleteUser(p.username);
    await ctx.invalidate(p.username);
    permissionChanged(app, req, { action: "user-deleted", subject: p.username });
    return {};
  });
}
