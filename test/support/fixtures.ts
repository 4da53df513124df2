import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A throwaway project directory. */
export function tempProject(prefix = "mlflow-ts-fixture-"): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "project", version: "1.0.0", private: true }));
  return dir;
}

/**
 * Writes a package into `<root>/<name>` (root is usually a node_modules): its package.json and
 * files. Returns the package directory.
 */
export function writePackage(root: string, name: string, pkg: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), typeof pkg.__raw === "string" ? (pkg.__raw as string) : JSON.stringify({ name, version: "1.0.0", ...pkg }, null, 2));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** An ESM factory module that records that it ran and adds a route. */
export function esmFactory(tag: string): string {
  return `export function createApp(app) { app.get("/api/fixture/${tag}", (_q, r) => r.json({ app: "${tag}" })); return app; }\nexport default createApp;\n`;
}
