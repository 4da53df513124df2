import fs from "node:fs";
import path from "node:path";
import { SCAFFOLD_SCRIPTS, SCAFFOLD_TOOLCHAIN, SCAFFOLD_TSCONFIG, releaseDependencies, scaffoldBaseName, scaffoldDirectory, scaffoldPublishFields } from "./scaffold-common.js";


function className(scheme: string): string {
  return scheme.replace(/(^|[-_.+])(\w)/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, "") + "ArtifactRepository";
}

/**
 * `mlflow apps init <name> --kind artifact-repository [--scheme <scheme>]`: a package declaring
 * `"mlflow.artifact_repository": { "<scheme>": … }` that builds and passes its test after
 * `npm install` — a repository class (files in memory: the contract complete, the storage to
 * replace), a vitest test that runs the real server's artifact proxy on it, and a README. `from`
 * installs the mlflow-ts packages from release tarballs, as for apps.
 *
 * @example
 * initArtifactRepository("acme-artifacts", { cwd: process.cwd(), scheme: "acme", version: "0.1.0" });
 */
export function initArtifactRepository(name: string, options: { cwd: string; from?: string; version: string; scheme?: string }): string {
  const base = scaffoldBaseName(name);
  const scheme = (options.scheme ?? base).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme) || scheme === "file") throw new Error(`'${scheme}' is not a URI scheme a repository can declare (a letter, then letters, digits, '+', '-' or '.'; not 'file', which is built in)`);
  const dir = scaffoldDirectory(options.cwd, base);
  const devDependencies: Record<string, string> = { ...SCAFFOLD_TOOLCHAIN, ...releaseDependencies(dir, options, ["@mlflow-ts/plugin-api", "@mlflow-ts/cli"]) };
  const cls = className(scheme);
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(
      {
        name,
        version: "0.1.0",
        description: `An mlflow-ts artifact repository for ${scheme}:// locations`,
        ...scaffoldPublishFields(name, "mlflow-artifact-repository"),
        type: "module",
        license: "Apache-2.0",
        engines: { node: ">=20.19" },
        main: "./dist/repository.js",
        types: "./dist/repository.d.ts",
        exports: { ".": { types: "./dist/repository.d.ts", default: "./dist/repository.js" }, "./package.json": "./package.json" },
        files: ["dist", "README.md"],
        "mlflow.artifact_repository": { [scheme]: `./dist/repository.js:${cls}` },
        scripts: SCAFFOLD_SCRIPTS,
        peerDependencies: { "@mlflow-ts/plugin-api": `^${options.version}` },
        devDependencies,
        allowScripts: { "better-sqlite3": true },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": SCAFFOLD_TSCONFIG,
    "src/repository.ts": `import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { buffer } from "node:stream/consumers";
import {
  MlflowError,
  type ArtifactFile,
  type ArtifactListOptions,
  type ArtifactListPage,
  type ArtifactRepository,
  type ArtifactRepositoryOptions,
  type ByteRange,
} from "@mlflow-ts/plugin-api";

interface Entry {
  readonly path: string;
  readonly is_dir: boolean;
  readonly file_size?: number;
}

// The storage: files in memory, one map per root URI. Replace it with your storage's client, built
// from \`uri\` and \`options.env\` (never process.env: the CLI passes the server's environment).
const volumes = new Map<string, Map<string, Buffer>>();

/** \`${scheme}://<root>\`: the repository \`mlflow.artifact_repository\` points at. Paths are root-relative. */
export class ${cls} implements ArtifactRepository {
  private readonly files: Map<string, Buffer>;

  constructor(readonly uri: string, options: ArtifactRepositoryOptions) {
    void options;
    this.files = volumes.get(uri) ?? new Map();
    volumes.set(uri, this.files);
  }

  // The server refused escapes already; a repository checks again where a path becomes a key.
  private key(path: string): string {
    const segments = path.split("/").filter((s) => s !== "");
    if (path.startsWith("/") || segments.some((s) => s === ".." || s === ".")) throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path");
    return segments.join("/");
  }

  async list(path: string, options: ArtifactListOptions = {}): Promise<ArtifactListPage> {
    const dir = this.key(path);
    const prefix = dir === "" ? "" : \`\${dir}/\`;
    const children = new Map<string, Entry>();
    for (const [key, bytes] of this.files) {
      if (!key.startsWith(prefix)) continue;
      const [name, ...rest] = key.slice(prefix.length).split("/");
      children.set(name!, rest.length > 0 ? { path: name!, is_dir: true } : { path: name!, is_dir: false, file_size: bytes.length });
    }
    const sorted = [...children.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const start = Number(options.pageToken ?? 0);
    const end = start + (options.maxResults ?? 1000);
    return { files: sorted.slice(start, end), ...(end < sorted.length ? { nextPageToken: String(end) } : {}) };
  }

  async stat(path: string): Promise<{ size: number } | undefined> {
    const bytes = this.files.get(this.key(path));
    return bytes ? { size: bytes.length } : undefined;
  }

  async read(path: string, options: { readonly range?: ByteRange } = {}): Promise<ArtifactFile> {
    const key = this.key(path);
    const bytes = this.files.get(key);
    if (!bytes) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", \`Artifact '\${path}' not found\`);
    const name = key.split("/").pop()!;
    const range = options.range;
    if (range && range.start < bytes.length) {
      const end = Math.min(range.end ?? bytes.length - 1, bytes.length - 1);
      return { stream: ReadableStream.from([bytes.subarray(range.start, end + 1)]), size: bytes.length, name, range: { start: range.start, end } };
    }
    return { stream: ReadableStream.from([bytes]), size: bytes.length, name };
  }

  async write(path: string, body: Readable): Promise<void> {
    const key = this.key(path);
    if (key === "") throw new MlflowError("INVALID_PARAMETER_VALUE", "An upload needs a file name");
    // Memory holds the whole file here; a real repository streams it on with bounded memory.
    this.files.set(key, await buffer(body));
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    const doomed = [...this.files.keys()].filter((k) => k === key || k.startsWith(\`\${key}/\`));
    if (key === "" || doomed.length === 0) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", \`Artifact '\${path}' not found\`);
    for (const k of doomed) this.files.delete(k);
  }
}
`,
    "test/repository.test.ts": `import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@mlflow-ts/cli";

// The repository as \`mlflow server --artifacts-destination ${scheme}://test\` loads it: found by this
// package's "mlflow.artifact_repository", behind the real server's artifact proxy.
const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PROXY = "/api/2.0/mlflow-artifacts/artifacts";

describe("${scheme}://", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ cwd: PACKAGE, artifactsDestination: "${scheme}://test" });
  });
  afterAll(async () => server?.stop());

  it("stores, lists, reads (whole and a range) and deletes through the proxy", async () => {
    expect((await fetch(\`\${server.url}\${PROXY}/0/run/artifacts/dir/hello.txt\`, { method: "PUT", body: "hello" })).status).toBe(200);
    expect(await (await fetch(\`\${server.url}\${PROXY}?path=0/run/artifacts\`)).json()).toEqual({ files: [{ path: "dir", is_dir: true }] });
    expect(await (await fetch(\`\${server.url}\${PROXY}/0/run/artifacts/dir/hello.txt\`)).text()).toBe("hello");
    const range = await fetch(\`\${server.url}\${PROXY}/0/run/artifacts/dir/hello.txt\`, { headers: { Range: "bytes=1-3" } });
    expect([range.status, await range.text()]).toEqual([206, "ell"]);
    expect((await fetch(\`\${server.url}\${PROXY}/0/run/artifacts/dir\`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(\`\${server.url}\${PROXY}/0/run/artifacts/dir/hello.txt\`)).status).toBe(404);
  });
});
`,
    "vitest.config.ts": `import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 } });
`,
    "README.md": `# ${name}

An [mlflow-ts](https://www.npmjs.com/package/@mlflow-ts/cli) artifact repository for \`${scheme}://\` locations,
declared in \`package.json\` under \`"mlflow.artifact_repository"\`.

\`\`\`sh
npm install && npm test          # builds, then runs the server's artifact proxy on it
npm pack                         # ${name}-0.1.0.tgz, to install where the server runs
npx mlflow server --artifacts-destination ${scheme}://my-root
\`\`\`

- \`src/repository.ts\`: the class; it keeps files in memory — replace that with your storage.
- \`test/repository.test.ts\`: \`startAppServer({ artifactsDestination })\` from \`@mlflow-ts/cli\`.
- The contract and what the server does around it: docs/writing-an-artifact-repository.md in mlflow-ts.
`,
    ".gitignore": "node_modules/\ndist/\n",
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}
