import fs from "node:fs";
import path from "node:path";
import { APP_CLIENT_ENTRY_POINT, APP_ENTRY_POINT, ARTIFACT_REPOSITORY_ENTRY_POINT } from "@mlflow-ts/plugin-api";
import { nearestPackageDir } from "./nearest-package-dir.js";
import { findSearchRoots, type SearchRoot, type SearchRootOptions } from "./search-roots.js";

/** What an entry point declares: an app, an app client, or an artifact repository (by URI scheme). */
export type DeclarationKind = "app" | "client" | "artifact_repository";

/** One `mlflow.app`, `mlflow.app.client` or `mlflow.artifact_repository` declaration found on disk. */
export interface AppDeclaration {
  /** The app name, or the URI scheme (lowercased) of an artifact repository: the key in the field. */
  readonly name: string;
  readonly kind: DeclarationKind;
  /** The `module:export` value as written. */
  readonly entry: string;
  readonly packageName: string;
  readonly packageVersion: string;
  /** The package directory, symlinks resolved. */
  readonly dir: string;
  /** `module` or `commonjs`, from the package's `type`. */
  readonly moduleType: "module" | "commonjs";
  /** The search root it was found under. */
  readonly root: SearchRoot;
  /** The package's `peerDependencies`, for the compatibility check. */
  readonly peerDependencies: Readonly<Record<string, string>>;
}

/** A name declared by more than one package: the one used and the ones shadowed. */
export interface DuplicateDeclaration {
  readonly name: string;
  readonly kind: DeclarationKind;
  readonly used: AppDeclaration;
  readonly shadowed: readonly AppDeclaration[];
}

/** What discovery found. */
export interface Discovery {
  readonly apps: readonly AppDeclaration[];
  readonly clients: readonly AppDeclaration[];
  /** Artifact repositories by URI scheme (`mlflow.artifact_repository`). */
  readonly repositories: readonly AppDeclaration[];
  readonly duplicates: readonly DuplicateDeclaration[];
  readonly warnings: readonly string[];
  readonly roots: readonly SearchRoot[];
}

/** Options of {@link discoverApps}: the search roots' options, plus package directories to read first. */
export interface DiscoverOptions extends SearchRootOptions {
  /** Package directories read before any root (the project itself, for `verifyApp`). */
  readonly packageDirs?: readonly string[];
}

// The common prefix of "mlflow.app", "mlflow.app.client" and "mlflow.artifact_repository": one
// search of the raw bytes tells whether a manifest may declare any of them.
const NEEDLE = `"${APP_ENTRY_POINT.slice(0, "mlflow.a".length)}`;

/** What reading one root found: its package directories and, per directory, the package.json text when it mentions the field. */
interface RootScan {
  readonly stamp: string;
  readonly scopes: readonly string[];
  readonly candidates: readonly { dir: string; text: string }[];
  readonly links: readonly string[];
  readonly warnings: readonly string[];
}

// Per-process cache of root scans, validated by the modification times of the root and its scope
// directories (npm, pnpm and yarn replace a package's directory when they install or upgrade it,
// which changes its parent's mtime). Symlinked packages (workspaces, npm link) are re-read every
// time: their package.json is edited in place.
const scans = new Map<string, RootScan>();

function stampOf(root: string, scopes: readonly string[]): string | undefined {
  try {
    return [fs.statSync(root).mtimeMs, ...scopes.map((scope) => `${scope}:${fs.statSync(root + path.sep + scope).mtimeMs}`)].join("|");
  } catch {
    return undefined;
  }
}

const NEEDLE_BYTES = Buffer.from(NEEDLE);
// One buffer for every read: thousands of small manifests, no allocation (and no decoding) for
// the ones that do not mention the field.
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

function readCandidate(dir: string): string | undefined {
  // Plain concatenation: path.join's normalisation costs more than the read on 5,000 packages.
  const file = dir + path.sep + "package.json";
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const size = fs.readSync(fd, SCRATCH, 0, SCRATCH.length, 0);
    if (size === SCRATCH.length) {
      // A manifest larger than the scratch buffer: read it whole.
      const text = fs.readFileSync(file, "utf8");
      return text.includes(NEEDLE) ? text : undefined;
    }
    // Only packages that mention the field are decoded and parsed: most of node_modules never is.
    return SCRATCH.subarray(0, size).indexOf(NEEDLE_BYTES) === -1 ? undefined : SCRATCH.toString("utf8", 0, size);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function scanRoot(root: string): RootScan {
  const cached = scans.get(root);
  if (cached && cached.stamp === stampOf(root, cached.scopes)) return cached;
  const warnings: string[] = [];
  const candidates: { dir: string; text: string }[] = [];
  const links: string[] = [];
  const scopes: string[] = [];
  const dirs = packageDirs(root, warnings, scopes);
  // Stamped after listing: a change while listing makes the next call read again.
  const stamp = stampOf(root, scopes);
  for (const { dir, link } of dirs) {
    if (link) {
      links.push(dir);
      continue;
    }
    const text = readCandidate(dir);
    if (text !== undefined) candidates.push({ dir, text });
  }
  const scan = { stamp: stamp ?? "", scopes, candidates, links, warnings };
  if (stamp !== undefined) scans.set(root, scan);
  return scan;
}

function packageDirs(root: string, warnings: string[], scopes: string[]): { dir: string; link: boolean }[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (error) {
    warnings.push(`skipped ${root}: ${(error as Error).message}`);
    return [];
  }
  const out: { dir: string; link: boolean }[] = [];
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith(".") || name === "lost+found") continue;
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
    if (name.startsWith("@")) {
      const scope = root + path.sep + name;
      scopes.push(name);
      try {
        for (const inner of fs.readdirSync(scope, { withFileTypes: true })) {
          if (!inner.name.startsWith(".") && (inner.isDirectory() || inner.isSymbolicLink())) out.push({ dir: scope + path.sep + inner.name, link: inner.isSymbolicLink() });
        }
      } catch (error) {
        warnings.push(`skipped ${scope}: ${(error as Error).message}`);
      }
    } else out.push({ dir: root + path.sep + name, link: entry.isSymbolicLink() });
  }
  return out;
}

