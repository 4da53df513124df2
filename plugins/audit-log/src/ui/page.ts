// The audit log's page in the web UI, contributed through plugin-api's UI extension point as any
// app's: a browser ES module the app serves, whose `mount` the UI calls. It imports nothing at run
// time (types only) and reads the log only through the search endpoint.
import type { UiHost } from "@mlflow-ts/plugin-api";

interface Entry {
  readonly time: string;
  readonly kind: string;
  readonly user: string | null;
  readonly method?: string;
  readonly endpoint?: string | null;
  readonly path?: string;
  readonly status?: number;
  readonly outcome: string;
  readonly resource?: Record<string, string | string[]>;
  readonly ms?: number;
  readonly auth?: string;
  readonly reason?: string;
  readonly action?: string;
  readonly subject?: string;
  readonly permission?: string;
}

const SEARCH = "/ajax-api/2.0/audit-log/search";
const PAGE_SIZE = 50;

/** What happened, in a few words: the endpoint of a request, the way of a sign-in, the change made. */
function whatOf(e: Entry): string {
  if (e.kind === "sign-in") return `sign-in (${e.auth ?? "?"})${e.reason ? `: ${e.reason}` : ""}`;
  if (e.kind === "permission-change") return [e.action, e.subject && `for ${e.subject}`, e.permission].filter(Boolean).join(" ");
  return `${e.method ?? ""} ${e.endpoint ?? e.path ?? ""}`;
}

function resourceOf(e: Entry): string {
  return Object.entries(e.resource ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`)
    .join(" ");
}

/** An `<input type="datetime-local">` value (local time) as ISO 8601 UTC, or undefined. */
function instant(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * Admins: search the audit log — by user, kind, outcome, endpoint and time — newest first, a page
 * at a time. The web UI calls it with the page's area and its host.
 *
 * @example
 * // app.ui("audit-log", { pages: [{ id: "log", title: "Audit log", module: "/audit-log/ui.js", navigation: "admin" }] })
 * mount(document.querySelector("main")!, host);
 */
export function mount(element: HTMLElement, host: UiHost): void {
  const h = host.element;
  const field = (label: string, input: HTMLElement) => h("label", { class: "field" }, h("span", {}, label), input);
  const select = (name: string, values: readonly string[]) => h("select", { name }, h("option", { value: "" }, "any"), ...values.map((v) => h("option", { value: v }, v))) as HTMLSelectElement;
  const user = h("input", { name: "user", autocomplete: "off", placeholder: "username" }) as HTMLInputElement;
  const kind = select("kind", ["request", "sign-in", "permission-change"]);
  const outcome = select("outcome", ["success", "refused", "error"]);
  const endpoint = h("input", { name: "endpoint", autocomplete: "off", placeholder: "e.g. runs/log" }) as HTMLInputElement;
  const since = h("input", { name: "since", type: "datetime-local", step: "1" }) as HTMLInputElement;
  const until = h("input", { name: "until", type: "datetime-local", step: "1" }) as HTMLInputElement;
  const rows = h("tbody");
  const summary = h("p", { class: "muted", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "Load more") as HTMLButtonElement;
  let token: string | undefined;
  let shown = 0;

  const row = (e: Entry) =>
    h(
      "tr",
      { "data-outcome": e.outcome },
      h("td", { title: e.time }, new Date(e.time).toLocaleString()),
      h("td", {}, e.kind),
      h("td", {}, e.user ?? "—"),
      h("td", { class: "mono" }, whatOf(e)),
      h("td", { class: "mono" }, resourceOf(e)),
      h("td", {}, e.status === undefined ? "" : String(e.status)),
      h("td", {}, h("span", { class: `badge outcome-${e.outcome}` }, e.outcome)),
      h("td", {}, e.ms === undefined ? "" : e.ms.toFixed(1)),
    );

  const load = async (append: boolean) => {
    const { entries, next_page_token } = await host.fetchJson<{ entries?: Entry[]; next_page_token?: string }>(SEARCH, {
      query: {
        user: user.value.trim() || undefined,
        kind: kind.value || undefined,
        outcome: outcome.value || undefined,
        endpoint: endpoint.value.trim() || undefined,
        since: instant(since.value),
        until: instant(until.value),
        max_results: PAGE_SIZE,
        page_token: append ? token : undefined,
      },
    });
    const found = (entries ?? []).map(row);
    if (append) rows.append(...found);
    else rows.replaceChildren(...found);
    shown = (append ? shown : 0) + found.length;
    token = next_page_token;
    more.hidden = !token;
    summary.textContent = shown === 0 ? "No entries match." : `${shown} ${shown === 1 ? "entry" : "entries"}${token ? ", more below" : ""}, newest first.`;
  };
  const run = (append: boolean) => load(append).catch((err: Error) => host.notify(err.message, "error"));
  more.addEventListener("click", () => void run(true));

  element.classList.add("audit-log");
  element.append(
    // Refusals and errors stand out; the colours read on the light and the dark theme alike.
    h("style", {}, ".audit-log .outcome-refused{color:#d92d20;font-weight:600}.audit-log .outcome-error{color:#dc6803;font-weight:600}.audit-log td.mono{font-family:ui-monospace,monospace;font-size:.85em;overflow-wrap:anywhere}"),
    h(
      "form",
      {
        class: "inline-form",
        role: "search",
        onSubmit: (e: Event) => {
          e.preventDefault();
          void run(false);
        },
      },
      field("User", user),
      field("Kind", kind),
      field("Outcome", outcome),
      field("Endpoint contains", endpoint),
      field("Since", since),
      field("Until", until),
      h("button", { type: "submit", class: "primary" }, "Search"),
    ),
    summary,
    h(
      "table",
      { class: "grid" },
      h(
        "thead",
        {},
        h("tr", {}, ...["Time", "Kind", "User", "What", "Resource", "Status", "Outcome", "ms"].map((title) => h("th", { scope: "col" }, title))),
      ),
      rows,
    ),
    more,
  );
  void run(false);
}
