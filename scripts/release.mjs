// `npm run release`: every publishable package as a tarball in ./release (or the directory given),
// the same files `npm publish` would upload. A user installs them all at once, offline:
//   npm install /path/to/release/*.tgz
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What a release contains: the host (its user-facing package is @mlflow-ts/cli, which provides `mlflow`, and installs the S3 artifact repository with it), the oidc-auth app and the audit-log app. */
export const RELEASED = ["@mlflow-ts/protocol", "@mlflow-ts/plugin-api", "@mlflow-ts/store", "@mlflow-ts/server", "@mlflow-ts/client", "@mlflow-ts/plugin-host", "@mlflow-ts/authz", "@mlflow-ts/basic-auth", "@mlflow-ts/ui", "@mlflow-ts/artifacts-s3", "@mlflow-ts/cli", "oidc-auth", "@mlflow-ts/audit-log"];

const out = path.resolve(process.argv[2] ?? path.join(ROOT, "release"));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
try {
  execFileSync("npm", ["pack", "--pack-destination", out, ...RELEASED.flatMap((p) => ["-w", p])], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
} catch (error) {
  process.stderr.write(String(error.stderr ?? error));
  process.exit(1);
}
const files = fs.readdirSync(out).filter((f) => f.endsWith(".tgz")).sort();
console.log(`${files.length} packages in ${out}:\n${files.map((f) => `  ${f}`).join("\n")}\nInstall them together: npm install ${path.relative(process.cwd(), out) || "."}/*.tgz`);
