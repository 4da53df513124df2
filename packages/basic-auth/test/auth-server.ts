import fs from "node:fs";
import path from "node:path";
import { AuthServiceClient, createBasicAuth } from "@mlflow-ts/basic-auth";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "../../../test/support/test-server.js";
import type { TestDialect } from "../../../test/support/backends.js";
import { applyExtraApps, enterAuthApp } from "../../../test/support/extra-apps.js";

export const ADMIN = { username: "admin", password: "admin-password-123" };

/** A server with basic-auth applied, its INI written into the test's directory. */
export interface AuthServer extends TestServer {
  readonly admin: AuthServiceClient;
  readonly adminTracking: MlflowClient;
  readonly printed: string[];
  as(username: string, password: string): MlflowClient;
  auth(username: string, password: string): AuthServiceClient;
  /** Creates a user (as admin) and returns clients acting as them. */
  user(username: string): Promise<{ tracking: MlflowClient; auth: AuthServiceClient; password: string }>;
}

export async function startAuthServer(
  options: {
    dialect?: TestDialect;
    /** Server settings over the test defaults (a static prefix, …). */
    config?: Partial<import("@mlflow-ts/plugin-api").ServerConfig>;
    /** Serve the built web UI, as `mlflow server` does. */
    webUi?: import("@mlflow-ts/server").WebUiOptions;
    ini?: Record<string, string>;
    env?: Record<string, string>;
    /** The environment artifact repositories are opened with (an s3:// destination's settings). */
    storeEnv?: Record<string, string>;
    databaseUri?: (dir: string, trackingUri: string) => string;
    /** Runs after basic-auth is applied: routes another app adds. */
    after?: (app: import("@mlflow-ts/plugin-api").MlflowApp) => void;
    /** Runs before basic-auth is applied, with the test directory (write files there). */
    before?: (dir: string) => void;
  } = {},
): Promise<AuthServer> {
  const printed: string[] = [];
  let verifyExtraApps = async () => {};
  const server = await startTestServer({
    dialect: options.dialect,
    config: options.config,
    webUi: options.webUi,
    ...(options.storeEnv ? { storeEnv: options.storeEnv } : {}),
    configure: async (app) => {
      const dir = app.context.config.cwd;
      options.before?.(dir);
      const ini = {
        default_permission: "READ",
        database_uri: options.databaseUri?.(dir, app.context.config.backendStoreUri) ?? app.context.config.backendStoreUri,
        admin_username: ADMIN.username,
        auth_cache_ttl_seconds: "60",
        ...options.ini,
      };
      const file = path.join(dir, "basic_auth.ini");
      fs.writeFileSync(file, `[mlflow]\n${Object.entries(ini).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`);
      enterAuthApp(app, "basic-auth");
      await createBasicAuth({ env: { MLFLOW_AUTH_CONFIG_PATH: file, MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN.password, ...options.env }, print: (l) => printed.push(l) })(app);
      // `--app-name basic-auth,<extra apps>` when the suite runs composed (MLFLOW_TS_TEST_WITH_APPS).
      verifyExtraApps = await applyExtraApps(app, { ...process.env, ...options.env });
      options.after?.(app);
    },
  });
  const as = (username: string, password: string) => new MlflowClient(server.url, { username, password });
  const auth = (username: string, password: string) => new AuthServiceClient(server.url, { username, password });
  const admin = auth(ADMIN.username, ADMIN.password);
  const close = server.close;
  return Object.assign(server, {
    // Composed (MLFLOW_TS_TEST_WITH_APPS), the extra apps are checked once the server has stopped.
    async close() {
      await close();
      await verifyExtraApps();
    },
    admin,
    adminTracking: as(ADMIN.username, ADMIN.password),
    printed,
    as,
    auth,
    async user(username: string) {
      const password = `${username}-password-xyz`;
      await admin.createUser(username, password);
      return { tracking: as(username, password), auth: auth(username, password), password };
    },
  });
}
