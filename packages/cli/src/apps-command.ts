import { Command } from "commander";
import fs from "node:fs";
import path from "node:path";
import { discoverApps, verifyApp } from "@mlflow-ts/plugin-host";
import { discoverOptions } from "./discover-options.js";
import { fileURLToPath } from "node:url";
import { findReleaseDir } from "./find-release-dir.js";
import { initApp } from "./init-app.js";
import { initArtifactRepository } from "./init-artifact-repository.js";
import { registryHas, type RegistryAnswer } from "./registry-has.js";
import { inspectApps, type AppInspection } from "./inspect-apps.js";
import { SERVER_VERSION } from "@mlflow-ts/server";

/** What the apps commands need from their process. */
export interface AppsIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether the npm registry has a package version (default: {@link registryHas}, `npm view`). */
  readonly registryHas?: (pkg: string, version: string) => Promise<RegistryAnswer>;
  /** This CLI's package directory (default: where it runs from): `apps init` offers the release it was installed from. */
  readonly cliDir?: string;
}

const CLI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const API_PACKAGE = "@mlflow-ts/plugin-api";

// Without --from a scaffold installs mlflow-ts from the registry: say before writing anything when
// the registry does not have it (the packages may never have been published there), and where the
// release tarballs are when this CLI was installed from them.
async function registryProblem(name: string, io: AppsIo): Promise<{ fatal?: string; warning?: string }> {
  const answer = await (io.registryHas ?? ((pkg, version) => registryHas(pkg, version, io.env)))(API_PACKAGE, SERVER_VERSION);
  if (answer === "published") return {};
  const release = findReleaseDir(io.cliDir ?? CLI_DIR, SERVER_VERSION);
  const fix = release
    ? `This mlflow was installed from the release tarballs in ${release}; use them:\n  mlflow apps init ${name} --from ${release}`
    : `Install mlflow-ts from its release tarballs instead (the directory \`npm run release\` makes in an mlflow-ts clone):\n  mlflow apps init ${name} --from <release dir>`;
  if (answer === "missing") return { fatal: `${API_PACKAGE}@${SERVER_VERSION} is not in the npm registry (npm view answers 404): the mlflow-ts packages are not published there, so \`npm install\` in the new package would fail.\n${fix}` };
  return { warning: `could not ask the npm registry for ${API_PACKAGE}@${SERVER_VERSION}; if \`npm install\` answers 404, the packages are not published there.\n${fix}` };
}

// `apps verify` takes a package directory (with its own package.json: never one found further up)
// or the name of an installed app.
function packageDirOf(arg: string, io: AppsIo): string | { problem: string } {
  const dir = path.resolve(io.cwd, arg);
  if (fs.existsSync(path.join(dir, "package.json"))) return dir;
  const envDirs = (io.env.MLFLOW_PLUGIN_DIRS ?? "").split(path.delimiter).filter(Boolean);
  const found = discoverApps(discoverOptions({ cwd: io.cwd, pluginDirs: envDirs.map((d) => path.resolve(io.cwd, d)), nodePath: io.env.NODE_PATH })).apps.find((a) => a.name === arg);
  if (found) return found.dir;
  return { problem: `'${arg}' is neither a package directory (no package.json at ${dir}) nor the name of an installed app (see \`mlflow apps list\`)` };
}

