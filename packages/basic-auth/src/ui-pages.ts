import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MlflowApp, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { UserRecord } from "@mlflow-ts/authz";

// The browser module next to this file once built (src/ui/pages.ts → dist/ui/pages.js).
const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), "ui", "pages.js");

/**
 * basic-auth's part of the web UI, through the same extension point any app uses: who is signed
 * in, and pages — users and permissions for admins, a password change for everyone — served as
 * one ES module at `<prefix>/basic-auth/ui/pages.js`.
 *
 * @example
 * registerUiPages(app, "/mlflow", (req) => callers.get(req));
 */
export function registerUiPages(app: MlflowApp, prefix: string, callerOf: (req: MlflowRequest) => UserRecord | undefined): void {
  const module = "/basic-auth/ui/pages.js";
  const source = fs.readFileSync(PAGES);
  app.get(`${prefix}${module}`, (_req, res) => {
    res.set({ "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" }).end(source);
  });
  app.ui("basic-auth", {
    pages: [
      { id: "users", title: "Users", module, exportName: "mountUsers", navigation: "admin" },
      { id: "permissions", title: "Permissions", module, exportName: "mountPermissions", navigation: "admin" },
      { id: "account", title: "Change password", module, exportName: "mountAccount", navigation: "account" },
    ],
    whoAmI: (req) => {
      const user = callerOf(req);
      return user ? { username: user.username, isAdmin: user.isAdmin } : undefined;
    },
  });
}
