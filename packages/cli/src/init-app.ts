import fs from "node:fs";
import path from "node:path";
import { SCAFFOLD_SCRIPTS, SCAFFOLD_TOOLCHAIN, SCAFFOLD_TSCONFIG, releaseDependencies, scaffoldBaseName, scaffoldDirectory, scaffoldPublishFields } from "./scaffold-common.js";

/** The packages a scaffolded app depends on, and where they come from. */
// plugin-api and client are peers: the server's own copies are the ones an app must use. The
// development install gets them (and the server, for tests) as devDependencies; only those may
// point at local tarballs, so a packed app never carries a path from the author's machine.
const HOST_PACKAGES = { "@mlflow-ts/plugin-api": "peer+dev", "@mlflow-ts/client": "peer+dev", "@mlflow-ts/cli": "dev" } as const;

function className(name: string): string {
  return name.replace(/(^|[-_.])(\w)/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, "") + "Client";
}

/**
 * `mlflow apps init <name>`: a plugin package that builds and passes its test right after
 * `npm install` — TypeScript with its own tsconfig, `mlflow.app` and `mlflow.app.client`, a
 * before-request hook (an API-key check), a route, a client class, a vitest test that starts a
 * real server with the app, and a README. With `from` (a directory of release tarballs, `npm run
 * release`), the mlflow-ts packages are installed from there instead of the registry.
 *
 * @example
 * initApp("acme-auth", { cwd: process.cwd(), from: "../mlflow-ts/release" });
 */
export function initApp(name: string, options: { cwd: string; from?: string; version: string }): string {
  const appName = scaffoldBaseName(name);
  const dir = scaffoldDirectory(options.cwd, appName);
  const devDependencies: Record<string, string> = { ...SCAFFOLD_TOOLCHAIN, ...releaseDependencies(dir, options, Object.keys(HOST_PACKAGES)) };
  const peerDependencies: Record<string, string> = {};
  for (const [pkg, role] of Object.entries(HOST_PACKAGES)) if (role === "peer+dev") peerDependencies[pkg] = `^${options.version}`;
  const client = className(appName);
  const envKeys = `${appName.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}_KEYS`;
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(
      {
        name,
        version: "0.1.0",
        description: `An mlflow-ts server app: API keys (${envKeys})`,
        ...scaffoldPublishFields(name, "mlflow-app"),
        type: "module",
        license: "Apache-2.0",
        engines: { node: ">=20.19" },
        main: "./dist/app.js",
        types: "./dist/app.d.ts",
        exports: { ".": { types: "./dist/app.d.ts", default: "./dist/app.js" }, "./client": { types: "./dist/client.d.ts", default: "./dist/client.js" }, "./package.json": "./package.json" },
        files: ["dist", "README.md"],
        "mlflow.app": { [appName]: "./dist/app.js:createApp" },
        "mlflow.app.client": { [appName]: `./dist/client.js:${client}` },
        scripts: SCAFFOLD_SCRIPTS,
        peerDependencies,
        devDependencies,
        allowScripts: { "better-sqlite3": true },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": SCAFFOLD_TSCONFIG,
    "src/app.ts": `import { defineApp, MlflowError } from "@mlflow-ts/plugin-api";

// Who may call: API keys from ${envKeys} ("name:key,name:key"). A real app would look keys up in
// a database; the shape — a hook that says who the caller is, or refuses — stays the same.
function keysFromEnv(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of (process.env.${envKeys} ?? "").split(",").filter(Boolean)) {
    const [user, key] = pair.split(":");
    if (user && key) keys.set(key, user);
  }
  return keys;
}

/** The factory \`mlflow.app\` points at: a before-request hook and a route. */
export const createApp = defineApp((app) => {
  const keys = keysFromEnv();
  app.beforeRequest((req) => {
    if (req.path === "/health") return;
    const user = keys.get(req.get("authorization")?.replace(/^Bearer\\s+/i, "") ?? "");
    if (!user) throw new MlflowError("UNAUTHENTICATED", "Send 'Authorization: Bearer <api key>'");
    req.state.authorization = { username: user, type: "api-key" };
    // On the headers alone: a refused caller never has a request body read.
  }, { beforeBody: true });
  app.get("/api/2.0/${appName}/whoami", (req, res) => {
    res.json({ username: req.state.authorization?.username });
  });
});
`,
    "src/client.ts": `import { RestClient } from "@mlflow-ts/client";

/** The client \`mlflow.app.client\` points at: constructed with the tracking URI and options. */
export class ${client} extends RestClient {
  async whoami(): Promise<string | undefined> {
    return (await this.request<{ username?: string }>("GET", "/api/2.0/${appName}/whoami")).username;
  }
}
`,
    "test/app.test.ts": `import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@mlflow-ts/cli";
import { ${client} } from "../dist/client.js";

// The app as \`mlflow server --app-name ${appName}\` loads it: found by its package.json, applied
// to a real server on a temporary SQLite database.
const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("${appName}", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ appName: "${appName}", cwd: PACKAGE, env: { ${envKeys}: "alice:alice-key" } });
  });
  afterAll(async () => server?.stop());

  it("refuses calls without a key, on every route", async () => {
    const response = await fetch(\`\${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0\`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error_code: "UNAUTHENTICATED" });
  });

  it("lets a key through, and its client says who it is", async () => {
    const client = new ${client}(server.url, { token: "alice-key" });
    expect(await client.whoami()).toBe("alice");
    const experiment = await client.request<{ experiment: { name: string } }>("GET", "/api/2.0/mlflow/experiments/get", { experiment_id: "0" });
    expect(experiment.experiment.name).toBe("Default");
  });
});
`,
    "vitest.config.ts": `import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 } });
`,
    "README.md": `# ${name}

An [mlflow-ts](https://www.npmjs.com/package/@mlflow-ts/cli) server app: every request needs an API key
(\`Authorization: Bearer <key>\`), from \`${envKeys}=name:key,name:key\`.

\`\`\`sh
npm install && npm test          # builds, then runs a real server with the app
npx mlflow apps verify           # loads it as the server will; checks what a publish would break
npm publish                      # to your registry (prepublishOnly runs the verify); or npm pack
\`\`\`

Where the server runs, install it by name next to the server, then start the server with it:

\`\`\`sh
npm install @mlflow-ts/cli ${name}
${envKeys}=alice:alice-key npx mlflow server --app-name ${appName}
\`\`\`

\`peerDependencies\` on \`@mlflow-ts/plugin-api\` says which servers it is built for: a server
outside that range refuses to load it (\`ERR_APP_INCOMPATIBLE\`).

- \`src/app.ts\`: the factory \`mlflow.app\` points at (a before-request hook, a route).
- \`src/client.ts\`: the client \`mlflow.app.client\` points at (\`getAppClient("${appName}", uri)\`).
- \`test/app.test.ts\`: \`startAppServer\` from \`@mlflow-ts/cli\` starts the server with the app.
`,
    ".gitignore": "node_modules/\ndist/\n",
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}
