// oidc-auth's pages in the web UI (through plugin-api's UI extension point): who is signed in,
// and for admins the permissions of groups and of users. A browser module: types only imported.
import type { UiHost } from "@mlflow-ts/protocol";

const PERMISSIONS = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];

/** A labelled choice among `values`. */
const select = (host: UiHost, label: string, values: string[], value: string, onChange: (v: string) => void) =>
  host.element("select", { "aria-label": label, onChange: (e: Event) => onChange((e.target as HTMLSelectElement).value) }, ...values.map((v) => host.element("option", { value: v, ...(v === value ? { selected: true } : {}) }, v)));

/** Everyone: who the provider says you are, your groups, and signing out. */
export function mountMe(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  host.fetchJson<{ user: { username: string; is_admin: boolean; groups: string[] } }>("ajax-api/2.0/mlflow-ts/oidc/me").then(({ user }) => {
    element.append(
      h("p", {}, `Signed in as ${user.username}${user.is_admin ? " (admin)" : ""}.`),
      h("p", {}, user.groups.length ? `Groups: ${user.groups.join(", ")}` : "No groups."),
      h("a", { class: "button", href: "oidc/logout" }, "Sign out"),
    );
  }, (e: Error) => host.notify(e.message, "error"));
}

/** Admins: what each group may do on experiments and registered models. */
export function mountGroups(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  const body = h("tbody");
  const load = async () => {
    const { group_permissions } = await host.fetchJson<{ group_permissions: { group: string; kind: string; resource: string; permission: string }[] }>("/api/2.0/mlflow-ts/group-permissions/list");
    body.replaceChildren(
      ...group_permissions.map((g) =>
        h(
          "tr",
          {},
          h("td", {}, g.group),
          h("td", {}, g.kind === "experiment" ? "experiment" : "model"),
          h("td", {}, h("a", { href: g.kind === "experiment" ? `#/experiments/${encodeURIComponent(g.resource)}` : `#/models/${encodeURIComponent(g.resource)}` }, g.resource)),
          h("td", {}, select(host, `Permission of ${g.group} on ${g.resource}`, PERMISSIONS, g.permission, (p) => void host.act(`${g.group}: ${p} on ${g.resource}`, () => host.fetchJson("/api/2.0/mlflow-ts/group-permissions/set", { method: "POST", body: { ...g, permission: p } })))),
          h(
            "td",
            {},
            h("button", { type: "button", "aria-label": `Revoke ${g.group} on ${g.resource}`, onClick: async () => (await host.act("Revoked", () => host.fetchJson("/api/2.0/mlflow-ts/group-permissions/delete", { method: "DELETE", body: { group: g.group, kind: g.kind, resource: g.resource } }))) && load() }, "Revoke"),
          ),
        ),
      ),
    );
  };
  const group = h("input", { "aria-label": "Group", placeholder: "group", required: true }) as HTMLInputElement;
  const resource = h("input", { "aria-label": "Experiment ID or model name", placeholder: "experiment ID or model name", required: true }) as HTMLInputElement;
  let kind = "experiment";
  let permission = "READ";
  element.append(
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: async (e: Event) => {
          e.preventDefault();
          if (await host.act("Granted", () => host.fetchJson("/api/2.0/mlflow-ts/group-permissions/set", { method: "POST", body: { group: group.value.trim(), kind, resource: resource.value.trim(), permission } }))) await load();
        },
      },
      group,
      select(host, "Kind", ["experiment", "registered_model"], kind, (v) => (kind = v)),
      resource,
      select(host, "Permission to grant", PERMISSIONS, permission, (v) => (permission = v)),
      h("button", { type: "submit", class: "primary" }, "Grant"),
    ),
    h("table", { class: "grid" }, h("thead", {}, h("tr", {}, ...["Group", "Kind", "Resource", "Permission", "Actions"].map((t) => h("th", { scope: "col" }, t)))), body),
  );
  load().catch((e: Error) => host.notify(e.message, "error"));
}

/** Admins: one user's own grants (MLflow's permission endpoints). */
export function mountUsers(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  const who = h("input", { "aria-label": "Username", placeholder: "username" }) as HTMLInputElement;
  const resource = h("input", { "aria-label": "Experiment ID or model name", placeholder: "experiment ID or model name" }) as HTMLInputElement;
  let kind = "experiment";
  let permission = "READ";
  element.append(
    h("p", {}, "Users appear once they have signed in. A user's own grant decides over their groups'."),
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: (e: Event) => {
          e.preventDefault();
          const base = kind === "experiment" ? "/api/2.0/mlflow/experiments/permissions" : "/api/2.0/mlflow/registered-models/permissions";
          const key = kind === "experiment" ? "experiment_id" : "name";
          void host.act(`Granted ${permission} to ${who.value}`, () => host.fetchJson(`${base}/create`, { method: "POST", body: { username: who.value.trim(), [key]: resource.value.trim(), permission } }));
        },
      },
      who,
      select(host, "Kind", ["experiment", "registered_model"], kind, (v) => (kind = v)),
      resource,
      select(host, "Permission to grant", PERMISSIONS, permission, (v) => (permission = v)),
      h("button", { type: "submit", class: "primary" }, "Grant"),
    ),
  );
}
