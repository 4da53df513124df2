import type { MlflowApp, ServerConfig } from "@mlflow-ts/plugin-api";
import { createLogger, createServer, startServer, type WebUiOptions } from "@mlflow-ts/server";
import { MlflowClient } from "@mlflow-ts/client";
import { openStores } from "@mlflow-ts/cli";
import { createTestDatabase, type TestDatabase, type TestDialect } from "./backends.js";

/** A server on a free port with its own database. */
export interface TestServer {
  readonly url: string;
  readonly client: MlflowClient;
  readonly app: MlflowApp;
  readonly config: ServerConfig;
  readonly database: TestDatabase;
  /** Raw fetch against the server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A complete ServerConfig for tests. */
export function testConfig(database: TestDatabase, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: database.uri,
    registryStoreUri: database.uri,
    defaultArtifactRoot: "mlflow-artifacts:/",
    serveArtifacts: true,
    artifactsDestination: `${database.dir}/mlartifacts`,
    artifactsOnly: false,
    workers: 1,
    staticPrefix: "",
    appName: undefined,
    appNames: [],
    appSettings: {},
    pluginDirs: [],
    nodePath: undefined,
    maxBodyBytes: 16 * 1024 * 1024,
    statementTimeoutSeconds: 5,
    truncateLongValues: true,
    logFormat: "json",
    cwd: database.dir,
    ...overrides,
  };
}

/**
 * Starts the real server (real database, real HTTP on port 0). `configure` runs before listening,
 * the place to register hooks and routes as an app would.
 */
export async function startTestServer(
  options: {
    dialect?: TestDialect;
    config?: Partial<ServerConfig>;
    webUi?: WebUiOptions;
    configure?: (app: MlflowApp) => void | Promise<void>;
    /** A port to listen on (one known in advance, e.g. for an identity provider's redirect URL); 0 by default. */
    port?: number;
    /** The environment artifact repositories are opened with (`AWS_*`, `MLFLOW_S3_*` for an s3:// destination or root). */
    storeEnv?: Readonly<Record<string, string>>;
  } = {},
): Promise<TestServer> {
  const database = await createTestDatabase(options.dialect ?? "sqlite");
  const config = testConfig(database, options.config);
  let close: (() => Promise<void>) | undefined;
  let running: Awaited<ReturnType<typeof startServer>>;
  let app: MlflowApp;
  try {
    const opened = await openStores(config, { create: true, env: options.storeEnv ?? {} });
    close = opened.close;
    app = createServer(config, opened.stores, { logger: createLogger({ format: "json", write: () => {} }), webUi: options.webUi, ...(opened.rootArtifacts ? { rootArtifacts: opened.rootArtifacts } : {}) });
    await options.configure?.(app);
    running = await startServer(app, { host: "127.0.0.1", port: options.port ?? 0, onClose: close });
  } catch (error) {
    // A server that refuses to start (a test of exactly that) leaves no database behind.
    await close?.().catch(() => {});
    await database.drop();
    throw error;
  }
  return {
    url: running.url,
    client: new MlflowClient(running.url),
    app,
    config,
    database,
    fetch: (path, init) => fetch(`${running.url}${path}`, init),
    close: async () => {
      await running.close();
      await database.drop();
    },
  };
}

/** POSTs JSON and returns status and parsed body. */
export async function postJson(server: TestServer, path: string, body: unknown, method = "POST"): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await server.fetch(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** GETs and returns status and parsed body. */
export async function getJson(server: TestServer, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await server.fetch(path);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