function readBlock(pkg: Record<string, unknown>, field: string, file: string, warnings: string[]): [string, string][] {
  const block = pkg[field];
  if (block === undefined) return [];
  if (typeof block !== "object" || block === null || Array.isArray(block)) {
    warnings.push(`${file}: "${field}" must be an object of { "<name>": "<module>:<export>" }; ignored`);
    return [];
  }
  const out: [string, string][] = [];
  for (const [name, entry] of Object.entries(block)) {
    if (typeof entry !== "string" || entry.trim() === "") warnings.push(`${file}: "${field}"."${name}" must be a "<module>:<export>" string; ignored`);
    else out.push([name, entry]);
  }
  return out;
}

/**
 * Finds every installed package that declares `mlflow.app`, `mlflow.app.client` or
 * `mlflow.artifact_repository`, reading
 * `package.json` files from disk only and importing nothing. The package at the working
 * directory's nearest `package.json` (the one being developed) comes first, then the roots,
 * nearest first;
 * the first declaration of a name wins and later ones are reported as duplicates with both
 * places. Packages reached twice (symlinks, workspaces, pnpm) count once, by real path.
 * Unreadable directories and invalid JSON are skipped with a warning.
 *
 * @example
 * const { apps } = discoverApps({ cwd: process.cwd() });
 * apps.map((a) => `${a.name} (${a.packageName}@${a.packageVersion})`);
 */
export function discoverApps(options: DiscoverOptions): Discovery {
  const warnings: string[] = [];
  const roots = findSearchRoots(options);
  const found: AppDeclaration[] = [];
  const seenDirs = new Set<string>();
  const visit = (dir: string, root: SearchRoot, known?: string) => {
    const file = path.join(dir, "package.json");
    const text = known ?? readCandidate(dir);
    if (text === undefined) return;
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      warnings.push(`skipped ${file}: invalid JSON (${(error as Error).message})`);
      return;
    }
    const base = {
      packageName: typeof pkg.name === "string" ? pkg.name : path.basename(dir),
      packageVersion: typeof pkg.version === "string" ? pkg.version : "0.0.0",
      dir: real,
      moduleType: pkg.type === "module" ? ("module" as const) : ("commonjs" as const),
      root,
      peerDependencies: (typeof pkg.peerDependencies === "object" && pkg.peerDependencies !== null ? pkg.peerDependencies : {}) as Record<string, string>,
    };
    for (const [name, entry] of readBlock(pkg, APP_ENTRY_POINT, file, warnings)) found.push({ ...base, name, entry, kind: "app" });
    for (const [name, entry] of readBlock(pkg, APP_CLIENT_ENTRY_POINT, file, warnings)) found.push({ ...base, name, entry, kind: "client" });
    // Schemes compare lowercased on both sides, as MLflow's registry does.
    for (const [name, entry] of readBlock(pkg, ARTIFACT_REPOSITORY_ENTRY_POINT, file, warnings)) found.push({ ...base, name: name.toLowerCase(), entry, kind: "artifact_repository" });
  };
  for (const dir of options.packageDirs ?? []) visit(path.resolve(dir), { dir: path.resolve(dir), kind: "project" });
  // The package the working directory belongs to is nearer than any node_modules.
  const own = nearestPackageDir(options.cwd);
  if (own !== undefined) visit(own, { dir: own, kind: "project" });
  for (const root of roots) {
    const scan = scanRoot(root.dir);
    warnings.push(...scan.warnings);
    for (const candidate of scan.candidates) visit(candidate.dir, root, candidate.text);
    for (const link of scan.links) visit(link, root);
  }

  const duplicates: DuplicateDeclaration[] = [];
  const pick = (kind: DeclarationKind): AppDeclaration[] => {
    const byName = new Map<string, AppDeclaration[]>();
    for (const d of found.filter((x) => x.kind === kind)) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
    const out: AppDeclaration[] = [];
    for (const [name, list] of byName) {
      out.push(list[0]!);
      if (list.length > 1) {
        duplicates.push({ name, kind, used: list[0]!, shadowed: list.slice(1) });
        warnings.push(
          `${kind === "artifact_repository" ? "artifact repository" : kind} '${name}' is declared more than once; using ${list[0]!.packageName}@${list[0]!.packageVersion} at ${list[0]!.dir}, ignoring ${list
            .slice(1)
            .map((d) => `${d.packageName}@${d.packageVersion} at ${d.dir}`)
            .join(", ")}`,
        );
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  };
  return { apps: pick("app"), clients: pick("client"), repositories: pick("artifact_repository"), duplicates, warnings, roots };
}
