import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MlflowApp } from "@mlflow-ts/plugin-api";
import { enterApp } from "@mlflow-ts/server";
import { applyApp, readAppSettings, resolveApps } from "@mlflow-ts/plugin-host";

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

/**
 * Applies the extra apps after an auth app the test applied itself (which it names, so hooks are
 * attributed as `mlflow server` attributes them), with their settings from `env`.
 */
export async function applyExtraApps(app: MlflowApp, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  if (EXTRA_APPS.length === 0) return;
  const loaded = await resolveApps(EXTRA_APPS, { cwd: ROOT });
  const { settings, problems } = readAppSettings(loaded, { env, file: {} });
  if (problems.length) throw new Error(`extra apps: ${problems.join("; ")}`);
  for (const one of loaded) {
    enterApp(app, { name: one.declaration.name, packageName: one.declaration.packageName, packageVersion: one.declaration.packageVersion });
    await applyApp(app, one, settings.get(one.declaration.name) ?? {});
  }
}

/** Names the auth app the test applies by hand, when extra apps follow it. */
export function enterAuthApp(app: MlflowApp, name: string): void {
  if (EXTRA_APPS.length > 0) enterApp(app, { name });
}
