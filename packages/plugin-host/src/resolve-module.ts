import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import resolve from "resolve";
import { exports as exportsTargets } from "resolve.exports";

type ExportsValue = string | null | ExportsValue[] | { [key: string]: ExportsValue };

/**
 * Resolves a subpath (`.` or `./app`) through a package's `exports` map with the conditions an
 * ESM import uses (`import`, `node`, `default`), plus `module-sync` and `require`, whichever the
 * map lists first; the sugar form, nested conditions and `*` patterns included (by
 * `resolve.exports`, as basic-auth resolves its `authorization_function`). Undefined when the map
 * does not export it.
 *
 * @example
 * resolveExports({ "./app": { import: "./dist/app.js" } }, "./app"); // "./dist/app.js"
 */
export function resolveExports(exportsField: ExportsValue, subpath: string): string | undefined {
  try {
    return exportsTargets({ name: "package", exports: exportsField }, subpath, { conditions: ["module-sync", "require"] })?.[0];
  } catch {
    // resolve.exports throws `Missing "<subpath>" specifier` when the map does not export it.
    return undefined;
  }
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
