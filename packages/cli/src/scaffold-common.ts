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
 * `npm install` of the package from a clone (prepare).
 *
 * @example
 * pkg.scripts = SCAFFOLD_SCRIPTS;
 */
export const SCAFFOLD_SCRIPTS = { build: "tsc -p tsconfig.json", test: "tsc -p tsconfig.json && vitest run", prepare: "tsc -p tsconfig.json" } as const;
