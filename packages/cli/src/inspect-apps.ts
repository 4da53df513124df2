import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { settingVariable, type RouteInfo, type Setting } from "@mlflow-ts/plugin-api";
import { createLogger, createServer, enterApp, lifecycleOf } from "@mlflow-ts/server";
import { applyApps, readAppSettings, resolveApps } from "@mlflow-ts/plugin-host";
import { discoverOptions } from "./discover-options.js";
import { openStores } from "./open-stores.js";
import { resolveConfig } from "./resolve-config.js";

/** What one app contributes, as `mlflow apps list --contributions` shows it. */
export interface AppInspection {
  readonly name: string;
  readonly package: string;
  readonly description?: string;
  readonly identifiesCallers: boolean;
  readonly settings: readonly { readonly name: string; readonly variable: string; readonly kind: string; readonly required: boolean; readonly default?: unknown; readonly description?: string }[];
  readonly routes: readonly RouteInfo[];
  readonly uiPages: readonly string[];
  readonly lifecycle: { readonly onReady: number; readonly onClose: number; readonly health: readonly string[] };
  /** Why the app could not be applied in the sandbox (a required setting missing, its factory threw). */
  readonly problem?: string;
}

function describeSetting(name: string, spec: Setting, app: string) {
  return {
    name,
    variable: settingVariable(app, name),
    kind: spec.kind === "enum" ? `one of ${spec.values.join("|")}` : spec.kind,
    required: spec.required === true,
    ...(spec.default !== undefined && !(spec.kind === "string" && spec.secret) ? { default: spec.default } : {}),
    ...(spec.description ? { description: spec.description } : {}),
  };
}

/**
 * Applies each named app alone to a throwaway server — a temporary directory (also the working
 * directory meanwhile) with its own SQLite database, and an environment without `MLFLOW_*`
 * variables other than the app's own settings — and reports what it added: routes, UI pages,
 * lifecycle hooks, health checks, settings. Nothing of the real server's data or configuration is
 * touched.
 *
 * @example
 * const [audit] = await inspectApps(["audit-log"], { cwd: process.cwd(), env: process.env });
 * audit.routes; // [{ method: "GET", path: "/api/2.0/audit-log/search" }]
 */
export async function inspectApps(names: readonly string[], io: { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>>; readonly pluginDirs?: readonly string[] }): Promise<AppInspection[]> {
  const out: AppInspection[] = [];
  for (const name of names) {
    const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-inspect-"));
    const config = resolveConfig({
      env: {},
      flags: { port: "0", backendStoreUri: `sqlite:///${path.join(sandbox, "mlflow.db")}`, artifactsDestination: path.join(sandbox, "mlartifacts"), appName: name },
      // Relative paths an app resolves against the server's working directory land in the sandbox.
      cwd: sandbox,
      isTTY: false,
    });
    const [loaded] = await resolveApps([name], discoverOptions({ cwd: io.cwd, pluginDirs: io.pluginDirs ?? [], nodePath: io.env.NODE_PATH }));
    const app = loaded!;
    const own = settingVariable(name, "x").slice(0, -1); // MLFLOW_<APP>_
    const env = Object.fromEntries(Object.entries(io.env).filter(([k]) => !k.startsWith("MLFLOW_") || k.startsWith(own)));
    const base = {
      name,
      package: `${app.declaration.packageName}@${app.declaration.packageVersion}`,
      ...(app.options.description ? { description: app.options.description } : {}),
      identifiesCallers: app.options.identifiesCallers === true,
      settings: Object.entries(app.options.settings ?? {}).map(([k, spec]) => describeSetting(k, spec, name)),
    };
    const { settings, problems } = readAppSettings([app], { env, file: {} });
    if (problems.length) {
      out.push({ ...base, routes: [], uiPages: [], lifecycle: { onReady: 0, onClose: 0, health: [] }, problem: problems.join("; ") });
      fs.rmSync(sandbox, { recursive: true, force: true });
      continue;
    }
    const { stores, close } = await openStores(config, { create: true, env: {} });
    const saved = { env: process.env, cwd: process.cwd(), write: process.stdout.write };
    const silent = createLogger({ format: "json", write: () => {} });
    try {
      // Apps read their environment and relative paths while applied: give them the sandbox's.
      process.env = { ...env } as NodeJS.ProcessEnv;
      process.chdir(sandbox);
      // What an app prints while applied (basic-auth's generated admin password) is the sandbox's.
      process.stdout.write = (() => true) as typeof process.stdout.write;
      const server = createServer(config, stores, { logger: silent });
      const { contributions } = await applyApps(server, [app], { settings, enter: (a, l) => enterApp(a, { name: l.declaration.name }) });
      const lifecycle = lifecycleOf(server)!;
      const mine = <T extends { app: number }>(list: readonly T[]) => list.filter((x) => x.app === 1);
      out.push({
        ...base,
        routes: contributions[0]!.routes,
        uiPages: contributions[0]!.uiPages,
        lifecycle: { onReady: mine(lifecycle.ready).length, onClose: mine(lifecycle.close).length, health: mine(lifecycle.health).map((h) => h.name) },
      });
      // What the app opened is closed as the server would close it.
      for (const { hook } of [...mine(lifecycle.close)].reverse()) await Promise.resolve().then(hook).catch(() => {});
    } catch (error) {
      out.push({ ...base, routes: [], uiPages: [], lifecycle: { onReady: 0, onClose: 0, health: [] }, problem: String((error as Error)?.message ?? error).split("\n")[0] });
    } finally {
      process.env = saved.env;
      process.chdir(saved.cwd);
      process.stdout.write = saved.write;
      await close();
      fs.rmSync(sandbox, { recursive: true, force: true });
    }
  }
  return out;
}
