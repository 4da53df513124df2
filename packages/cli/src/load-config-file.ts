import { cosmiconfig } from "cosmiconfig";
import { CliError } from "./config-error.js";

/** Where cosmiconfig looks, in order, in the working directory. */
export const CONFIG_FILES = [
  "mlflow.config.json",
  "mlflow.config.yaml",
  "mlflow.config.yml",
  "mlflow.config.js",
  "mlflow.config.mjs",
  "mlflow.config.cjs",
  ".mlflowrc",
  ".mlflowrc.json",
  ".mlflowrc.yaml",
  ".mlflowrc.yml",
  ".mlflowrc.js",
  ".mlflowrc.mjs",
  ".mlflowrc.cjs",
];

/**
 * Finds and reads the config file: the one `--config` names, else the first of
 * {@link CONFIG_FILES} in `cwd`. Returns undefined when there is none.
 *
 * @example
 * const found = await loadConfigFile(process.cwd());
 * found?.config.port;
 */
export async function loadConfigFile(cwd: string, explicit?: string): Promise<{ config: Record<string, unknown>; filepath: string } | undefined> {
  const explorer = cosmiconfig("mlflow", { searchPlaces: CONFIG_FILES, searchStrategy: "none" });
  try {
    const result = explicit ? await explorer.load(explicit) : await explorer.search(cwd);
    if (!result || result.isEmpty) return undefined;
    if (typeof result.config !== "object" || result.config === null || Array.isArray(result.config)) {
      throw new CliError("ERR_CONFIG_FILE", [`${result.filepath}: the configuration must be an object`]);
    }
    return { config: result.config as Record<string, unknown>, filepath: result.filepath };
  } catch (error) {
    if ((error as { name?: string }).name === "CliError") throw error;
    throw new CliError("ERR_CONFIG_FILE", [`${explicit ?? cwd}: ${(error as Error).message}`]);
  }
}
