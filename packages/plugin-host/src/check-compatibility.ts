import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { PLUGIN_API_PACKAGE } from "@mlflow-ts/plugin-api";
import { PluginHostError } from "./plugin-host-error.js";
import type { AppDeclaration } from "./discover-apps.js";
import { describeDeclaration } from "./load-entry.js";

let cachedVersion: string | undefined;

/** The version of `@mlflow-ts/plugin-api` this host runs with (read from its package.json on disk). */
export function pluginApiVersion(): string {
  if (cachedVersion) return cachedVersion;
  const self = path.dirname(fileURLToPath(import.meta.url));
  // The host's own package.json carries the plugin-api version it was built against.
  const pkg = JSON.parse(fs.readFileSync(path.join(self, "..", "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  cachedVersion = semver.minVersion(pkg.dependencies?.[PLUGIN_API_PACKAGE] ?? "0.0.0")?.version ?? "0.0.0";
  return cachedVersion;
}

/**
 * Refuses an app whose `peerDependencies` range for `@mlflow-ts/plugin-api` excludes this host's
 * version (`ERR_APP_INCOMPATIBLE`). An app without the peer range is accepted.
 *
 * @example
 * checkCompatibility(declaration); // throws when the ranges do not meet
 */
export function checkCompatibility(declaration: AppDeclaration, hostVersion = pluginApiVersion()): void {
  const range = declaration.peerDependencies[PLUGIN_API_PACKAGE];
  if (!range) return;
  if (!semver.validRange(range)) {
    throw new PluginHostError("ERR_APP_INCOMPATIBLE", `${describeDeclaration(declaration)} declares an invalid ${PLUGIN_API_PACKAGE} range '${range}'.`);
  }
  if (!semver.satisfies(hostVersion, range, { includePrerelease: true })) {
    throw new PluginHostError(
      "ERR_APP_INCOMPATIBLE",
      `${describeDeclaration(declaration)} requires ${PLUGIN_API_PACKAGE}@${range}, but this server provides ${hostVersion}. Install a version of the app built for ${hostVersion}, or a server that satisfies ${range}.`,
    );
  }
}
