import type { ServerConfig } from "@mlflow-ts/plugin-api";
import type { DiscoverOptions } from "@mlflow-ts/plugin-host";

/**
 * The plugin-host discovery options a server configuration implies: its working directory, its
 * `--plugin-dir`s and `NODE_PATH`.
 *
 * @example
 * discoverApps(discoverOptions(config));
 */
export function discoverOptions(config: Pick<ServerConfig, "cwd" | "pluginDirs" | "nodePath">): DiscoverOptions {
  return { cwd: config.cwd, extraDirs: config.pluginDirs, nodePath: config.nodePath };
}
