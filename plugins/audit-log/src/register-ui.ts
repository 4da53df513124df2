import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MlflowApp } from "@mlflow-ts/plugin-api";

// The browser module of the page, next to this file once built (src/ui/page.ts → dist/ui/page.js).
const PAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), "ui", "page.js");

/**
 * Where the page's module is served, below the static prefix.
 *
 * @example
 * fetch(`${url}${prefix}${PAGE_MODULE}`); // the page's ES module
 */
export const PAGE_MODULE = "/audit-log/ui.js";

/**
 * The admin page "Audit log" in the web UI: an ES module (no framework, no build step of its own)
 * served at `<prefix>/audit-log/ui.js`, listed in the admin menu. It talks to the search endpoint
 * only. With an auth app, the module and the endpoint have no rule, so only admins get them.
 *
 * @example
 * registerUi(app, app.context.config.staticPrefix);
 */
export function registerUi(app: MlflowApp, prefix: string): void {
  const source = fs.readFileSync(PAGE);
  app.get(`${prefix}${PAGE_MODULE}`, (_req, res) => {
    res.set({ "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" }).end(source);
  });
  app.ui("audit-log", { pages: [{ id: "log", title: "Audit log", module: PAGE_MODULE, navigation: "admin" }] });
}
