import { requestEndpoint, type MlflowRequest } from "@mlflow-ts/plugin-api";

/**
 * Which requests nobody needs to sign in for: MLflow's `/health`, `/favicon.ico` and static
 * files, decided by the route the server matched, never by a URL prefix.
 *
 * - A request the server matched to an endpoint (every API route, base or an app's) is open only
 *   when that endpoint is `GET <prefix>/health` (HEAD too: it matches as GET) without `?detail`
 *   (which has no rule, so admins only). MLflow's `/version` needs a login there, and so it does here.
 * - Any other request (the UI's plain routes, an app's Express routes, unknown paths) is open only
 *   at exactly `/health` or `/favicon.ico`, or inside `/static/` (MLflow's own rule) or
 *   `/static-files/` (where this server's UI assets are), each with and without the prefix. A
 *   directory is entered at a segment boundary: `/static-filesX/…` is not inside it.
 *
 * MLflow opens every path that merely starts with `/static`; with a prefix such as
 * `/static-mlflow` that is the whole prefixed API, so this server does not follow it there.
 *
 * @example
 * const isOpen = openRoutes(app.context.config.staticPrefix);
 * app.beforeRequest((req) => (isOpen(req) ? undefined : requireLogin(req)));
 */
export function openRoutes(prefix: string): (req: MlflowRequest) => boolean {
  const roots = prefix ? ["", prefix] : [""];
  const exact = new Set(roots.flatMap((p) => [`${p}/health`, `${p}/favicon.ico`]));
  // The trailing slash is the segment boundary.
  const directories = roots.flatMap((p) => [`${p}/static/`, `${p}/static-files/`]);
  const health = `${prefix}/health`;
  return (req) => {
    const endpoint = requestEndpoint(req);
    // `/health?detail` reports what the apps say about themselves: admins only.
    if (endpoint) return endpoint.method === "GET" && endpoint.path === health && req.query.detail === undefined;
    const path = req.path;
    return exact.has(path) || directories.some((d) => path.startsWith(d));
  };
}
