import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where discovery looks, and why (shown by `mlflow apps list`). */
export interface SearchRoot {
  readonly dir: string;
  readonly kind: "project" | "pnpm" | "host" | "node-path" | "configured" | "global";
}

/** Options of {@link findSearchRoots}. */
export interface SearchRootOptions {
  /**
   * The project directory; every `node_modules` from here upwards is searched, nearest first
   * (discovery also reads the package at the nearest `package.json` from here, before them).
   */
  readonly cwd: string;
  /** Extra directories from configuration (each a `node_modules`-like folder of packages). */
  readonly extraDirs?: readonly string[];
  /** `NODE_PATH`, as the CLI read it. */
  readonly nodePath?: string;
  /** Search the global install prefix too (default true). */
  readonly includeGlobal?: boolean;
  /** The host's own location (default: this package's install directory). */
  readonly hostDir?: string;
  /** The global `node_modules` (default: computed from the running Node, see {@link globalNodeModules}). */
  readonly globalDir?: string;
}

function upwardNodeModules(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (let i = 0; i < 256; i += 1) {
    if (path.basename(dir) !== "node_modules") out.push(path.join(dir, "node_modules"));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/**
 * The global `node_modules` of the running Node, computed from its executable rather than by
 * spawning `npm root -g` (slow, and it hangs behind proxies): `<prefix>/lib/node_modules` on POSIX,
 * `<prefix>/node_modules` on Windows; `npm_config_prefix` wins when set.
 */
export function globalNodeModules(env: Readonly<Record<string, string | undefined>> = {}): string {
  const prefix = env.npm_config_prefix ?? path.dirname(path.dirname(process.execPath));
  return process.platform === "win32" ? path.join(prefix, "node_modules") : path.join(prefix, "lib", "node_modules");
}

/**
 * The ordered, de-duplicated search roots: the project's `node_modules` chain (and pnpm's hidden
 * `.pnpm/node_modules` of each), configured directories, `NODE_PATH`, the host's own install
 * location (built-in apps, a global install of the host), then the global prefix. Missing
 * directories are dropped.
 *
 * @example
 * findSearchRoots({ cwd: process.cwd() }).map((r) => r.dir);
 */
export function findSearchRoots(options: SearchRootOptions): SearchRoot[] {
  const roots: SearchRoot[] = [];
  const seen = new Set<string>();
  const add = (dir: string, kind: SearchRoot["kind"]) => {
    const abs = path.resolve(dir);
    if (seen.has(abs)) return;
    seen.add(abs);
    if (fs.existsSync(abs)) roots.push({ dir: abs, kind });
  };
  for (const dir of upwardNodeModules(options.cwd)) {
    add(dir, "project");
    add(path.join(dir, ".pnpm", "node_modules"), "pnpm");
  }
  for (const dir of options.extraDirs ?? []) add(dir, "configured");
  for (const dir of (options.nodePath ?? "").split(path.delimiter).filter(Boolean)) add(dir, "node-path");
  const hostDir = options.hostDir ?? path.dirname(fileURLToPath(import.meta.url));
  for (const dir of upwardNodeModules(hostDir)) add(dir, "host");
  if (options.includeGlobal !== false) add(options.globalDir ?? globalNodeModules(), "global");
  return roots;
}
