import type { MlflowApp } from "@mlflow-ts/plugin-api";
import type { AuditSink } from "./audit-sink.js";
import { AUDIT_QUERY_PARAMS, auditQuery } from "./audit-query.js";

/**
 * The search endpoint's path below `/api/2.0` and `<prefix>/ajax-api/2.0`.
 *
 * @example
 * fetch(`${url}/api/2.0${SEARCH_PATH}?user=alice`);
 */
export const SEARCH_PATH = "/audit-log/search";

/**
 * `GET /api/2.0/audit-log/search` (and under `<prefix>/ajax-api/2.0`, where the web UI calls it):
 * entries newest first, filtered by `user`, `kind`, `outcome`, `endpoint` (substring), `since`,
 * `until`, paged by `max_results` (≤ 1,000) and `page_token`. Declared with `app.endpoint`, so an
 * auth app's rules apply: it has no rule, so it is for admins only.
 *
 * @example
 * registerSearch(app, sink, app.context.config.staticPrefix);
 * // GET /api/2.0/audit-log/search?user=alice&outcome=refused → { entries: [...], next_page_token }
 */
export function registerSearch(app: MlflowApp, sink: AuditSink, prefix: string): void {
  app.endpoint("GET", [`/api/2.0${SEARCH_PATH}`, `${prefix}/ajax-api/2.0${SEARCH_PATH}`], AUDIT_QUERY_PARAMS, async (params) => {
    const page = await sink.search(auditQuery(params));
    return { entries: page.entries, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  });
}
