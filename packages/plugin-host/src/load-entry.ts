import { pathToFileURL } from "node:url";
import { PluginHostError } from "./plugin-host-error.js";
import { parseEntry } from "./parse-entry.js";
import { resolveModule } from "./resolve-module.js";
import type { AppDeclaration } from "./discover-apps.js";

function describe(d: AppDeclaration): string {
  const kind = d.kind === "artifact_repository" ? "artifact repository for the scheme" : d.kind === "app" ? "app" : "client";
  return `${kind} '${d.name}' (${d.packageName}@${d.packageVersion} at ${d.dir}, entry "${d.entry}")`;
}

// The specifier Node says it could not find, from either loader's message.
function missingSpecifier(error: unknown): string | undefined {
  const message = String((error as Error)?.message ?? "");
  return /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
}

/**
 * Imports the module an entry point names (one loader, `import()`, for ESM, CJS, `.mjs`, `.cjs`
 * and top-level await, so side effects never run twice) and returns the named export, or the
 * default export with CommonJS/TypeScript interop (`module.exports`, `exports.default`,
 * `default.default`). Load errors keep their original cause; a missing dependency of the app is
 * named as such, never reported as the app being missing.
 *
 * @example
 * const factory = await loadEntry(declaration);
 */
export async function loadEntry(declaration: AppDeclaration): Promise<unknown> {
  const { module, exportName } = parseEntry(declaration.entry);
  let file: string;
  try {
    file = resolveModule(declaration.dir, declaration.packageName, module);
  } catch (error) {
    throw new PluginHostError(
      "ERR_APP_LOAD_FAILED",
      `Cannot load ${describe(declaration)}: its module '${module}' does not resolve (${(error as Error).message}). Check the entry point, the package's "exports" and that the built files are published ("files").`,
      { cause: error },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const missing = missingSpecifier(error);
    const code = (error as { code?: string }).code;
    const why =
      missing && (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
        ? `its dependency '${missing}' is not installed (${(error as Error).message}). Install it in the project: npm install ${missing.startsWith(".") || missing.startsWith("/") ? "<the missing file's package>" : missing}`
        : `importing ${file} threw: ${(error as Error)?.stack ?? String(error)}`;
    throw new PluginHostError("ERR_APP_LOAD_FAILED", `Cannot load ${describe(declaration)}: ${why}`, { cause: error });
  }
  const defaults = mod.default as Record<string, unknown> | undefined;
  let value: unknown;
  if (exportName) value = mod[exportName] ?? (defaults && typeof defaults === "object" ? defaults[exportName] : undefined);
  else {
    value = mod.default;
    // TypeScript-compiled CJS: module.exports = { default: fn } arrives as default.default.
    while (value && typeof value === "object" && "default" in (value as object) && Object.keys(value as object).length <= 2) {
      value = (value as { default: unknown }).default;
    }
  }
  if (value === undefined) {
    throw new PluginHostError(
      "ERR_APP_INVALID",
      `Cannot use ${describe(declaration)}: ${file} has no ${exportName ? `export named '${exportName}'` : "default export"} (exports: ${Object.keys(mod).join(", ") || "none"}).`,
    );
  }
  return value;
}

export { describe as describeDeclaration };
