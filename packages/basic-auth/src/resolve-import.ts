import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { exports as exportsTarget } from "resolve.exports";

/**
 * The file `import(specifier)` would load if it were written in a module at `cwd`: a package's
 * `exports` map read with the conditions of an ESM import (`import`, `node`, `default`), so an
 * ESM-only package resolves; a package without `exports` by Node's own resolution (`main`,
 * `index.js`). `createRequire().resolve` alone uses the `require` conditions and refuses
 * import-only packages.
 *
 * @example
 * resolveImport("my-jwt-auth/strategies", "/srv/mlflow"); // "/srv/mlflow/node_modules/my-jwt-auth/dist/strategies.js"
 */
export function resolveImport(specifier: string, cwd: string): string {
  const require = createRequire(path.join(cwd, "package.json"));
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  for (const dir of require.resolve.paths(specifier) ?? []) {
    const manifest = path.join(dir, name, "package.json");
    if (!fs.existsSync(manifest)) continue;
    const pkg = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string; exports?: unknown };
    if (pkg.exports === undefined) break;
    // Throws `Missing "./x" specifier in "pkg" package` when the map does not export the subpath.
    const [target] = exportsTarget({ ...pkg, name }, specifier) ?? [];
    if (target) return path.resolve(path.dirname(manifest), target);
    break;
  }
  return require.resolve(specifier);
}
