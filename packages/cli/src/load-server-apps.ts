import type { Logger, MlflowApp, ServerConfig } from "@mlflow-ts/plugin-api";
import { enterApp } from "@mlflow-ts/server";
import { applyApps, isPluginHostError, readAppSettings, resolveApps, type LoadedApp } from "@mlflow-ts/plugin-host";
import { CliError } from "./config-error.js";
import { discoverOptions } from "./discover-options.js";

/** The apps of a server, found, imported and with their settings checked; apply with {@link applyServerApps}. */
export interface ServerApps {
  readonly loaded: readonly LoadedApp[];
  readonly settings: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/**
 * Finds and imports the apps `config.appNames` names (before the database is touched, so a wrong
 * name fails fast), checks they compose, and reads every app's settings from `env` and the config
 * file: every problem of every app in one `ERR_CONFIG_INVALID` (exit 2), as the server's own.
 *
 * @example
 * const apps = await loadServerApps(config, process.env);
 */
export async function loadServerApps(config: ServerConfig, env: Readonly<Record<string, string | undefined>>): Promise<ServerApps> {
  const loaded = config.appNames.length ? await resolveApps(config.appNames, discoverOptions(config)) : [];
  const { settings, problems } = readAppSettings(loaded, { env, file: config.appSettings });
  if (problems.length) throw new CliError("ERR_CONFIG_INVALID", problems);
  return { loaded, settings };
}

/**
 * Checks the configuration as a whole before anything starts: the server's own `problems` (from
 * `resolveConfig` with a collector) and every app's settings, thrown together as one
 * `ERR_CONFIG_INVALID` (exit 2). An app that cannot be found or loaded is reported with them when
 * there are other problems, else thrown as it is. Returns the apps, loaded, for the server to apply.
 *
 * @example
 * const problems: string[] = [];
 * const config = resolveConfig(sources, problems);
 * const apps = await checkServerApps(config, process.env, problems);
 */
export async function checkServerApps(config: ServerConfig, env: Readonly<Record<string, string | undefined>>, problems: readonly string[]): Promise<ServerApps> {
  let apps: ServerApps;
  try {
    apps = await loadServerApps(config, env);
  } catch (error) {
    if (problems.length === 0) throw error;
    if (error instanceof CliError) throw new CliError("ERR_CONFIG_INVALID", [...problems, ...error.problems]);
    if (isPluginHostError(error)) throw new CliError("ERR_CONFIG_INVALID", [...problems, `--app-name: ${error.message}`]);
    throw error;
  }
  if (problems.length) throw new CliError("ERR_CONFIG_INVALID", [...problems]);
  return apps;
}

/**
 * Applies the apps in order on the base server (each attributed with the server's `enterApp`, so
 * after-request hooks run in reverse order and `/health?detail` names them) and logs what each
 * contributed.
 *
 * @example
 * const app = await applyServerApps(base, apps, logger);
 */
export async function applyServerApps(base: MlflowApp, apps: ServerApps, logger?: Logger): Promise<MlflowApp> {
  if (apps.loaded.length === 0) return base;
  const { app, contributions } = await applyApps(base, apps.loaded, {
    settings: apps.settings,
    enter: (target, one) => enterApp(target, { name: one.declaration.name, packageName: one.declaration.packageName, packageVersion: one.declaration.packageVersion }),
  });
  for (const [i, c] of contributions.entries()) {
    logger?.info(`applied app '${c.name}'`, {
      package: `${c.packageName}@${c.packageVersion}`,
      path: apps.loaded[i]!.declaration.dir,
      routes: c.routes.length,
      ...(c.uiPages.length ? { uiPages: c.uiPages } : {}),
      ...(c.identifiesCallers ? { identifiesCallers: true } : {}),
    });
  }
  return app;
}
