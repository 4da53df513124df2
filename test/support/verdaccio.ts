// A private npm registry for tests: Verdaccio (the npm package) in its own process on 127.0.0.1,
// with its own storage and NO uplinks, so it serves exactly what a test published to it and never
// asks the public registry for anything.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { freePort } from "./free-port.js";

const require = createRequire(import.meta.url);

/** A running Verdaccio and the token of the user the test publishes as. */
export interface Verdaccio {
  /** With a trailing slash, as npm's `registry` setting takes it. */
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

// Every package: anyone reads, a signed-in user publishes, nothing is proxied (no `proxy:` and no
// `uplinks:`). Tokens are JWTs: the default (legacy) token makes Verdaccio check the password, a
// bcrypt hash, on every request npm sends with it — seconds per install of hundreds. The body limit is raised for the few large tarballs (the AWS SDK's S3 client,
// better-sqlite3's SQLite sources) sent base64 in one JSON document; the web UI and the audit
// middleware (which would forward `npm audit` upstream) are off.
function config(dir: string): string {
  return `storage: ${JSON.stringify(path.join(dir, "storage"))}
auth:
  htpasswd:
    file: ${JSON.stringify(path.join(dir, "htpasswd"))}
    max_users: 10
uplinks: {}
packages:
  "**":
    access: $all
    publish: $authenticated
    unpublish: $authenticated
web:
  enable: false
middlewares:
  audit:
    enabled: false
max_body_size: 200mb
security:
  api:
    legacy: true
    jwt:
      sign:
        expiresIn: 1h
  web:
    sign:
      expiresIn: 1h
server:
  keepAliveTimeout: 60
log:
  type: stdout
  format: json
  level: warn
`;
}

/**
 * Starts Verdaccio on a free port with its configuration and storage under `dir`, waits until it
 * answers, and signs up a user (`PUT /-/user/org.couchdb.user:<name>`, npm's own adduser call)
 * whose token publishes.
 *
 * @example
 * const registry = await startVerdaccio(fs.mkdtempSync(path.join(os.tmpdir(), "verdaccio-")));
 * // npm publish --registry registry.url, with `//host:port/:_authToken=${registry.token}` in .npmrc
 * await registry.stop();
 */
export async function startVerdaccio(dir: string): Promise<Verdaccio> {
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, "config.yaml");
  fs.writeFileSync(configFile, config(dir));
  const port = await freePort();
  const bin = path.join(path.dirname(require.resolve("verdaccio/package.json")), "bin", "verdaccio");
  const child = spawn(process.execPath, [bin, "--config", configFile, "--listen", `127.0.0.1:${port}`], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      // It closes its server first, which waits for idle keep-alive sockets (npm's) to time out.
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${out}`);
      const ping = await fetch(`${url}-/ping`).catch(() => undefined);
      if (ping?.ok) break;
      if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url} in 30 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const user = "publisher";
    const signup = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ _id: `org.couchdb.user:${user}`, name: user, password: "publisher-password", type: "user", roles: [] }),
    });
    const body = (await signup.json()) as { token?: string; error?: string };
    if (!signup.ok || !body.token) throw new Error(`verdaccio refused the sign-up (${signup.status}): ${JSON.stringify(body)}`);
    return { url, token: body.token, pid: child.pid!, output: () => out, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The `.npmrc` lines that point npm at `registry` alone — the default registry, the scopes this
 * project publishes under, and the token for its host — for a `npm_config_userconfig` file.
 *
 * @example
 * fs.writeFileSync(npmrc, npmrcFor(registry));
 */
export function npmrcFor(registry: Pick<Verdaccio, "url" | "token">, scopes: readonly string[] = ["@mlflow-ts"]): string {
  const host = registry.url.replace(/^https?:/, "");
  return [`registry=${registry.url}`, ...scopes.map((s) => `${s}:registry=${registry.url}`), `${host}:_authToken=${registry.token}`, ""].join("\n");
}
