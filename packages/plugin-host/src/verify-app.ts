import fs from "node:fs";
import path from "node:path";
import { readPackageUp } from "read-pkg-up";
import { checkCompatibility } from "./check-compatibility.js";
import { discoverApps, type AppDeclaration } from "./discover-apps.js";
import { loadEntry } from "./load-entry.js";
import { isPluginHostError } from "./plugin-host-error.js";
import { resolveApp } from "./resolve-app.js";
import { resolveArtifactRepository } from "./resolve-artifact-repository.js";

/** One declaration of the verified package, and whether it loads. */
export interface VerifiedEntry {
  readonly name: string;
  readonly kind: "app" | "client" | "artifact_repository";
  readonly entry: string;
  readonly ok: boolean;
  /** `factory` or `app` for apps, `class` for clients and artifact repositories. */
  readonly shape?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The result of {@link verifyApp}. */
export interface VerifyReport {
  readonly packageName: string;
  readonly ok: boolean;
  readonly entries: readonly VerifiedEntry[];
  readonly warnings: readonly string[];
}

/**
 * Checks the package at or above `dir` exactly as `mlflow server --app-name` would find and load it: the
 * same discovery (with `dir` itself read first), the same compatibility check, the same loader.
 * Plugin authors call it from their own tests.
 *
 * @example
 * const report = await verifyApp(process.cwd());
 * expect(report.ok).toBe(true);
 */
export async function verifyApp(dir: string): Promise<VerifyReport> {
  // `dir` may be anywhere inside the package (a plugin's test folder): find its package.json.
  const found = await readPackageUp({ cwd: path.resolve(dir), normalize: false });
  if (!found) throw new Error(`No package.json at or above ${path.resolve(dir)}`);
  const root = path.dirname(found.path);
  const pkg = found.packageJson as { name?: string };
  const discovery = discoverApps({ cwd: root, packageDirs: [root], includeGlobal: false });
  const real = fs.realpathSync(root);
  const mine = (list: readonly AppDeclaration[]) => list.filter((d) => d.dir === real);
  const entries: VerifiedEntry[] = [];
  for (const declaration of mine(discovery.apps)) {
    try {
      const loaded = await resolveApp(declaration.name, { cwd: root }, discovery);
      entries.push({ name: declaration.name, kind: "app", entry: declaration.entry, ok: true, shape: loaded.kind });
    } catch (error) {
      entries.push({ name: declaration.name, kind: "app", entry: declaration.entry, ok: false, error: toReport(error) });
    }
  }
  for (const declaration of mine(discovery.clients)) {
    try {
      checkCompatibility(declaration);
      const value = await loadEntry(declaration);
      const ok = typeof value === "function";
      entries.push({ name: declaration.name, kind: "client", entry: declaration.entry, ok, shape: ok ? "class" : typeof value, ...(ok ? {} : { error: { code: "ERR_APP_INVALID", message: "the client export is not a class" } }) });
    } catch (error) {
      entries.push({ name: declaration.name, kind: "client", entry: declaration.entry, ok: false, error: toReport(error) });
    }
  }
  for (const declaration of mine(discovery.repositories)) {
    try {
      const { repository } = await resolveArtifactRepository(declaration.name, { cwd: root }, discovery);
      entries.push({ name: declaration.name, kind: "artifact_repository", entry: declaration.entry, ok: true, shape: typeof repository === "function" ? "class" : typeof repository });
    } catch (error) {
      entries.push({ name: declaration.name, kind: "artifact_repository", entry: declaration.entry, ok: false, error: toReport(error) });
    }
  }
  const warnings = [...discovery.warnings.filter((w) => w.includes(real))];
  if (entries.length === 0) warnings.push(`${root}/package.json declares no "mlflow.app", "mlflow.app.client" or "mlflow.artifact_repository"`);
  return { packageName: pkg.name ?? path.basename(root), ok: entries.length > 0 && entries.every((e) => e.ok), entries, warnings };
}

function toReport(error: unknown): { code: string; message: string } {
  return isPluginHostError(error) ? { code: error.code, message: error.message } : { code: "ERR_APP_LOAD_FAILED", message: String((error as Error)?.message ?? error) };
}
