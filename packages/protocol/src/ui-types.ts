// The wire types of the web UI's manifest endpoint: what the server tells the UI about the pages
// apps contribute and who is signed in (the UI imports these; apps declare them through plugin-api).

/**
 * Who is signed in, as an app tells the web UI: shown in its header, and deciding which
 * admin-only pages it lists.
 *
 * @example
 * const me: UiIdentity = { username: "alice", isAdmin: false };
 */
export interface UiIdentity {
  readonly username: string;
  readonly isAdmin?: boolean;
}

/**
 * A page an app contributes to the web UI. The UI lists it in its navigation and, when opened at
 * `#/apps/<app>/<id>`, imports `module` (an ES module the app serves, a path below the static
 * prefix such as `/basic-auth/ui/pages.js`) and calls its `mount` export: `(element, host) =>
 * cleanup?`, with plugin-api's `UiHost`. The module runs in the browser: it imports no Node package.
 *
 * @example
 * const page: UiPage = { id: "users", title: "Users", module: "/acme/ui/users.js", navigation: "admin" };
 */
export interface UiPage {
  /** Unique within the app: `[a-z0-9-]+`. */
  readonly id: string;
  readonly title: string;
  /** The ES module (served by the app, below the static prefix) whose `mount` renders the page. */
  readonly module: string;
  /**
   * Where the page is listed: `main` (the top bar), `account` (the signed-in user's menu), `admin`
   * (the admin menu, shown to admins only) or `none` (reachable by link only).
   */
  readonly navigation?: "main" | "account" | "admin" | "none";
  /** The name of the export the UI calls; `mount` by default (one module may hold several pages). */
  readonly exportName?: string;
}

/** The JSON `GET <prefix>/ajax-api/2.0/mlflow-ts/ui/extensions` answers to the web UI. */
export interface UiManifest {
  readonly user?: UiIdentity;
  readonly pages: readonly (UiPage & { readonly app: string })[];
}

/**
 * What the UI hands a contributed page's `mount(element, host)`. Its functions need no `this`:
 * `const h = host.element` is fine.
 *
 * @example
 * export function mount(element: HTMLElement, host: UiHost) {
 *   host.fetchJson("/api/2.0/mlflow/users/list").then(({ users }) => (element.textContent = `${users.length} users`));
 * }
 */
export interface UiHost {
  /** The signed-in user, when an app says who it is. */
  readonly user: UiIdentity | undefined;
  /**
   * Calls the server below its static prefix (`/api/2.0/...`, `/ajax-api/2.0/...`) with JSON in
   * and out; rejects with an `Error` carrying MLflow's `message` and `error_code`.
   */
  fetchJson<T = Record<string, unknown>>(path: string, init?: { method?: string; body?: unknown; query?: Record<string, string | number | boolean | undefined> }): Promise<T>;
  /** Opens a UI route (`#/experiments/1`). */
  navigate(hash: string): void;
  /** Shows a short message in the UI's notification area. */
  notify(message: string, kind?: "info" | "error"): void;
  /**
   * Builds a DOM element, so a page needs no framework of its own: attributes by name (`class`;
   * `value` as the property; `on<event>` functions as listeners; `true` for a bare attribute;
   * `false` and `undefined` left out), then children (nodes or text; `false`, `null` and
   * `undefined` skipped).
   *
   * @example
   * host.element("button", { class: "primary", onClick: () => save() }, "Save");
   */
  element(tag: string, attrs?: Readonly<Record<string, unknown>>, ...children: (Node | string | false | null | undefined)[]): HTMLElement;
  /**
   * Runs an action and reports its outcome in the notification area: `done` when it succeeds, the
   * error's message when it fails. Resolves with whether it succeeded.
   *
   * @example
   * if (await host.act("Password changed", () => host.fetchJson("/api/2.0/mlflow/users/update-password", { method: "PATCH", body }))) form.reset();
   */
  act(done: string, fn: () => Promise<unknown>): Promise<boolean>;
}