function formatInspection(c: AppInspection): string {
  const lines = [`\n${c.name} (${c.package})${c.description ? `: ${c.description}` : ""}`];
  if (c.identifiesCallers) lines.push("  identifies callers (at most one such app per server)");
  for (const s of c.settings) lines.push(`  setting ${s.name}: ${s.variable} (${s.kind}${s.required ? ", required" : ""}${s.default !== undefined ? `, default ${JSON.stringify(s.default)}` : ""})${s.description ? ` ${s.description}` : ""}`);
  if (c.problem) lines.push(`  not applied: ${c.problem}`);
  else {
    for (const r of c.routes) lines.push(`  route ${r.method.toUpperCase()} ${r.path}`);
    for (const p of c.uiPages) lines.push(`  UI page #/apps/${p}`);
    if (c.lifecycle.onReady || c.lifecycle.onClose) lines.push(`  lifecycle: ${c.lifecycle.onReady} onReady, ${c.lifecycle.onClose} onClose`);
    for (const h of c.lifecycle.health) lines.push(`  health: ${h} (on /health?detail)`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * `mlflow apps list [--json] [--contributions]` (every installed app: name, package@version, path, ESM/CJS, whether
 * a client is declared) and `mlflow apps verify [dir]` (load a package's apps as the server would).
 *
 * @example
 * program.addCommand(appsCommand(io, setResult));
 */
export function appsCommand(io: AppsIo, setResult: (p: Promise<number>) => void): Command {
  const apps = new Command("apps").description("Inspect the server apps installed packages declare");
  apps
    .command("list")
    .description("List installed apps (mlflow.app), their clients (mlflow.app.client) and artifact repositories by URI scheme (mlflow.artifact_repository)")
    .option("--json", "print JSON")
    .option("--plugin-dir <dir...>", "extra directories of installed packages")
    .option("--contributions", "also apply each app alone to a throwaway server and show what it contributes: routes, UI pages, settings, lifecycle and health")
    .action((opts: { json?: boolean; pluginDir?: string[]; contributions?: boolean }) => {
      setResult(
        (async () => {
          const envDirs = (io.env.MLFLOW_PLUGIN_DIRS ?? "").split(path.delimiter).filter(Boolean);
          const discovery = discoverApps(
            discoverOptions({ cwd: io.cwd, pluginDirs: [...envDirs, ...(opts.pluginDir ?? [])].map((d) => path.resolve(io.cwd, d)), nodePath: io.env.NODE_PATH }),
          );
          const clients = new Map(discovery.clients.map((c) => [c.name, c]));
          const rows = discovery.apps.map((a) => ({
            name: a.name,
            package: a.packageName,
            version: a.packageVersion,
            path: a.dir,
            module: a.moduleType === "module" ? "ESM" : "CJS",
            entry: a.entry,
            client: clients.get(a.name)?.entry ?? null,
            source: a.root.kind,
          }));
          // Artifact repositories by URI scheme: the built-in file one, then what packages declare.
          const repositories = [
            { scheme: "file", package: "built in", version: SERVER_VERSION, path: "-", module: "ESM", entry: "@mlflow-ts/store:FileArtifactRepository" },
            ...discovery.repositories.filter((r) => r.name !== "file").map((r) => ({ scheme: r.name, package: r.packageName, version: r.packageVersion, path: r.dir, module: r.moduleType === "module" ? "ESM" : "CJS", entry: r.entry })),
          ];
          const pluginDirs = [...envDirs, ...(opts.pluginDir ?? [])].map((d) => path.resolve(io.cwd, d));
          const contributions = opts.contributions ? await inspectApps(rows.map((r) => r.name), { cwd: io.cwd, env: io.env, pluginDirs }) : undefined;
          if (opts.json) {
            const duplicates = discovery.duplicates.map((d) => ({
              name: d.name,
              kind: d.kind,
              used: { package: d.used.packageName, version: d.used.packageVersion, path: d.used.dir },
              shadowed: d.shadowed.map((s) => ({ package: s.packageName, version: s.packageVersion, path: s.dir })),
            }));
            io.stdout(`${JSON.stringify({ apps: rows, ...(contributions ? { contributions } : {}), clients: discovery.clients.map((c) => ({ name: c.name, package: c.packageName, version: c.packageVersion, path: c.dir, entry: c.entry })), repositories, duplicates, warnings: discovery.warnings }, null, 2)}\n`);
            return 0;
          }
          if (rows.length === 0) io.stdout("No installed package declares an app (\"mlflow.app\").\n");
          else {
            const table = [["NAME", "PACKAGE", "MODULE", "CLIENT", "PATH"], ...rows.map((r) => [r.name, `${r.package}@${r.version}`, r.module, r.client ?? "-", r.path])];
            const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
            for (const row of table) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")}\n`);
          }
          for (const c of contributions ?? []) io.stdout(formatInspection(c));
          const repoTable = [["SCHEME", "PACKAGE", "MODULE", "PATH"], ...repositories.map((r) => [`${r.scheme}:`, r.package === "built in" ? "built in" : `${r.package}@${r.version}`, r.module, r.path])];
          const repoWidths = repoTable[0]!.map((_, i) => Math.max(...repoTable.map((row) => row[i]!.length)));
          io.stdout(`\nArtifact repositories ("mlflow.artifact_repository"):\n`);
          for (const row of repoTable) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(repoWidths[i]!))).join("  ")}\n`);
          for (const w of discovery.warnings) io.stderr(`warning: ${w}\n`);
          return 0;
        })(),
      );
    });
  apps
    .command("verify")
    .description("Find and load the apps and clients a package declares, as `mlflow server --app-name` would")
    .argument("[dir-or-name]", "a package directory, or the name of an installed app", ".")
    .option("--json", "print JSON")
    .action((dir: string, opts: { json?: boolean }) => {
      setResult(
        (async () => {
          const target = packageDirOf(dir, io);
          if (typeof target !== "string") {
            io.stderr(`Error ERR_APP_NOT_FOUND: ${target.problem}\n`);
            return 2;
          }
          const report = await verifyApp(target);
          if (opts.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
          else {
            for (const e of report.entries) {
              io.stdout(`${e.ok ? "ok  " : "FAIL"} ${e.kind} '${e.name}' (${e.entry})${e.ok ? ` → ${e.shape}` : `\n     ${e.error?.code}: ${e.error?.message}`}\n`);
            }
            for (const w of report.warnings) io.stderr(`warning: ${w}\n`);
          }
          return report.ok ? 0 : 1;
        })(),
      );
    });
  apps
    .command("init")
    .description("Create a server app package (TypeScript, a hook, a route, a client, a test) in ./<name>; with --kind artifact-repository, an artifact repository package for a URI scheme")
    .argument("<name>", "the package and app name, e.g. acme-auth")
    .option("--from <dir>", "install mlflow-ts from a directory of release tarballs (npm run release) instead of the registry")
    .option("--kind <kind>", "app (default) or artifact-repository", "app")
    .option("--scheme <scheme>", "artifact-repository: the URI scheme it serves (default: the package name)")
    .action((name: string, opts: { from?: string; kind?: string; scheme?: string }) => {
      setResult(
        (async () => {
          let dir: string;
          const registry = opts.from ? {} : await registryProblem(name, io);
          if (registry.fatal) {
            io.stderr(`Error ERR_APP_INIT: ${registry.fatal}\n`);
            return 2;
          }
          if (opts.kind !== "app" && opts.kind !== "artifact-repository") {
            io.stderr(`Error ERR_APP_INIT: --kind must be app or artifact-repository, not '${opts.kind}'\n`);
            return 2;
          }
          try {
            const from = opts.from && path.resolve(io.cwd, opts.from);
            dir =
              opts.kind === "artifact-repository"
                ? initArtifactRepository(name, { cwd: io.cwd, ...(from ? { from } : {}), version: SERVER_VERSION, ...(opts.scheme ? { scheme: opts.scheme } : {}) })
                : initApp(name, { cwd: io.cwd, from, version: SERVER_VERSION });
          } catch (error) {
            io.stderr(`Error ERR_APP_INIT: ${(error as Error).message}\n`);
            return 2;
          }
          if (registry.warning) io.stderr(`warning: ${registry.warning}\n`);
          io.stdout(`Created ${dir}\nNext: cd ${path.relative(io.cwd, dir)} && npm install && npm test\n`);
          return 0;
        })(),
      );
    });
  return apps;
}
