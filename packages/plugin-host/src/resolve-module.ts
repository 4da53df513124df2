import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import resolve from "resolve";

const CONDITIONS = ["import", "node", "module-sync", "default", "require"];

type ExportsValue = string | null | ExportsValue[] | { [key: string]: ExportsValue };

function pickTarget(value: ExportsValue): string | undefined {
  if (value === null) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = pickTarget(v);
      if (t) return t;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) if (CONDITIONS.includes(key)) {
    const t = pickTarget(v);
    if (t) return t;
  }
  return undefined;
}

/**
 * Resolves a subpath (`.` or `./app`) through a package's `exports` map with the conditions an
 * ESM import uses (`import`, `node`, `default`, then `require`); the sugar form, nested conditions
 * and `*` patterns included. Undefined when the map does not export it.
 */
export function resolveExports(exportsField: ExportsValue, subpath: string): string | undefined {
  const isSugar = typeof exportsField === "string" || Array.isArray(exportsField) || (typeof exportsField === "object" && exportsField !== null && !Object.keys(exportsField).some((k) => k.startsWith(".")));
  const map: Record<string, ExportsValue> = isSugar ? { ".": exportsField } : (exportsField as Record<string, ExportsValue>);
  if (subpath in map) return pickTarget(map[subpath]!);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star === -1) continue;
    const [before, after] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= key.length - 1) {
      const target = pickTarget(value);
      return target?.replace("*", subpath.slice(before.length, subpath.length - after.length));
    }
  }
  return undefined;
}

/**
 * The file an entry point's module names, resolved from its package: `./relative` paths against
 * the package root, the package's own name (and subpaths) through its `exports` map, other
 * specifiers as Node would resolve them from the package (`exports`, then `main`/`index.js`).
 * Throws Node's own not-found error (with `code`) when nothing matches.
 *
 * @example
 * resolveModule("/srv/node_modules/my-auth", "my-auth", "./dist/app.js");
 */
export function resolveModule(packageDir: string, packageName: string, specifier: string): string {
  if (specifier.startsWith("./") || specifier.startsWith("../") || path.isAbsolute(specifier)) {
    const file = path.resolve(packageDir, specifier);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    throw Object.assign(new Error(`Cannot find module '${file}' (entry point of ${packageName})`), { code: "ERR_MODULE_NOT_FOUND", missing: file });
  }
  const [scopeOrName, ...rest] = specifier.split("/");
  const bareName = scopeOrName!.startsWith("@") ? `${scopeOrName}/${rest.shift() ?? ""}` : scopeOrName!;
  const subpath = rest.length > 0 ? `./${rest.join("/")}` : ".";
  // The package itself, or the package the specifier names as an import from this one would find it.
  const require = createRequire(path.join(packageDir, "package.json"));
  const targetDir =
    bareName === packageName ? packageDir : require.resolve.paths(specifier)?.map((dir) => path.join(dir, bareName)).find((dir) => fs.existsSync(path.join(dir, "package.json")));
  if (targetDir) {
    const pkg = JSON.parse(fs.readFileSync(path.join(targetDir, "package.json"), "utf8")) as { exports?: ExportsValue; main?: string };
    if (pkg.exports !== undefined) {
      const target = resolveExports(pkg.exports, subpath);
      if (!target) throw Object.assign(new Error(`Package ${bareName} does not export '${subpath}'`), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
      return path.resolve(targetDir, target);
    }
    return resolve.sync(subpath === "." ? "./" : subpath, { basedir: targetDir, extensions: [".js", ".mjs", ".cjs"] });
  }
  // Not installed where Node looks: `resolve` reports it missing, with Node's code.
  return resolve.sync(specifier, { basedir: packageDir, extensions: [".js", ".mjs", ".cjs"] });
}
