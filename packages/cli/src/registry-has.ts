import { spawn } from "node:child_process";

/** What the npm registry said about a package version: there, not there, or no clear answer. */
export type RegistryAnswer = "published" | "missing" | "unknown";

/**
 * Asks the npm registry the user's npm is configured with (`npm view`, so `.npmrc`, scoped
 * registries and proxies apply) whether `pkg@version` is published. A 404, or a package without
 * that version, is "missing"; an unreachable registry or a missing `npm` is "unknown" (one try, no
 * retries: this runs before `mlflow apps init` writes anything).
 *
 * @example
 * if ((await registryHas("@mlflow-ts/plugin-api", "0.1.0", process.env)) === "missing") useReleaseTarballs();
 */
export function registryHas(pkg: string, version: string, env: Readonly<Record<string, string | undefined>>): Promise<RegistryAnswer> {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    const child = spawn("npm", ["view", `${pkg}@${version}`, "version", "--json", "--fetch-retries=0", "--fetch-timeout=15000"], {
      env: { ...env, NO_UPDATE_NOTIFIER: "1", npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      // npm is npm.cmd on Windows, which only a shell runs.
      shell: process.platform === "win32",
      timeout: 30_000,
    });
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", () => resolve("unknown"));
    child.on("close", (code) => {
      // An existing package without that version: exit 0 and nothing printed.
      if (code === 0) resolve(out.trim() === "" ? "missing" : "published");
      else resolve(/\bE404\b|404 Not Found|could not be found/.test(`${out}\n${err}`) ? "missing" : "unknown");
    });
  });
}
