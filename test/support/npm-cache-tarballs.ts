// The registry's own tarballs of exact package versions, taken from the local npm cache (which
// `npm ci` filled) and never from the network: `npm pack <name>@<version> --offline` hands back the
// cached bytes unchanged, so their integrity is the lockfile's.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { LockedPackage } from "./lockfile-closure.js";

/** The tarball files by `name@version`, or the first package the cache lacks. */
export type CachedTarballs = { readonly files: ReadonlyMap<string, string> } | { readonly missing: string; readonly detail: string };

/**
 * Runs one `npm pack --offline --json` for all of `packages` into `dir` (one process: npm starts
 * once, and reads each packument and tarball from `~/.npm/_cacache`). A tarball whose integrity is
 * not the lockfile's is an error; a package the cache lacks (ENOTCACHED) is returned as `missing`,
 * by name, for the caller to report.
 *
 * @example
 * const result = await tarballsFromNpmCache(closure.packages, dir, process.env);
 * if ("missing" in result) console.warn(`skipped: the npm cache lacks ${result.missing}`);
 */
export function tarballsFromNpmCache(packages: readonly LockedPackage[], dir: string, env: NodeJS.ProcessEnv): Promise<CachedTarballs> {
  fs.mkdirSync(dir, { recursive: true });
  // npm pack reads the current directory's package.json for its configuration; give it an empty one.
  fs.writeFileSync(path.join(dir, "package.json"), "{}\n");
  const specs = packages.map((p) => `${p.name}@${p.version}`);
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["pack", "--offline", "--json", "--ignore-scripts", "--pack-destination", dir, ...specs], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) {
        const notCached = /ENOTCACHED[\s\S]*?request to \S+?\/((?:@[^/\s]+(?:\/|%2[fF]))?[^/\s@]+)(?:\/|\s)/.exec(err);
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
