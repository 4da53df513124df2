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
