import { readSettings, type MlflowApp, type RouteInfo } from "@mlflow-ts/plugin-api";
import type { DiscoverOptions, Discovery } from "./discover-apps.js";
import { discoverApps } from "./discover-apps.js";
import { describeDeclaration } from "./load-entry.js";
import { PluginHostError } from "./plugin-host-error.js";
import { applyApp, resolveApp, type LoadedApp } from "./resolve-app.js";

/**
 * Splits an `--app-name` value into app names: `basic-auth,audit-log` → two, in order; blanks
 * dropped.
 *
 * @example
 * appNamesOf(" basic-auth , audit-log"); // ["basic-auth", "audit-log"]
 */
export function appNamesOf(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = typeof value === "string" ? value.split(",") : value.flatMap((v) => v.split(","));
  return parts.map((s) => s.trim()).filter(Boolean);
}

/**
 * Finds and imports several apps (see `resolveApp`), then checks they can run together: no name
 * twice, at most one that identifies callers (`ERR_APP_CONFLICT`, naming both).
 *
 * @example
 * const loaded = await resolveApps(["basic-auth", "audit-log"], { cwd: process.cwd() });
 */
export async function resolveApps(names: readonly string[], options: DiscoverOptions, discovery: Discovery = discoverApps(options)): Promise<LoadedApp[]> {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new PluginHostError("ERR_APP_CONFLICT", `The app '${name}' is named twice in --app-name (${names.join(",")}); name each app once.`);
    seen.add(name);
  }
  const loaded: LoadedApp[] = [];
  for (const name of names) loaded.push(await resolveApp(name, options, discovery));
  const identifying = loaded.filter((l) => l.options.identifiesCallers);
  if (identifying.length > 1) {
    throw new PluginHostError(
      "ERR_APP_CONFLICT",
      `Only one app may identify callers, but ${identifying.map((l) => `'${l.declaration.name}' (${describeDeclaration(l.declaration)})`).join(" and ")} both do. Keep one of them in --app-name.`,
    );
  }
  return loaded;
}

/**
 * Reads and checks every app's settings (`MLFLOW_<APP>_*` variables, the config file's
 * `appSettings.<app>`), collecting every problem of every app. Settings of an app that is not
 * applied are a problem too (a typo in the config file would otherwise be ignored).
 *
 * @example
 * const { settings, problems } = readAppSettings(loaded, { env: process.env, file: config.appSettings });
 */
export function readAppSettings(
  loaded: readonly LoadedApp[],
  sources: { readonly env: Readonly<Record<string, string | undefined>>; readonly file: Readonly<Record<string, Readonly<Record<string, unknown>>>>; readonly fileName?: string },
): { settings: Map<string, Readonly<Record<string, unknown>>>; problems: string[] } {
  const settings = new Map<string, Readonly<Record<string, unknown>>>();
  const problems: string[] = [];
  for (const app of loaded) {
    const schema = app.options.settings ?? {};
    const file = sources.file[app.declaration.name];
    const reading = readSettings(app.declaration.name, schema, { env: sources.env, ...(file ? { file } : {}), ...(sources.fileName ? { fileName: sources.fileName } : {}) });
    problems.push(...reading.problems);
    settings.set(app.declaration.name, reading.values);
  }
  const applied = new Set(loaded.map((l) => l.declaration.name));
  for (const name of Object.keys(sources.file)) {
    if (!applied.has(name)) problems.push(`${sources.fileName ?? "config file"} (appSettings.${name}): no app '${name}' is applied (--app-name ${[...applied].join(",") || "is not set"})`);
  }
  return { settings, problems };
}

/** What one app added to the server, as {@link applyApps} saw it. */
export interface AppContribution {
  readonly name: string;
  readonly packageName: string;
  readonly packageVersion: string;
  readonly identifiesCallers: boolean;
  readonly routes: readonly RouteInfo[];
  readonly uiPages: readonly string[];
}

const routeKey = (r: RouteInfo) => `${r.method.toUpperCase()} ${r.path}`;

// An app may return a plain Express app in place of the server's: it then lists nothing.
const routesOf = (app: MlflowApp): RouteInfo[] => (typeof app.listRoutes === "function" ? app.listRoutes() : []);
const uiOf = (app: MlflowApp) => (typeof app.listUi === "function" ? app.listUi() : []);

function countRoutes(app: MlflowApp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of routesOf(app)) counts.set(routeKey(r), (counts.get(routeKey(r)) ?? 0) + 1);
  return counts;
}

/**
 * Applies apps in order — before-request hooks then run in that order, after-request hooks in
 * reverse — and records what each contributed. A route two apps both register is `ERR_APP_CONFLICT`
 * naming both (the second would never run). `enter` is called before each app (the server's
 * `enterApp`, so its hooks are attributed to it).
 *
 * @example
 * const { app, contributions } = await applyApps(base, loaded, { settings, enter: (a, l) => enterApp(a, { name: l.declaration.name }) });
 */
export async function applyApps(
  base: MlflowApp,
  loaded: readonly LoadedApp[],
  options: { readonly settings?: ReadonlyMap<string, Readonly<Record<string, unknown>>>; readonly enter?: (app: MlflowApp, loaded: LoadedApp) => void } = {},
): Promise<{ app: MlflowApp; contributions: AppContribution[] }> {
  let app = base;
  const owners = new Map<string, string>();
  const contributions: AppContribution[] = [];
  for (const one of loaded) {
    const name = one.declaration.name;
    options.enter?.(app, one);
    const before = countRoutes(app);
    const uiBefore = new Set(uiOf(app).map((u) => u.name));
    app = await applyApp(app, one, options.settings?.get(name) ?? {});
    const routes: RouteInfo[] = [];
    const seen = new Set<string>();
    const after = countRoutes(app);
    for (const r of routesOf(app)) {
      const key = routeKey(r);
      if (seen.has(key)) continue;
      seen.add(key);
      const added = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      if (added <= 0) continue;
      const owner = owners.get(key);
      if (owner !== undefined && owner !== name) {
        throw new PluginHostError("ERR_APP_CONFLICT", `The apps '${owner}' and '${name}' both register the route ${key}; only the first would ever answer. Drop one of them from --app-name.`);
      }
      owners.set(key, name);
      routes.push(r);
    }
    const uiPages = uiOf(app)
      .filter((u) => !uiBefore.has(u.name))
      .flatMap((u) => u.pages.map((p) => `${u.name}/${p}`));
    contributions.push({
      name,
      packageName: one.declaration.packageName,
      packageVersion: one.declaration.packageVersion,
      identifiesCallers: one.options.identifiesCallers === true,
      routes,
      uiPages,
    });
  }
  return { app, contributions };
}
