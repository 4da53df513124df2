import fs from "node:fs";
import path from "node:path";
import { PLUGIN_API_PACKAGE } from "@mlflow-ts/plugin-api";
import { pluginApiVersion } from "./check-compatibility.js";
import type { AppDeclaration } from "./discover-apps.js";
import { parseEntry } from "./parse-entry.js";
import { resolveModule } from "./resolve-module.js";

/** The package.json fields the publishing checks read. */
export interface PublishedManifest {
  readonly name?: string;
  readonly private?: boolean;
  readonly files?: readonly string[];
  readonly types?: string;
  readonly typings?: string;
  readonly scripts?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

// The file an entry point loads when it is the package's own (a relative path, or the package's
// name through its "exports"); undefined for a module of another package.
function ownEntryFile(declaration: AppDeclaration): string | undefined {
  const { module } = parseEntry(declaration.entry);
  if (module.startsWith("./") || module.startsWith("../") || path.isAbsolute(module)) return path.resolve(declaration.dir, module);
  if (module !== declaration.packageName && !module.startsWith(`${declaration.packageName}/`)) return undefined;
  try {
    return resolveModule(declaration.dir, declaration.packageName, module);
  } catch {
    // Not exported: the loader reports that, with Node's own words.
    return undefined;
  }
}

/**
 * What would break once `declaration`'s package is published and installed elsewhere: its entry's
 * file is not there (`ERR_APP_ENTRY_MISSING`: not built), or npm would leave it out of the tarball
 * (`ERR_APP_NOT_PACKED`; only when `packed`, npm's file list, is known). Undefined when neither, or
 * when the entry names another package's module.
 *
 * @example
 * const problem = publishProblem(declaration, pkg, packed.files); // { code: "ERR_APP_NOT_PACKED", message: "dist/app.js … would not be published …" }
 */
export function publishProblem(declaration: AppDeclaration, pkg: PublishedManifest, packed: ReadonlySet<string> | undefined): { code: string; message: string } | undefined {
  const file = ownEntryFile(declaration);
  if (file === undefined) return undefined;
  const relative = path.relative(declaration.dir, file).split(path.sep).join("/");
  if (!fs.existsSync(file)) {
    const build = pkg.scripts?.build ? "run `npm run build`" : "build it";
    return {
      code: "ERR_APP_ENTRY_MISSING",
      message: `the entry point "${declaration.entry}" names ${relative}, which does not exist: ${build} before verifying or publishing (the built files are what the server loads and what npm uploads).`,
    };
  }
  if (packed && !relative.startsWith("../") && !packed.has(relative)) {
    const files = pkg.files ? `"files" is ${JSON.stringify(pkg.files)}` : `no "files" field, so .npmignore or .gitignore excludes it`;
    return {
      code: "ERR_APP_NOT_PACKED",
      message: `${relative} (entry point "${declaration.entry}") would not be published: \`npm pack\` leaves it out (${files}). Add "${relative.split("/")[0]}" to "files" in package.json, or an installed copy of ${pkg.name ?? "the package"} cannot load this ${declaration.kind === "artifact_repository" ? "artifact repository" : declaration.kind}.`,
    };
  }
  return undefined;
}

/**
 * Problems of a package as a whole that do not stop it loading here but matter once published:
 * `"private": true`, `@mlflow-ts/plugin-api` in `dependencies` or without a peer range, `"types"`
 * left out of the tarball.
 *
 * @example
 * for (const w of publishWarnings(pkg, packed.files)) console.warn(`warning: ${w}`);
 */
export function publishWarnings(pkg: PublishedManifest, packed: ReadonlySet<string> | undefined): string[] {
  const warnings: string[] = [];
  if (pkg.private) warnings.push(`package.json has "private": true, so \`npm publish\` refuses it`);
  const peer = pkg.peerDependencies?.[PLUGIN_API_PACKAGE];
  if (pkg.dependencies?.[PLUGIN_API_PACKAGE]) {
    warnings.push(`${PLUGIN_API_PACKAGE} is in "dependencies": an install would bring a second copy next to the server's. Move it to "peerDependencies" (and "devDependencies" to build).`);
  } else if (!peer) {
    warnings.push(`no "peerDependencies" on ${PLUGIN_API_PACKAGE}: a server of any version will try to load this package. Declare the versions it is built for, e.g. "${PLUGIN_API_PACKAGE}": "^${pluginApiVersion()}".`);
  }
  const types = pkg.types ?? pkg.typings;
  if (types && packed && !packed.has(path.posix.normalize(types))) warnings.push(`"types" names ${types}, which \`npm pack\` leaves out (or which is not built yet)`);
  return warnings;
}
