// better-sqlite3's install script is `prebuild-install || node-gyp rebuild`. Offline, the download
// fails and every `npm install` of it compiles SQLite from source (minutes on a small machine).
// prebuild-install's documented offline answer is a local prebuild: a tarball named as the release
// asset it would download (`better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`) in the
// directory `npm_config_better_sqlite3_local_prebuilds` names. This makes that tarball from the
// binary the workspace's own install already built (same Node, so same ABI), so the packed projects
// still run a real `npm install` — install scripts included — but unpack it instead of compiling.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * Writes the local prebuild into `dir` and returns the environment that points prebuild-install
 * at it; an empty environment (so a build from source, as before) when the workspace has no built
 * binary or this is not glibc Linux/macOS/Windows on a known ABI.
 */
export function betterSqlite3LocalPrebuild(dir: string): Record<string, string> {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve("better-sqlite3/package.json"));
  } catch {
    return {};
  }
  const binary = path.join(pkgDir, "build", "Release", "better_sqlite3.node");
  if (!fs.existsSync(binary)) return {};
  // musl is named `linuxmusl`; only the plain (glibc) name is made here, anything else builds from source.
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  if (process.platform === "linux" && !report?.header?.glibcVersionRuntime) return {};
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string }).version;
  const stage = path.join(dir, "stage");
  fs.mkdirSync(path.join(stage, "build", "Release"), { recursive: true });
  fs.copyFileSync(binary, path.join(stage, "build", "Release", "better_sqlite3.node"));
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["-czf", path.join(dir, name), "-C", stage, "build"]);
  fs.rmSync(stage, { recursive: true, force: true });
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}
