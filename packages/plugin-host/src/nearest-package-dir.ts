import fs from "node:fs";
import path from "node:path";

/**
 * The directory of the nearest `package.json` from `start` upwards (`start` itself first), or
 * undefined at the filesystem root. Discovery reads that package as a candidate before any
 * `node_modules`: `mlflow server --app-name x` run inside the package that declares `x` (an app
 * being written, after its build) finds it.
 *
 * @example
 * nearestPackageDir("/work/acme-auth/src"); // "/work/acme-auth"
 */
export function nearestPackageDir(start: string): string | undefined {
  let dir = path.resolve(start);
  // Bounded, as every upward walk here: a symlink loop cannot keep it going.
  for (let i = 0; i < 256; i += 1) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}
