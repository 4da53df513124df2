/**
 * What an entry records: a state-changing request, a sign-in, or a change of who may do what.
 *
 * @example
 * const kind: AuditKind = "sign-in";
 */
export type AuditKind = "request" | "sign-in" | "permission-change";

/**
 * How it ended: done, refused (401, 403, 429, a failed sign-in), or failed otherwise.
 *
 * @example
 * const outcome: AuditOutcome = outcomeOf(403); // "refused"
 */
export type AuditOutcome = "success" | "refused" | "error";

/**
 * One line of the audit log. Ids and names only: never a body, a value, a password, a token or a
 * header. Fields a kind does not have are left out.
 *
 * @example
 * const entry: AuditEntry = {
 *   time: "2026-12-01T10:00:00.000Z", kind: "request", user: "alice", method: "POST",
 *   endpoint: "/api/2.0/mlflow/runs/log-metric", path: "/api/2.0/mlflow/runs/log-metric",
 *   status: 200, outcome: "success", resource: { run_id: "4f…", key: "loss" }, ms: 1.2,
 * };
 */
export interface AuditEntry {
  /** When it happened (the response finished, the event was told), ISO 8601 UTC. */
  readonly time: string;
  readonly kind: AuditKind;
  /** Who: the caller, the one who signed in (or claimed to), the one who changed a permission; null when unknown. */
  readonly user: string | null;
  /** The HTTP method of the request (for events: of the request they happened in). */
  readonly method?: string;
  /** The matched endpoint's route pattern (`/api/2.0/mlflow/logged-models/:model_id`); null for unknown routes. */
  readonly endpoint?: string | null;
  /** The request's path, without its query string. */
  readonly path?: string;
  readonly status?: number;
  readonly outcome: AuditOutcome;
  /** The ids the request or event names (`experiment_id`, `run_id`, `name`, `version`, …). */
  readonly resource?: Readonly<Record<string, string | readonly string[]>>;
  /** Milliseconds from the request's arrival to its response. */
  readonly ms?: number;
  /** sign-in: how (`basic`, `bearer`, `oidc`). */
  readonly auth?: string;
  /** sign-in: why it was refused. */
  readonly reason?: string;
  /** permission-change: what changed (`grant`, `grant-update`, `revoke`, `user-created`, `password-changed`, …). */
  readonly action?: string;
  /** permission-change: whose access changed (a user, or a group for group grants). */
  readonly subject?: string;
  /** permission-change: the permission granted (`READ`, `EDIT`, `MANAGE`, …). */
  readonly permission?: string;
}

/**
 * The outcome of a response status: below 400 success; 401, 403 and 429 refused; anything else an
 * error.
 *
 * @example
 * outcomeOf(403); // "refused"
 */
export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return "success";
  return status === 401 || status === 403 || status === 429 ? "refused" : "error";
}
