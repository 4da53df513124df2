import { MlflowError, f, type Infer } from "@mlflow-ts/plugin-api";
import type { AuditEntry, AuditKind, AuditOutcome } from "./audit-entry.js";

/**
 * The filters of a search, checked ({@link auditQuery}).
 *
 * @example
 * const query: AuditQuery = { user: "alice", outcome: "refused", maxResults: 50 };
 */
export interface AuditQuery {
  /** Exactly this user. */
  readonly user?: string;
  readonly kind?: AuditKind;
  readonly outcome?: AuditOutcome;
  /** A substring of the endpoint pattern (of the path for unknown routes), any case. */
  readonly endpoint?: string;
  /** At or after this instant, ISO 8601 UTC. */
  readonly since?: string;
  /** At or before this instant, ISO 8601 UTC. */
  readonly until?: string;
  readonly maxResults: number;
  readonly pageToken?: string;
}

/**
 * The parameters of `GET /api/2.0/audit-log/search`, as the server parses them.
 *
 * @example
 * app.endpoint("GET", "/api/2.0/audit-log/search", AUDIT_QUERY_PARAMS, (p) => search(auditQuery(p)));
 */
export const AUDIT_QUERY_PARAMS = {
  user: f.string(),
  kind: f.enumOf(["request", "sign-in", "permission-change"] as const),
  outcome: f.enumOf(["success", "refused", "error"] as const),
  endpoint: f.string(),
  since: f.string(),
  until: f.string(),
  max_results: f.int(),
  page_token: f.string(),
};

/**
 * The most entries one page returns (`max_results`); 100 when not given.
 *
 * @example
 * auditQuery({ max_results: MAX_RESULTS }).maxResults; // 1000
 */
export const MAX_RESULTS = 1000;

function instant(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid value '${value}' for parameter '${name}': expected an ISO 8601 time (2026-12-01T10:00:00Z) or epoch milliseconds`);
  }
  return new Date(ms).toISOString();
}

/**
 * Checks a search's parameters: times as ISO 8601 or epoch milliseconds, `max_results` from 1 to
 * 1,000 (100 by default). Bad values are MLflow's 400 `INVALID_PARAMETER_VALUE`.
 *
 * @example
 * auditQuery({ user: "alice", since: "2026-12-01", max_results: 50 });
 */
export function auditQuery(params: Readonly<Infer<typeof AUDIT_QUERY_PARAMS>>): AuditQuery {
  const maxResults = params.max_results ?? 100;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid value ${maxResults} for parameter 'max_results': it must be between 1 and ${MAX_RESULTS}`);
  }
  const since = instant(params.since, "since");
  const until = instant(params.until, "until");
  return {
    ...(params.user ? { user: params.user } : {}),
    ...(params.kind ? { kind: params.kind } : {}),
    ...(params.outcome ? { outcome: params.outcome } : {}),
    ...(params.endpoint ? { endpoint: params.endpoint } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    maxResults,
    ...(params.page_token ? { pageToken: params.page_token } : {}),
  };
}

/**
 * The text the `endpoint` filter searches in: the endpoint pattern, or the path when no route
 * matched.
 *
 * @example
 * endpointText({ endpoint: null, path: "/nope" }); // "/nope"
 */
export function endpointText(entry: Pick<AuditEntry, "endpoint" | "path">): string {
  return entry.endpoint ?? entry.path ?? "";
}

/**
 * Whether an entry passes a query's filters (paging aside).
 *
 * @example
 * matchesQuery(entry, { user: "alice", maxResults: 10 });
 */
export function matchesQuery(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.user !== undefined && entry.user !== query.user) return false;
  if (query.kind !== undefined && entry.kind !== query.kind) return false;
  if (query.outcome !== undefined && entry.outcome !== query.outcome) return false;
  if (query.since !== undefined && entry.time < query.since) return false;
  if (query.until !== undefined && entry.time > query.until) return false;
  if (query.endpoint !== undefined && !endpointText(entry).toLowerCase().includes(query.endpoint.toLowerCase())) return false;
  return true;
}

/**
 * A page token: where the previous page stopped, opaque to clients. A bad one is a 400.
 *
 * @example
 * const token = encodePageToken({ ino: 12, offset: 4096 });
 * decodePageToken<{ ino: number; offset: number }>(token).offset; // 4096
 */
export function encodePageToken(position: Readonly<Record<string, number>>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/**
 * Reads a token of {@link encodePageToken}; every listed key must be a non-negative integer, or it
 * is MLflow's 400.
 *
 * @example
 * const { id } = decodePageToken<{ id: number }>(token, ["id"]);
 */
export function decodePageToken<T extends Record<string, number>>(token: string, keys: readonly (keyof T & string)[]): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const record = value as Record<string, unknown> | undefined;
  if (typeof record !== "object" || record === null || !keys.every((k) => Number.isSafeInteger(record[k]) && (record[k] as number) >= 0)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid page_token '${token.slice(0, 100)}'`);
  }
  return record as T;
}
