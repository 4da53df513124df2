import fs from "node:fs";
import path from "node:path";
import { readPackageUp } from "read-pkg-up";
import { checkCompatibility } from "./check-compatibility.js";
import { discoverApps, type AppDeclaration } from "./discover-apps.js";
import { listPackedFiles, type PackedFiles } from "./list-packed-files.js";
import { loadEntry } from "./load-entry.js";
import { isPluginHostError } from "./plugin-host-error.js";
import { publishProblem, publishWarnings, type PublishedManifest } from "./publish-problem.js";
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

/** Options of {@link verifyApp}. */
export interface VerifyOptions {
  /**
   * Check that each entry point's file would be published (`npm pack --dry-run`, see
   * {@link listPackedFiles}). Default: yes, unless the package is itself installed (inside a
   * `node_modules`, where it holds what was published already).
   */
  readonly packed?: boolean;
  /** The environment npm runs with for that check (the CLI passes its own); default: this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Checks the package at or above `dir` exactly as `mlflow server --app-name` would find and load it: the
 * same discovery (with `dir` itself read first), the same compatibility check (its
 * `@mlflow-ts/plugin-api` peer range against the host running this), the same loader — and what
 * would break only once it is published and installed elsewhere: an entry point whose file does
 * not exist (`ERR_APP_ENTRY_MISSING`: not built) or that `npm pack` would leave out
 * (`ERR_APP_NOT_PACKED`: not in "files"). Plugin authors call it from their own tests.
 *
 * @example
 * const report = await verifyApp(process.cwd());
 * expect(report.ok).toBe(true);
 */
export async function verifyApp(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  // `dir` may be anywhere inside the package (a plugin's test folder): find its package.json.
  const found = await readPackageUp({ cwd: path.resolve(dir), normalize: false });
  if (!found) throw new Error(`No package.json at or above ${path.resolve(dir)}`);
  const root = path.dirname(found.path);
  const pkg = found.packageJson as PublishedManifest;
  const discovery = discoverApps({ cwd: root, packageDirs: [root], includeGlobal: false });
  const real = fs.realpathSync(root);
  const mine = (list: readonly AppDeclaration[]) => list.filter((d) => d.dir === real);
  const declarations = [...mine(discovery.apps), ...mine(discovery.clients), ...mine(discovery.repositories)];
  const warnings = [...discovery.warnings.filter((w) => w.includes(real))];
  const installed = real.split(path.sep).includes("node_modules");
  let packed: PackedFiles | undefined;
  if (declarations.length > 0 && (options.packed ?? !installed)) {
    packed = await listPackedFiles(real, options.env);
    if ("problem" in packed) warnings.push(`could not check which files \`npm publish\` would include: ${packed.problem}`);
  }
  const packedFiles = packed && "files" in packed ? packed.files : undefined;
  const entries: VerifiedEntry[] = [];
  for (const declaration of declarations) {
    // In the order a user would fix them: the host range, then the build, then "files".
    let problem: { code: string; message: string } | undefined;
    try {
      checkCompatibility(declaration);
      problem = publishProblem(declaration, pkg, packedFiles);
    } catch (error) {
      problem = toReport(error);
    }
    if (problem) {
      entries.push({ name: declaration.name, kind: declaration.kind, entry: declaration.entry, ok: false, error: problem });
      continue;
    }
    entries.push(await loadDeclaration(declaration, root, discovery));
  }
  if (declarations.length === 0) warnings.push(`${root}/package.json declares no "mlflow.app", "mlflow.app.client" or "mlflow.artifact_repository"`);
  else warnings.push(...publishWarnings(pkg, packedFiles));
  return { packageName: pkg.name ?? path.basename(root), ok: entries.length > 0 && entries.every((e) => e.ok), entries, warnings };
}

// Loads one declaration as the server would (apps through resolveApp, so with its compatibility
// check first; clients and artifact repositories likewise).
async function loadDeclaration(declaration: AppDeclaration, root: string, discovery: ReturnType<typeof discoverApps>): Promise<VerifiedEntry> {
  const base = { name: declaration.name, kind: declaration.kind, entry: declaration.entry };
  try {
    if (declaration.kind === "app") {
      const loaded = await resolveApp(declaration.name, { cwd: root }, discovery);
      return { ...base, ok: true, shape: loaded.kind };
    }
    if (declaration.kind === "artifact_repository") {
      const { repository } = await resolveArtifactRepository(declaration.name, { cwd: root }, discovery);
      return { ...base, ok: true, shape: typeof repository === "function" ? "class" : typeof repository };
    }
    checkCompatibility(declaration);
    const value = await loadEntry(declaration);
    if (typeof value === "function") return { ...base, ok: true, shape: "class" };
    return { ...base, ok: false, shape: typeof value, error: { code: "ERR_APP_INVALID", message: "the client export is not a class" } };
  } catch (error) {
    return { ...base, ok: false, error: toReport(error) };
  }
}

function toReport(error: unknown): { code: string; message: string } {
  return isPluginHostError(error) ? { code: error.code, message: error.message } : { code: "ERR_APP_LOAD_FAILED", message: String((error as Error)?.message ?? error) };
}
