import { f, type Field } from "@mlflow-ts/protocol";
import type { AppEvent, MlflowApp, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { AuthStore } from "./auth-store.js";

type PermissionChange = Omit<Extract<AppEvent, { type: "permission-change" }>, "type" | "actor" | "req">;

/**
 * Tells the server's other apps (an audit log) that `req`'s caller changed who may do what.
 *
 * @example
 * permissionChanged(app, req, { action: "grant", subject: "bob", resource: { experiment_id: "1" }, permission: "EDIT" });
 */
export function permissionChanged(app: MlflowApp, req: MlflowRequest, change: PermissionChange): void {
  app.context?.events?.emit({ type: "permission-change", actor: req.state?.authorization?.username, ...change, req });
}

/**
 * MLflow's experiment and registered-model permission endpoints (create/get/update/delete under
 * `/api/2.0/mlflow/{experiments,registered-models}/permissions/`), with MLflow's JSON and errors.
 * Who may call them is the rule table's business (MANAGE on the resource, or admin).
 *
 * @example
 * registerPermissionRoutes(app, store);
 */
export function registerPermissionRoutes(app: MlflowApp, store: AuthStore): void {
  const username = { username: f.string(true) };
  const families = [
    { base: "/api/2.0/mlflow/experiments/permissions", kind: "experiment" as const, key: "experiment_id", field: f.id(true), response: "experiment_permission", resource: "experiment_id" },
    { base: "/api/2.0/mlflow/registered-models/permissions", kind: "registered_model" as const, key: "name", field: f.string(true), response: "registered_model_permission", resource: "registered_model_name" },
  ];
  for (const family of families) {
    const shape = (resource: string, userId: number, permission: string) =>
      family.kind === "experiment" ? { experiment_id: resource, user_id: userId, permission } : { workspace: "default", name: resource, user_id: userId, permission };
    const grant: Record<string, Field<string>> = { ...username, [family.key]: family.field };
    const withPermission: Record<string, Field<string>> = { ...grant, permission: f.string(true) };
    const changed = (req: MlflowRequest, action: string, p: Record<string, string | undefined>) =>
      permissionChanged(app, req, { action, subject: p.username, resource: { [family.resource]: p[family.key]! }, ...(p.permission ? { permission: p.permission } : {}) });
    app.endpoint("POST", `${family.base}/create`, withPermission, async (p, req) => {
      const user = await store.requireUser(p.username!);
      const created = await store.createGrant(family.kind, p[family.key]!, user.id, p.permission!);
      changed(req, "grant", p);
      return { [family.response]: shape(created.resource, created.userId, created.permission) };
    });
    app.endpoint("GET", `${family.base}/get`, grant, async (p) => {
      const user = await store.requireUser(p.username!);
      const found = await store.requireGrant(family.kind, p[family.key]!, user.id, p.username!);
      return { [family.response]: shape(found.resource, found.userId, found.permission) };
    });
    app.endpoint("PATCH", `${family.base}/update`, withPermission, async (p, req) => {
      const user = await store.requireUser(p.username!);
      await store.updateGrant(family.kind, p[family.key]!, user.id, p.username!, p.permission!);
      changed(req, "grant-update", p);
      return {};
    });
    app.endpoint("DELETE", `${family.base}/delete`, grant, async (p, req) => {
      const user = await store.requireUser(p.username!);
      await store.deleteGrant(family.kind, p[family.key]!, user.id, p.username!);
      changed(req, "revoke", p);
      return {};
    });
  }
}

/**
 * Group grants, for apps whose identity provider sends groups (admins only, by the rule table):
 * `GET /api/2.0/mlflow-ts/group-permissions/list?group=…`, `POST …/set` (group, kind
 * `experiment` | `registered_model`, resource, permission), `DELETE …/delete`.
 *
 * @example
 * registerGroupPermissionRoutes(app, store);
 */
export function registerGroupPermissionRoutes(app: MlflowApp, store: AuthStore): void {
  const base = "/api/2.0/mlflow-ts/group-permissions";
  const kind = f.enumOf(["experiment", "registered_model"] as const, true);
  const target = { group: f.string(true), kind, resource: f.string(true) };
  const json = (g: { group: string; kind: string; resource: string; permission: string }) => ({ group: g.group, kind: g.kind, resource: g.resource, permission: g.permission });
  app.endpoint("GET", `${base}/list`, { group: f.string() }, async (p) => ({ group_permissions: (await store.listGroupGrants(p.group)).map(json) }));
  const resourceOf = (kind: string, resource: string): Record<string, string> => ({ [kind === "experiment" ? "experiment_id" : "registered_model_name"]: resource });
  app.endpoint("POST", `${base}/set`, { ...target, permission: f.string(true) }, async (p, req) => {
    const set = await store.setGroupGrant(p.group, p.kind, p.resource, p.permission);
    permissionChanged(app, req, { action: "group-grant", subject: p.group, resource: resourceOf(p.kind, p.resource), permission: p.permission });
    return { group_permission: json(set) };
  });
  app.endpoint("DELETE", `${base}/delete`, target, async (p, req) => {
    await store.deleteGroupGrant(p.group, p.kind, p.resource);
    permissionChanged(app, req, { action: "group-revoke", subject: p.group, resource: resourceOf(p.kind, p.resource) });
    return {};
  });
}
