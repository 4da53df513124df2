import fs from "node:fs";
import path from "node:path";

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

// The tarball npm installed `cliDir` from, as its lockfiles recorded it: `resolved: "file:…tgz"`,
// relative to the project root (npm 7+ writes no `_resolved` into the installed package.json).
function tarballFromLockfiles(cliDir: string): string | undefined {
  const parts = cliDir.split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  if (at <= 0) return undefined;
  const root = parts.slice(0, at).join(path.sep) || path.sep;
  const key = parts.slice(at).join("/");
  for (const lock of [path.join(root, "node_modules", ".package-lock.json"), path.join(root, "package-lock.json")]) {
    const packages = readJson(lock)?.packages as Record<string, { resolved?: unknown }> | undefined;
    const resolved = packages?.[key]?.resolved;
    if (typeof resolved === "string" && resolved.startsWith("file:") && resolved.endsWith(".tgz")) return path.resolve(root, resolved.slice("file:".length));
  }
  return undefined;
}

/**
 * The directory of release tarballs (`npm run release`) this CLI was installed from, when it still
 * holds the release's `@mlflow-ts/plugin-api` tarball: read from the project's lockfiles (npm 7+),
 * the installed package.json's `_resolved` (npm 6), or, in a clone, its `release` directory. A
 * global install records neither, and gives undefined.
 *
 * @example
 * findReleaseDir("/work/app/node_modules/@mlflow-ts/cli", "0.1.0"); // "/work/mlflow-ts/release"
 */
export function findReleaseDir(cliDir: string, version: string): string | undefined {
  const dir = path.resolve(cliDir);
  const resolved = readJson(path.join(dir, "package.json"))?._resolved;
  const legacy = typeof resolved === "string" ? resolved.replace(/^file:/, "") : undefined;
  const candidates = [tarballFromLockfiles(dir), legacy !== undefined && path.isAbsolute(legacy) && legacy.endsWith(".tgz") ? legacy : undefined]
    .filter((t): t is string => t !== undefined)
    .map((t) => path.dirname(t));
  // A clone (packages/cli in the workspace) after `npm run release`.
  if (!dir.split(path.sep).includes("node_modules")) candidates.push(path.resolve(dir, "..", "..", "release"));
  return candidates.find((c) => fs.existsSync(path.join(c, `mlflow-ts-plugin-api-${version}.tgz`)));
}
