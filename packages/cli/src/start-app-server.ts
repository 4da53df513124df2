import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AppFactory, MlflowApp } from "@mlflow-ts/plugin-api";
import { createLogger, createServer, startServer } from "@mlflow-ts/server";
import { applyServerApps, loadServerApps } from "./load-server-apps.js";
import { openStores } from "./open-stores.js";
import { resolveConfig } from "./resolve-config.js";

/** A server started by {@link startAppServer}. */
export interface AppServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly app: MlflowApp;
  /** Stops the server, closes its database and removes its temporary directory. */
  stop(): Promise<void>;
}

/**
 * For app authors' tests: the real server, with an app applied, on a free port, over a fresh SQLite
 * database in a temporary directory. Give the app by its `mlflow.app` name (found from `cwd` as
 * `mlflow server --app-name` finds it: the package at the nearest package.json first, then
 * installed ones; `a,b` applies several in order, with their settings read from `env`) or as a
 * factory. `artifactsDestination` with a URI scheme (`acme://bucket`) runs
 * the proxy on the `mlflow.artifact_repository` of that scheme, found the same way and constructed
 * with `env`: how a repository author tests theirs.
 *
 * @example
 * const server = await startAppServer({ appName: "acme-auth" });
 * const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/search`);
 * await server.stop();
 */
export async function startAppServer(
  options: { appName?: string; app?: AppFactory; cwd?: string; env?: Readonly<Record<string, string | undefined>>; artifactsDestination?: string } = {},
): Promise<AppServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-app-"));
  const config = resolveConfig({
    env: {},
    flags: { port: "0", backendStoreUri: `sqlite:///${path.join(dir, "mlflow.db")}`, artifactsDestination: options.artifactsDestination ?? path.join(dir, "mlartifacts"), ...(options.appName ? { appName: options.appName } : {}) },
    cwd: options.cwd ?? process.cwd(),
    isTTY: false,
  });
  const logger = createLogger({ format: "json", write: () => {} });
  // An artifact repository (artifactsDestination with its scheme) reads its settings from env.
  const { stores, close } = await openStores(config, { create: true, env: options.env ?? {} });
  const previousEnv: Record<string, string | undefined> = {};
  try {
    // An app reads its settings from the environment while it is applied.
    for (const [k, v] of Object.entries(options.env ?? {})) {
      previousEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    let app = createServer(config, stores, { logger });
    if (options.app) app = (await options.app(app)) ?? app;
    // Discovery reads the package being developed (the nearest package.json) before installed ones.
    app = await applyServerApps(app, await loadServerApps(config, { ...process.env, ...(options.env ?? {}) }));
    const running = await startServer(app, { host: "127.0.0.1", port: 0, onClose: close });
    return {
      url: running.url,
      app,
      stop: async () => {
        await running.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    for (const [k, v] of Object.entries(previousEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
