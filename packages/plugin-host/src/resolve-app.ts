import { appOptionsOf, type AppFactory, type AppOptions, type MlflowApp } from "@mlflow-ts/plugin-api";
import { checkCompatibility } from "./check-compatibility.js";
import { discoverApps, type AppDeclaration, type DiscoverOptions, type Discovery } from "./discover-apps.js";
import { describeDeclaration, loadEntry } from "./load-entry.js";
import { PluginHostError } from "./plugin-host-error.js";

/** An app ready to apply: a factory, or an Express app to mount. */
export type LoadedApp =
  | { readonly kind: "factory"; readonly factory: AppFactory; readonly declaration: AppDeclaration; readonly options: AppOptions }
  | { readonly kind: "app"; readonly app: (req: unknown, res: unknown, next: unknown) => void; readonly declaration: AppDeclaration; readonly options: AppOptions };

// Express's app is itself a function, so typeof cannot tell an app from a factory: duck-type it.
function isExpressApp(x: unknown): boolean {
  return typeof x === "function" && typeof (x as { use?: unknown }).use === "function" && typeof (x as { handle?: unknown }).handle === "function";
}

function listAvailable(list: readonly AppDeclaration[]): string {
  if (list.length === 0) return "none are installed";
  return list.map((d) => `${d.name} (${d.packageName}@${d.packageVersion}, ${d.dir})`).join("; ");
}

/**
 * Finds the app named `name` among installed packages, checks its host range, imports only it,
 * and returns it ready to apply. Unknown names fail with `ERR_APP_NOT_FOUND` listing every
 * available app with its package, version and path.
 *
 * @example
 * const loaded = await resolveApp("my-auth", { cwd: process.cwd() });
 * const app = await applyApp(baseApp, loaded);
 */
export async function resolveApp(name: string, options: DiscoverOptions, discovery: Discovery = discoverApps(options)): Promise<LoadedApp> {
  const declaration = discovery.apps.find((d) => d.name === name);
  if (!declaration) {
    throw new PluginHostError(
      "ERR_APP_NOT_FOUND",
      `No installed package declares the app '${name}' in "mlflow.app". Available apps: ${listAvailable(discovery.apps)}. Install the app's package (npm install <package>) in ${options.cwd}, or name one of the available apps.`,
    );
  }
  checkCompatibility(declaration);
  const value = await loadEntry(declaration);
  if (isExpressApp(value)) return { kind: "app", app: value as LoadedApp extends { app: infer A } ? A : never, declaration, options: {} };
  if (typeof value === "function") return { kind: "factory", factory: value as AppFactory, declaration, options: appOptionsOf(value) };
  throw new PluginHostError(
    "ERR_APP_INVALID",
    `${describeDeclaration(declaration)} exports a ${value === null ? "null" : typeof value}, not an app factory or an Express app. Export \`defineApp((app) => { … })\` from the module the entry point names.`,
  );
}

/**
 * Applies a loaded app to the base server: calls a factory with it and the app's settings (sync or
 * async; the factory may return the app or a replacement), or mounts an Express app on it.
 *
 * @example
 * const app = await applyApp(createServer(config, stores, { logger }), loaded);
 */
export async function applyApp(base: MlflowApp, loaded: LoadedApp, settings: Readonly<Record<string, unknown>> = {}): Promise<MlflowApp> {
  if (loaded.kind === "app") {
    (base.use as (handler: unknown) => unknown)(loaded.app);
    return base;
  }
  let result: unknown;
  try {
    result = await (loaded.factory as (app: MlflowApp, settings: unknown) => unknown)(base, settings);
  } catch (error) {
    throw new PluginHostError("ERR_APP_LOAD_FAILED", `${describeDeclaration(loaded.declaration)} threw while being applied: ${(error as Error)?.stack ?? String(error)}`, { cause: error });
  }
  if (result === undefined || result === null) return base;
  if (!isExpressApp(result)) {
    throw new PluginHostError("ERR_APP_INVALID", `${describeDeclaration(loaded.declaration)}'s factory returned a ${typeof result}; return the app it was given, another Express app, or nothing.`);
  }
  return result as MlflowApp;
}
