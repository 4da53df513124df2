import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { requestEndpoint, requestParams, type MlflowApp } from "@mlflow-ts/plugin-api";
import { enterApp } from "@mlflow-ts/server";
import { applyApps, readAppSettings, resolveApps } from "@mlflow-ts/plugin-host";

// Issue 22: the auth suites also run with other apps composed after the auth app
// (`--app-name basic-auth,audit-log`), unchanged. MLFLOW_TS_TEST_WITH_APPS names them; the vitest
// project "with-apps" sets it (vitest.config.ts).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The apps composed after the auth app under test, from MLFLOW_TS_TEST_WITH_APPS. */
export const EXTRA_APPS: readonly string[] = (process.env.MLFLOW_TS_TEST_WITH_APPS ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);

/** `auth` followed by the extra apps, as an `--app-name` value. */
export function withExtraApps(auth: string): string {
  return [auth, ...EXTRA_APPS].join(",");
}

const contributed = new WeakMap<MlflowApp, Set<string>>();

/**
 * The routes (`METHOD /path`) the extra apps added to `app`: they have no rule of the auth app's on
 * purpose (admin-only), which the suites that check every route assert instead of a case.
 */
export function extraAppRoutes(app: MlflowApp): ReadonlySet<string> {
  return contributed.get(app) ?? new Set();
}

/**
 * Applies the extra apps after an auth app the test applied itself (which it names, so hooks are
 * attributed as `mlflow server` attributes them), with their settings from `env`. Returns a check
 * to run once the server has stopped: with audit-log, every state-changing request the server
 * answered is a line of its file (its own classifier decides which are; the lines come from the app).
 */
export async function applyExtraApps(app: MlflowApp, env: Readonly<Record<string, string | undefined>>): Promise<() => Promise<void>> {
  if (EXTRA_APPS.length === 0) return async () => {};
  const loaded = await resolveApps(EXTRA_APPS, { cwd: ROOT });
  const settingsEnv: Record<string, string | undefined> = { ...env };
  let auditFile: string | undefined;
  if (EXTRA_APPS.includes("audit-log") && !settingsEnv.MLFLOW_AUDIT_LOG_FILE) {
    auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-")), "audit.log");
    // One file, never rotated during a suite: every line is counted.
    Object.assign(settingsEnv, { MLFLOW_AUDIT_LOG_FILE: auditFile, MLFLOW_AUDIT_LOG_MAX_BYTES: String(1024 ** 3) });
  }
  const { settings, problems } = readAppSettings(loaded, { env: settingsEnv, file: {} });
  if (problems.length) throw new Error(`extra apps: ${problems.join("; ")}`);
  // Applied as `mlflow server` applies them (the host's applyApps, each attributed with enterApp).
  const { contributions } = await applyApps(app, loaded, {
    settings,
    enter: (target, one) => enterApp(target, { name: one.declaration.name, packageName: one.declaration.packageName, packageVersion: one.declaration.packageVersion }),
  });
  contributed.set(app, new Set(contributions.flatMap((c) => c.routes.map((r) => `${r.method} ${r.path}`))));
  if (!auditFile) return async () => {};
  const { isStateChanging } = (await import("@mlflow-ts/audit-log")) as { isStateChanging: (method: string, endpoint: string | undefined, params?: () => Readonly<Record<string, unknown>> | undefined) => boolean };
  let writes = 0;
  app.onResponse((req) => {
    const params = () => {
      try {
        return requestParams(req) as Readonly<Record<string, unknown>>;
      } catch {
        return undefined;
      }
    };
    if (isStateChanging(req.method, requestEndpoint(req)?.path, params)) writes += 1;
  });
  return async () => {
    const text = fs.existsSync(auditFile!) ? fs.readFileSync(auditFile!, "utf8") : "";
    const lines = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { kind: string });
    const requests = lines.filter((l) => l.kind === "request").length;
    fs.rmSync(path.dirname(auditFile!), { recursive: true, force: true });
    if (requests !== writes) throw new Error(`audit-log recorded ${requests} requests, the server answered ${writes} state-changing ones`);
  };
}

/** Names the auth app the test applies by hand, when extra apps follow it. */
export function enterAuthApp(app: MlflowApp, name: string): void {
  if (EXTRA_APPS.length > 0) enterApp(app, { name });
}
