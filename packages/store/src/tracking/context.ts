import type { Database } from "../create-database.js";

/** What every tracking repository function needs. */
export interface TrackingContext {
  readonly database: Database;
  /** Root under which new experiments get `<root>/<id>` as their artifact location. */
  readonly defaultArtifactRoot: string;
  /** Truncate over-long param and tag values (MLflow's default) instead of rejecting them. */
  readonly truncateLongValues: boolean;
  /** Milliseconds since the epoch; replaceable in tests. */
  readonly now: () => number;
}

/**
 * Joins a path segment onto an artifact URI or path with exactly one slash.
 *
 * @example
 * appendToUri("mlflow-artifacts:/", "1"); // "mlflow-artifacts:/1"
 */
export function appendToUri(root: string, segment: string): string {
  return root.endsWith("/") ? `${root}${segment}` : `${root}/${segment}`;
}

/**
 * The integer behind an experiment ID string, or undefined when it cannot name a stored experiment.
 *
 * @example
 * experimentIdNumber("12"); // 12
 */
export function experimentIdNumber(id: string): number | undefined {
  // Canonical spellings only: "01" names no experiment here, as it names no grant in an auth app.
  if (!/^(0|[1-9]\d{0,14})$/.test(id)) return undefined;
  return Number(id);
}

/**
 * Whether a database error is a unique-constraint violation (SQLite or PostgreSQL).
 *
 * @example
 * if (isUniqueViolation(e)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", "...");
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    (typeof e?.message === "string" && /UNIQUE constraint failed/.test(e.message))
  );
}

/**
 * Splits a list into chunks small enough for every dialect's bound-parameter limit.
 *
 * @example
 * chunk([1, 2, 3], 2); // [[1, 2], [3]]
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
