// The registry's own tarballs of exact package versions, taken from the local npm cache (which
// `npm ci` filled) and never from the network.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { LockedPackage } from "./lockfile-closure.js";

/** The tarball files by `name@version`, or the first package the cache lacks. */
export type CachedTarballs = { readonly files: ReadonlyMap<string, string> } | { readonly missing: string; readonly detail: string };

// npm's cache directory: the parent npm's setting when run from `npm test`, else npm's own answer.
function npmCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.npm_config_cache) return env.npm_config_cache;
  const asked = spawnSync("npm", ["config", "get", "cache"], { env, encoding: "utf8", shell: process.platform === "win32" });
  return asked.status === 0 ? asked.stdout.trim() : undefined;
}

// npm's cache (cacache) stores a tarball under the hex digest of its integrity:
// _cacache/content-v2/sha512/ab/cd/ef…. The bytes are hashed again here, so a file is used (read
// where it is, never changed) only when it is exactly the tarball the lockfile names.
function fromContentStore(cache: string, integrity: string | undefined): string | undefined {
  const match = /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity?.split(/\s+/)[0] ?? "");
  if (!match) return undefined;
  const hex = Buffer.from(match[1]!, "base64").toString("hex");
  const file = path.join(cache, "_cacache", "content-v2", "sha512", hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
  if (!fs.existsSync(file)) return undefined;
  return crypto.createHash("sha512").update(fs.readFileSync(file)).digest("hex") === hex ? file : undefined;
}

// The official way for what the content store did not give: one `npm pack --offline` for all of
// them (npm reads each packument and tarball from its cache and hands the bytes back unchanged).
function npmPackOffline(packages: readonly LockedPackage[], dir: string, env: NodeJS.ProcessEnv): Promise<CachedTarballs> {
  // npm pack reads the current directory's package.json for its configuration; give it an empty one.
  fs.writeFileSync(path.join(dir, "package.json"), "{}\n");
  const specs = packages.map((p) => `${p.name}@${p.version}`);
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["pack", "--offline", "--json", "--ignore-scripts", "--pack-destination", dir, ...specs], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) {
        const notCached = /ENOTCACHED[\s\S]*?request to https?:\/\/[^/\s]+\/((?:@[^/\s]+(?:\/|%2[fF]))?[^/\s@]+)/.exec(err);
        if (notCached) return resolve({ missing: decodeURIComponent(notCached[1]!), detail: err.trim().split("\n").slice(0, 3).join("\n") });
        return reject(new Error(`npm pack --offline exited with ${code}:\n${err}`));
      }
      const packed = JSON.parse(out) as { name: string; version: string; filename: string; integrity: string }[];
      const expected = new Map(packages.map((p) => [`${p.name}@${p.version}`, p.integrity]));
      const files = new Map<string, string>();
      for (const p of packed) {
        const key = `${p.name}@${p.version}`;
        const integrity = expected.get(key);
        if (integrity !== undefined && integrity !== p.integrity) return reject(new Error(`${key} from the npm cache has integrity ${p.integrity}, the lockfile says ${integrity}`));
        files.set(key, path.join(dir, p.filename));
      }
      const absent = specs.filter((s) => !files.has(s));
      if (absent.length > 0) return reject(new Error(`npm pack did not write ${absent.join(", ")}`));
      resolve({ files });
    });
  });
}

/**
 * The tarball of each of `packages`, from the npm cache only: the file in npm's content store that
 * the lockfile's integrity names (hashed again) — instant, where npm would parse hundreds of
 * packuments first — and, for any it does not hold that way, one `npm pack --offline` into `dir`. A package the cache lacks altogether (ENOTCACHED) is returned as `missing`, by name,
 * for the caller to report.
 *
 * @example
 * const result = await tarballsFromNpmCache(closure.packages, dir, process.env);
 * if ("missing" in result) console.warn(`skipped: the npm cache lacks ${result.missing}`);
 */
export async function tarballsFromNpmCache(packages: readonly LockedPackage[], dir: string, env: NodeJS.ProcessEnv): Promise<CachedTarballs> {
  fs.mkdirSync(dir, { recursive: true });
  const cache = npmCacheDir(env);
  const files = new Map<string, string>();
  const rest: LockedPackage[] = [];
  for (const p of packages) {
    const file = cache ? fromContentStore(cache, p.integrity) : undefined;
    if (file) files.set(`${p.name}@${p.version}`, file);
    else rest.push(p);
  }
  if (rest.length === 0) return { files };
  const packed = await npmPackOffline(rest, dir, env);
  if ("missing" in packed) return packed;
  return { files: new Map([...files, ...packed.files]) };
}
