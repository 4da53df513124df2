import { setting, type InferSettings } from "@mlflow-ts/plugin-api";

/**
 * The audit log's configuration, read by the host from `MLFLOW_AUDIT_LOG_*` variables (which win)
 * and the config file's `appSettings["audit-log"]`, checked at start with the server's own
 * settings: every problem reported together, exit 2.
 *
 * @example
 * // MLFLOW_AUDIT_LOG_TARGET=database MLFLOW_AUDIT_LOG_DATABASE_URI=postgresql://audit@db/audit
 * const names = Object.keys(AUDIT_LOG_SETTINGS); // ["target", "file", "maxBytes", …]
 */
export const AUDIT_LOG_SETTINGS = {
  target: setting.enum(["file", "database"], { default: "file", description: "Where entries go: a JSON-lines file, or the table audit_log of a database" }),
  file: setting.string({ default: "./mlflow-audit.log", description: "The log file (target file), relative to the server's working directory" }),
  maxBytes: setting.integer({ default: 10 * 1024 * 1024, min: 1024, max: 1024 ** 4, description: "Size at which the file is rotated (target file)" }),
  keep: setting.integer({ default: 5, min: 0, max: 1000, description: "Rotated files kept: <file>.1 (newest) … <file>.<keep>" }),
  // May carry a password: never shown in a start-up problem, a log line or /health.
  databaseUri: setting.string({
    secret: true,
    pattern: /^(sqlite|postgresql|postgres|mysql|mariadb)(\+[a-z0-9_]+)?:\/\//i,
    description: "The database of target database; the tracking database (--backend-store-uri) when absent",
  }),
  keepDays: setting.integer({ default: 0, min: 0, max: 36_500, description: "Rows older than this many days are deleted, as the server starts and hourly (target database); 0 keeps every row" }),
  flushIntervalMs: setting.integer({ default: 200, min: 1, max: 60_000, description: "Longest time an entry waits in memory before it is written" }),
  maxQueue: setting.integer({ default: 100_000, min: 100, max: 10_000_000, description: "Entries held in memory while the target is slow or down; beyond it new entries are dropped and counted" }),
} as const;

/** The settings an audit log runs with, as the host checked them. */
export type AuditLogSettings = InferSettings<typeof AUDIT_LOG_SETTINGS>;
