import { f, type Field } from "@mlflow-ts/protocol";
import type { MlflowApp } from "@mlflow-ts/plugin-api";
import type { AuthStore } from "./auth-store.js";

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
    { base: "/api/2.0/mlflow/experiments/permissions", kind: "experiment" as const, key: "experiment_id", field: f.id(true), response: "experiment_permission" },
    { base: "/api/2.0/mlflow/registered-models/permissions", kind: "registered_model" as const, key: "name", field: f.string(true), response: "registered_model_permission" },
  ];
  for (const family of families) {
    const shape = (resource: string, userId: number, permission: string) =>
      family.kind === "experiment" ? { experiment_id: resource, user_id: userId, permission } : { workspace: "default", name: resource, user_id: userId, permission };
    const grant: Record<string, Field<string>> = { ...username, [family.key]: family.field };
    const withPermission: Record<string, Field<string>> = { ...grant, permission: f.string(true) };
    app.endpoint("POST", `${family.base}/create`, withPermission, async (p) => {
      const user = await store.requireUser(p.username!);
      const created = await store.createGrant(family.kind, p[family.key]!, user.id, p.permission!);
      return { [family.response]: shape(created.resource, created.userId, created.permission) };
    });
    app.endpoint("GET", `${family.base}/get`, grant, async (p) => {
      const user = await store.requireUser(p.username!);
      const found = await store.requireGrant(family.kind, p[family.key]!, user.id, p.username!);
      return { [family.response]: shape(found.resource, found.userId, found.permission) };
    });
    app.endpoint("PATCH", `${family.base}/update`, withPermission, async (p) => {
      const user = await store.requireUser(p.username!);
      await store.updateGrant(family.kind, p[family.key]!, user.id, p.username!, p.permission!);
      return {};
    });
    app.endpoint("DELETE", `${family.base}/delete`, grant, async (p) => {
      const user = await store.requireUser(p.username!);
      await store.deleteGrant(family.kind, p[family.key]!, user.id, p.username!);
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
  app.endpoint("POST", `${base}/set`, { ...target, permission: f.string(true) }, async (p) => ({ group_permission: json(await store.setGroupGrant(p.group, p.kind, p.resource, p.permission)) }));
  app.endpoint("DELETE", `${base}/delete`, target, async (p) => {
    await store.deleteGroupGrant(p.group, p.kind, p.resource);
    return {};
  });
}
