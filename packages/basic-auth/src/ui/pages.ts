// basic-auth's pages in the web UI, contributed through plugin-api's UI extension point exactly as
// a third-party app would: a browser ES module the app serves, whose exports the UI mounts. It
// imports nothing at run time (types only) and talks to the server only through the host.
import type { UiHost } from "@mlflow-ts/protocol";

interface UserSummary {
  readonly id: number;
  readonly username: string;
  readonly is_admin: boolean;
}
interface UserDetail extends UserSummary {
  readonly experiment_permissions: readonly { experiment_id: string; permission: string }[];
  readonly registered_model_permissions: readonly { name: string; permission: string }[];
}

const PERMISSIONS = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];

/** A labelled form field. */
function field(host: UiHost, label: string, input: HTMLElement): HTMLElement {
  return host.element("label", { class: "field" }, host.element("span", {}, label), input);
}

const API = "/api/2.0/mlflow";

/** Admins: every user, create one, set a password, toggle admin, delete. */
export function mountUsers(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  const list = h("tbody");
  const load = async () => {
    const { users } = await host.fetchJson<{ users: UserSummary[] }>(`${API}/users/list`);
    list.replaceChildren(
      ...users.map((u) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/apps/basic-auth/permissions?user=${encodeURIComponent(u.username)}` }, u.username)),
          h(
            "td",
            {},
            h("input", {
              type: "checkbox",
              "aria-label": `${u.username} is an admin`,
              ...(u.is_admin ? { checked: true } : {}),
              onChange: async (e: Event) => {
                const on = (e.target as HTMLInputElement).checked;
                if (!(await host.act(`${u.username} ${on ? "is now" : "is no longer"} an admin`, () => host.fetchJson(`${API}/users/update-admin`, { method: "PATCH", body: { username: u.username, is_admin: on } })))) {
                  (e.target as HTMLInputElement).checked = !on;
                }
              },
            }),
          ),
          h(
            "td",
            { class: "row-actions" },
            h(
              "button",
              {
                type: "button",
                "aria-label": `Set password of ${u.username}`,
                onClick: () => {
                  const password = window.prompt(`New password for ${u.username} (12 characters or more)`);
                  if (password) void host.act(`Password of ${u.username} changed`, () => host.fetchJson(`${API}/users/update-password`, { method: "PATCH", body: { username: u.username, password } }));
                },
              },
              "Set password",
            ),
            h(
              "button",
              {
                type: "button",
                "aria-label": `Delete user ${u.username}`,
                onClick: async () => {
                  if (!window.confirm(`Delete user ${u.username} and their permissions?`)) return;
                  if (await host.act(`Deleted ${u.username}`, () => host.fetchJson(`${API}/users/delete`, { method: "DELETE", body: { username: u.username } }))) await load();
                },
              },
              "Delete",
            ),
          ),
        ),
      ),
    );
  };
  const username = h("input", { name: "username", required: true, autocomplete: "off" }) as HTMLInputElement;
  const password = h("input", { name: "password", type: "password", required: true, minlength: "12", autocomplete: "new-password" }) as HTMLInputElement;
  const form = h(
    "form",
    {
      class: "inline-form",
      onSubmit: async (e: Event) => {
        e.preventDefault();
        const name = username.value.trim();
        if (await host.act(`Created ${name}`, () => host.fetchJson(`${API}/users/create`, { method: "POST", body: { username: name, password: password.value } }))) {
          form.reset();
          await load();
        }
      },
    },
    field(host, "Username", username),
    field(host, "Password", password),
    h("button", { type: "submit", class: "primary" }, "Create user"),
  ) as HTMLFormElement;
  element.append(
    h("h2", {}, "Create a user"),
    form,
    h("h2", {}, "Users"),
    h("table", { class: "grid" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Username"), h("th", { scope: "col" }, "Admin"), h("th", { scope: "col" }, "Actions"))), list),
  );
  load().catch((e: Error) => host.notify(e.message, "error"));
}

/** Admins: a user's experiment and registered-model permissions — grant, change, revoke. */
export function mountPermissions(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  const wanted = new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("user") ?? "";
  const who = h("input", { name: "user", value: wanted, "aria-label": "Username", placeholder: "username" }) as HTMLInputElement;
  const body = h("div");
  const permissionSelect = (value: string, label: string, onChange: (p: string) => void) =>
    h("select", { "aria-label": label, onChange: (e: Event) => onChange((e.target as HTMLSelectElement).value) }, ...PERMISSIONS.map((p) => h("option", { value: p, ...(p === value ? { selected: true } : {}) }, p)));
  const show = async () => {
    const username = who.value.trim();
    if (!username) return;
    const { user } = await host.fetchJson<{ user: UserDetail }>(`${API}/users/get`, { query: { username } });
    const family = (kind: "experiment" | "model") => {
      const base = kind === "experiment" ? `${API}/experiments/permissions` : `${API}/registered-models/permissions`;
      const key = kind === "experiment" ? "experiment_id" : "name";
      const grants = kind === "experiment" ? user.experiment_permissions.map((g) => ({ id: g.experiment_id, permission: g.permission })) : user.registered_model_permissions.map((g) => ({ id: g.name, permission: g.permission }));
      const resource = h("input", { "aria-label": kind === "experiment" ? "Experiment ID" : "Model name", placeholder: kind === "experiment" ? "experiment ID" : "model name" }) as HTMLInputElement;
      let chosen = "READ";
      return h(
        "section",
        {},
        h("h2", {}, kind === "experiment" ? "Experiment permissions" : "Registered model permissions"),
        h(
          "table",
          { class: "grid" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, kind === "experiment" ? "Experiment" : "Model"), h("th", { scope: "col" }, "Permission"), h("th", { scope: "col" }, "Actions"))),
          h(
            "tbody",
            {},
            ...grants.map((g) =>
              h(
                "tr",
                {},
                h("td", {}, h("a", { href: kind === "experiment" ? `#/experiments/${encodeURIComponent(g.id)}` : `#/models/${encodeURIComponent(g.id)}` }, g.id)),
                h("td", {}, permissionSelect(g.permission, `Permission of ${username} on ${g.id}`, (p) => void host.act(`${username}: ${p} on ${g.id}`, () => host.fetchJson(`${base}/update`, { method: "PATCH", body: { username, [key]: g.id, permission: p } })))),
                h(
                  "td",
                  {},
                  h(
                    "button",
                    { type: "button", "aria-label": `Revoke ${username} on ${g.id}`, onClick: async () => (await host.act(`Revoked ${g.id}`, () => host.fetchJson(`${base}/delete`, { method: "DELETE", body: { username, [key]: g.id } }))) && show() },
                    "Revoke",
                  ),
                ),
              ),
            ),
          ),
        ),
        h(
          "form",
          {
            class: "inline-form",
            onSubmit: async (e: Event) => {
              e.preventDefault();
              const id = resource.value.trim();
              if (id && (await host.act(`Granted ${chosen} on ${id}`, () => host.fetchJson(`${base}/create`, { method: "POST", body: { username, [key]: id, permission: chosen } })))) await show();
            },
          },
          resource,
          permissionSelect(chosen, "Permission to grant", (p) => (chosen = p)),
          h("button", { type: "submit" }, "Grant"),
        ),
      );
    };
    body.replaceChildren(h("p", {}, `${user.username}${user.is_admin ? " is an admin: every permission applies." : ""}`), family("experiment"), family("model"));
  };
  element.append(
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: (e: Event) => {
          e.preventDefault();
          show().catch((err: Error) => host.notify(err.message, "error"));
        },
      },
      who,
      h("button", { type: "submit" }, "Show permissions"),
    ),
    body,
  );
  if (wanted) show().catch((err: Error) => host.notify(err.message, "error"));
}

/** Everyone: change their own password. */
export function mountAccount(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  const username = host.user?.username ?? "";
  const password = h("input", { type: "password", name: "password", required: true, minlength: "12", autocomplete: "new-password" }) as HTMLInputElement;
  const again = h("input", { type: "password", name: "again", required: true, minlength: "12", autocomplete: "new-password" }) as HTMLInputElement;
  const form = h(
    "form",
    {
      onSubmit: async (e: Event) => {
        e.preventDefault();
        if (password.value !== again.value) {
          host.notify("The two passwords differ", "error");
          return;
        }
        if (await host.act("Password changed: your browser will ask for it again", () => host.fetchJson(`${API}/users/update-password`, { method: "PATCH", body: { username, password: password.value } }))) form.reset();
      },
    },
    h("p", {}, `Signed in as ${username}.`),
    field(host, "New password (12 characters or more)", password),
    field(host, "New password, again", again),
    h("button", { type: "submit", class: "primary" }, "Change password"),
  ) as HTMLFormElement;
  element.append(form);
}
