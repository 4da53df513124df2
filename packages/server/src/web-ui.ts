import fs from "node:fs";
import path from "node:path";
import type { Express, Request, Response } from "express";
import type { UiIdentity, UiManifest } from "@mlflow-ts/protocol";
import type { MlflowRequest, UiExtension } from "@mlflow-ts/plugin-api";
import { route, type RouteDefinition } from "./route.js";

/** Where the built web UI is: a directory with `index.html` and `static-files/`. */
export interface WebUiOptions {
  readonly directory: string;
}

// Hashed file names never change content: cached for a year. index.html is revalidated every time.
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Serves the single-page UI: `<prefix>/` answers `index.html` (the UI routes in the URL's hash,
 * MLflow's scheme, so every link a client prints lands here), `<prefix>/static-files/…` the built
 * assets. Registered as plain routes after the API, so every before-request hook (auth) sees them.
 *
 * @example
 * mountWebUi(app, "/mlflow", { directory: "/srv/ui/dist" });
 */
export function mountWebUi(app: Express, prefix: string, options: WebUiOptions): void {
  const index = fs.readFileSync(path.join(options.directory, "index.html"));
  const assets = path.join(options.directory, "static-files");
  const sendIndex = (_req: Request, res: Response) => {
    res.set({
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
      // The UI is never framed (clickjacking) and loads scripts only from this server.
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    });
    res.end(index);
  };
  app.get(`${prefix}/`, sendIndex);
  if (prefix) app.get(prefix, (_req, res) => res.redirect(308, `${prefix}/`));
  app.get(`${prefix}/static-files/*file`, (req, res, next) => {
    const file = (req.params as { file: string[] }).file.join("/");
    // send() refuses '..' and dotfiles and keeps the path below `root`.
    res.sendFile(file, { root: assets, dotfiles: "deny", headers: { "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff" } }, (error) => {
      if (error) next();
    });
  });
}

/**
 * The UI's manifest endpoint: the pages apps contribute and who is signed in. Admin pages are
 * listed for admins only (the pages' own API calls are authorized by the server either way).
 *
 * @example
 * table.add({ ...uiManifestRoute(extensions), path: "/ajax-api/2.0/mlflow-ts/ui/extensions" });
 */
export function uiManifestRoute(extensions: ReadonlyMap<string, UiExtension>): RouteDefinition {
  return route("GET", "/mlflow-ts/ui/extensions", {}, async (_p, req) => {
    let user: UiIdentity | undefined;
    for (const extension of extensions.values()) {
      user ??= await extension.whoAmI?.(req as MlflowRequest);
    }
    const pages: UiManifest["pages"][number][] = [];
    for (const [app, extension] of extensions) {
      for (const page of extension.pages ?? []) {
        if (page.navigation === "admin" && !user?.isAdmin) continue;
        pages.push({ app, ...page });
      }
    }
    const manifest: UiManifest = { ...(user ? { user } : {}), pages };
    return manifest as unknown as Record<string, unknown>;
  });
}
