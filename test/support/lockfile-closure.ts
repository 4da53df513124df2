// Which third-party packages an install of some of this workspace's packages needs, read from the
// root package-lock.json: the exact versions `npm ci` installed (and so put in the npm cache).
import fs from "node:fs";

interface LockEntry {
  readonly version?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly resolved?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
}

/** One package version the closure holds. */
export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string | undefined;
}

/** The result of {@link lockfileClosure}. */
export interface LockfileClosure {
  /** Registry packages to serve, each name@version once, sorted by name. */
  readonly packages: readonly LockedPackage[];
  /** Optional packages for another platform (`os`/`cpu`/`libc`): npm skips them here, and `npm ci` never downloaded them. */
  readonly otherPlatforms: readonly string[];
}

// The lockfile key npm would load `name` from for the package at `location`: its own
// node_modules, then each enclosing node_modules up to the root's — Node's lookup, in lockfile keys.
function resolveFrom(lock: Readonly<Record<string, LockEntry>>, location: string, name: string): string | undefined {
  let base = location;
  for (;;) {
    const key = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
    if (lock[key]) return key;
    if (base === "") return undefined;
    const at = base.lastIndexOf("/node_modules/");
    base = at === -1 ? "" : base.slice(0, at);
  }
}

function forThisPlatform(entry: LockEntry): boolean {
  const matches = (list: readonly string[] | undefined, value: string) =>
    !list || (list.some((v) => !v.startsWith("!")) ? list.includes(value) : !list.includes(`!${value}`));
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const libc = process.platform !== "linux" ? undefined : report?.header?.glibcVersionRuntime ? "glibc" : "musl";
  return matches(entry.os, process.platform) && matches(entry.cpu, process.arch) && (libc === undefined || matches(entry.libc, libc));
}

/**
 * Walks `package-lock.json` (lockfile v2/v3 `packages`) from `roots` — lockfile keys, such as a
 * workspace folder (`packages/cli`) or an installed package (`node_modules/typescript`) — along
 * dependencies, optional dependencies and non-optional peer dependencies, resolving each as Node
 * does (nested `node_modules` first) and following workspace links. Returns every registry
 * package reached; workspace packages (links and their folders) are walked through, not listed.
 *
 * @example
 * lockfileClosure("package-lock.json", ["packages/cli"]).packages; // [{ name: "express", version: "5.3.0", … }, …]
 */
export function lockfileClosure(lockfile: string, roots: readonly string[]): LockfileClosure {
  const lock = (JSON.parse(fs.readFileSync(lockfile, "utf8")) as { packages?: Record<string, LockEntry> }).packages;
  if (!lock) throw new Error(`${lockfile} has no "packages" (lockfileVersion 2 or 3 is needed)`);
  const seen = new Set<string>();
  const found = new Map<string, LockedPackage>();
  const otherPlatforms = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = lock[key];
    if (!entry) throw new Error(`${lockfile} has no entry "${key}"`);
    if (entry.link) {
      if (entry.resolved !== undefined) stack.push(entry.resolved);
      continue;
    }
    const name = key.includes("node_modules/") ? key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length) : undefined;
    if (name !== undefined) {
      if (!forThisPlatform(entry)) {
        otherPlatforms.add(`${name}@${entry.version}`);
        continue;
      }
      found.set(`${name}@${entry.version}`, { name, version: entry.version!, integrity: entry.integrity });
    }
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
    for (const dependency of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers]) {
      const target = resolveFrom(lock, key, dependency);
      // An optional dependency npm did not install (another platform's, pruned) has no entry.
      if (target) stack.push(target);
      else if (!(dependency in (entry.optionalDependencies ?? {}))) throw new Error(`${lockfile}: ${key} depends on ${dependency}, which the lockfile does not hold`);
    }
  }
  const packages = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { packages, otherPlatforms: [...otherPlatforms].sort() };
}
