import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startAppServer, type AppServer } from "@mlflow-ts/cli";
import type { AuditEntry } from "../dist/app.js";

/** This package: where `startAppServer` finds `audit-log` (the nearest package.json) before installed apps. */
export const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const ADMIN = { username: "admin", password: "admin-password-123" };
export const BOB = { username: "bob", password: "bob-password-12345" };

export const basic = (who: { username: string; password: string }) => `Basic ${Buffer.from(`${who.username}:${who.password}`).toString("base64")}`;

/** A real server with `basic-auth,audit-log` (or the apps given), over SQLite in a temporary directory. */
export interface AuditedServer {
  readonly url: string;
  readonly dir: string;
  /** The audit log file (target file). */
  readonly file: string;
  readonly server: AppServer;
  /** A JSON call as `who` (the admin by default; `null`: anonymous); resolves with status and JSON (or text). */
  call(method: string, p: string, body?: unknown, who?: { username: string; password: string } | null): Promise<{ status: number; json: Record<string, unknown>; text: string }>;
  /** Every entry of the log file, oldest first, once what is queued is written (a search flushes it). */
  entries(): Promise<AuditEntry[]>;
  stop(): Promise<void>;
}

/**
 * Starts the real server (in this process, on a free port) with basic-auth and the audit log
 * writing to `<dir>/audit.log`; `env` adds or overrides settings.
 */
export async function startAudited(options: { apps?: string; env?: Record<string, string>; ini?: string } = {}): Promise<AuditedServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-"));
  const ini = path.join(dir, "basic_auth.ini");
  fs.writeFileSync(ini, `[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///${path.join(dir, "auth.db")}\nadmin_username = admin\n${options.ini ?? ""}`);
  const file = path.join(dir, "audit.log");
  const server = await startAppServer({
    appName: options.apps ?? "basic-auth,audit-log",
    cwd: PACKAGE,
    env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN.password, MLFLOW_AUDIT_LOG_FILE: file, ...options.env },
  });
  const call: AuditedServer["call"] = async (method, p, body, who = ADMIN) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (who) headers.authorization = basic(who);
    const response = await fetch(`${server.url}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // MLflow's 401 and 403 are plain text.
    }
    return { status: response.status, json, text };
  };
  return {
    url: server.url,
    dir,
    file,
    server,
    call,
    entries: async () => {
      const flushed = await call("GET", "/api/2.0/audit-log/search?max_results=1");
      if (flushed.status !== 200) throw new Error(`search answered ${flushed.status}: ${flushed.text}`);
      return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditEntry);
    },
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
