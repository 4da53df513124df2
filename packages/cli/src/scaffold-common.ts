import fs from "node:fs";
import path from "node:path";

/**
 * What every package `mlflow apps init` scaffolds shares, whatever its kind (app or artifact
 * repository): the build and test scripts, and a strict NodeNext tsconfig building `src` to `dist`.
 *
 * @example
 * files["tsconfig.json"] = SCAFFOLD_TSCONFIG;
 */
export const SCAFFOLD_TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023", "DOM"], strict: true, declaration: true, outDir: "dist", rootDir: "src", skipLibCheck: true, types: ["node"] },
    include: ["src"],
  },
  null,
  2,
)}\n`;

/**
 * The scaffolded package's npm scripts: build with tsc, test with a type check then vitest, build on
 * `npm install` from a clone and before `npm pack`/`npm publish` (prepare), and refuse to publish
 * what an installed copy could not load (prepublishOnly: `mlflow apps verify`, from the
 * `@mlflow-ts/cli` devDependency — built entry files, in "files", a host range it meets). npm runs
 * prepublishOnly before prepare, so it builds first itself.
 *
 * @example
 * pkg.scripts = SCAFFOLD_SCRIPTS;
 */
export const SCAFFOLD_SCRIPTS = { build: "tsc -p tsconfig.json", test: "tsc -p tsconfig.json && vitest run", prepare: "tsc -p tsconfig.json", prepublishOnly: "npm run build && mlflow apps verify" } as const;

/**
 * The package.json fields that make a scaffolded package publish cleanly to a registry, whatever
 * its kind: keywords to find it by, and public access for a scoped name (npm publishes scoped
 * packages as restricted otherwise, which a free account cannot).
 *
 * @example
 * Object.assign(pkg, scaffoldPublishFields("@acme/keys", "mlflow-app"));
 */
export function scaffoldPublishFields(name: string, keyword: string): { keywords: string[]; publishConfig?: { access: "public" } } {
  return { keywords: ["mlflow-ts", keyword], ...(name.startsWith("@") ? { publishConfig: { access: "public" as const } } : {}) };
}

/**
 * The toolchain every scaffolded package builds and tests with (devDependencies).
 *
 * @example
 * const devDependencies = { ...SCAFFOLD_TOOLCHAIN };
 */
export const SCAFFOLD_TOOLCHAIN = { typescript: "5.9.3", vitest: "^4.1.12", "@types/node": "^20.19.0" } as const;

/**
 * Checks that `name` is an npm package name and returns it without its scope: the folder name
 * (and, for apps, the app name).
 *
 * @example
 * scaffoldBaseName("@acme/keys"); // "keys"
 */
export function scaffoldBaseName(name: string): string {
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name)) throw new Error(`'${name}' is not a valid npm package name`);
  return name.replace(/^@[^/]+\//, "");
}

/**
 * The folder a scaffold writes: `<cwd>/<base>`, refused when it exists with something in it.
 *
 * @example
 * const dir = scaffoldDirectory(process.cwd(), "acme-auth");
 */
export function scaffoldDirectory(cwd: string, base: string): string {
  const dir = path.resolve(cwd, base);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not empty`);
  return dir;
}

/**
 * Where the scaffold at `dir` gets mlflow-ts packages: `^<version>` from the registry, or with
 * `from` (a directory of release tarballs, `npm run release`) each named package's tarball plus
 * every other package of the release, which the named ones need to resolve.
 *
 * @example
 * const devDependencies = { ...SCAFFOLD_TOOLCHAIN, ...releaseDependencies(dir, { version: "0.1.0" }, ["@mlflow-ts/plugin-api"]) };
 */
export function releaseDependencies(dir: string, options: { readonly from?: string; readonly version: string }, packages: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const from = options.from;
  if (!from) {
    for (const pkg of packages) out[pkg] = `^${options.version}`;
    return out;
  }
  const tarball = (file: string) => `file:${path.relative(dir, path.join(path.resolve(from), file))}`;
  const files = fs.readdirSync(from);
  for (const pkg of packages) {
    const file = files.find((f) => f === `${pkg.replace(/^@/, "").replace("/", "-")}-${options.version}.tgz`);
    if (!file) throw new Error(`${from} has no tarball of ${pkg}@${options.version} (run 'npm run release' in the mlflow-ts clone)`);
    out[pkg] = tarball(file);
  }
  for (const file of files.filter((f) => f.startsWith("mlflow-ts-") && f.endsWith(".tgz"))) {
    const pkg = `@mlflow-ts/${file.slice("mlflow-ts-".length, -`-${options.version}.tgz`.length)}`;
    if (!(pkg in out)) out[pkg] = tarball(file);
  }
  return out;
}
