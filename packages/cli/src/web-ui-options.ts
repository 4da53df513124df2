import fs from "node:fs";
import path from "node:path";
import type { Logger } from "@mlflow-ts/plugin-api";
import type { WebUiOptions } from "@mlflow-ts/server";
import { uiDirectory } from "@mlflow-ts/ui";

/**
 * The built web UI of `@mlflow-ts/ui`, when it has been built (`npm run build`); otherwise the
 * server runs without it and says so once.
 *
 * @example
 * createServer(config, stores, { logger, webUi: webUiOptions(logger) });
 */
export function webUiOptions(logger: Logger): WebUiOptions | undefined {
  if (fs.existsSync(path.join(uiDirectory, "index.html"))) return { directory: uiDirectory };
  logger.warn(`web UI not served: ${uiDirectory} holds no build (run 'npm run build')`);
  return undefined;
}
