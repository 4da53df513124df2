import path from "node:path";
import { defineApp, type MlflowApp, type ServerConfig } from "@mlflow-ts/plugin-api";
import { AUDIT_LOG_SETTINGS, type AuditLogSettings } from "./settings.js";
import type { AuditSink } from "./audit-sink.js";
import { FileSink } from "./file-sink.js";
import { DatabaseSink } from "./database-sink.js";
import { openAuditDatabase } from "./open-audit-database.js";
import { requestEntry } from "./request-entry.js";
import { eventEntry } from "./event-entry.js";
import { registerSearch } from "./register-search.js";
import { registerUi } from "./register-ui.js";

/**
 * Opens the target the settings name: the file (relative to the server's working directory) or
 * the table `audit_log` of `databaseUri` (the tracking database when absent).
 *
 * @example
 * const sink = await openAuditSink(settings, app.context.config);
 */
export async function openAuditSink(settings: AuditLogSettings, config: Pick<ServerConfig, "cwd" | "backendStoreUri">): Promise<AuditSink> {
  const queue = { flushIntervalMs: settings.flushIntervalMs, maxQueue: settings.maxQueue };
  if (settings.target === "database") {
    return DatabaseSink.open(await openAuditDatabase(settings.databaseUri ?? config.backendStoreUri, config.cwd), { ...queue, keepDays: settings.keepDays });
  }
  return FileSink.open({ file: path.resolve(config.cwd, settings.file), maxBytes: settings.maxBytes, keep: settings.keep, ...queue });
}

/**
 * The audit log on a server: one entry per state-changing request — whoever answered it, auth
 * apps' refusals included (`app.onResponse`) — and per sign-in and permission change the auth app
 * tells (`app.context.events`); the search endpoint and the admin page; `/health?detail`; and the
 * queue flushed when the server stops (`app.onClose`).
 *
 * @example
 * await createAuditLog(app, { target: "file", file: "audit.log", maxBytes: 1 << 20, keep: 3, keepDays: 0, flushIntervalMs: 200, maxQueue: 100_000 });
 */
export async function createAuditLog(app: MlflowApp, settings: AuditLogSettings): Promise<MlflowApp> {
  const { config, logger, events } = app.context;
  const sink = await openAuditSink(settings, config);
  app.onResponse((req, response) => {
    const entry = requestEntry(req, response);
    if (entry) sink.write(entry);
  });
  events.on((event) => sink.write(eventEntry(event)));
  registerSearch(app, sink, config.staticPrefix);
  registerUi(app, config.staticPrefix);
  app.health("audit-log", () => sink.health());
  app.onClose(() => sink.close());
  if (settings.target === "file" && settings.databaseUri) logger.warn("audit-log: databaseUri is set but target is file: entries go to the file");
  if (settings.target === "file" && settings.keepDays > 0) logger.warn("audit-log: keepDays applies to target database; the file is bounded by maxBytes and keep");
  const where = sink.health().detail as Record<string, unknown>;
  logger.info("audit-log enabled", { target: settings.target, ...(settings.target === "file" ? { file: where.file } : { database: where.database }) });
  return app;
}

/**
 * The factory `mlflow.app` points at: {@link createAuditLog} with the settings the host read from
 * `MLFLOW_AUDIT_LOG_*` and the config file's `appSettings["audit-log"]`.
 *
 * @example
 * // mlflow server --app-name basic-auth,audit-log
 */
export const createApp = defineApp(
  { settings: AUDIT_LOG_SETTINGS, description: "An audit trail: one JSON line per write, sign-in and permission change, to a rotated file or a table; an admin page to search it" },
  (app, settings) => createAuditLog(app, settings),
);

export { AUDIT_LOG_SETTINGS, type AuditLogSettings } from "./settings.js";
export { isStateChanging } from "./is-state-changing.js";
export { graphqlHasMutation } from "./graphql-has-mutation.js";
export { requestEntry } from "./request-entry.js";
export { eventEntry } from "./event-entry.js";
export { resourceIds, RESOURCE_KEYS } from "./resource-ids.js";
export { isoTime } from "./iso-time.js";
export { outcomeOf, type AuditEntry, type AuditKind, type AuditOutcome } from "./audit-entry.js";
export { auditQuery, matchesQuery, type AuditQuery } from "./audit-query.js";
export type { AuditSink, AuditPage } from "./audit-sink.js";
export { FileSink, type FileSinkOptions } from "./file-sink.js";
export { DatabaseSink, type RetentionOptions } from "./database-sink.js";
export { openAuditDatabase, redactUri, type AuditDatabase } from "./open-audit-database.js";
