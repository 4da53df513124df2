import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// DESIGN.md, "Packages": an arrow is "may import".
const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  "plugin-api": ["protocol"],
  store: ["protocol"],
  server: ["protocol", "plugin-api", "store"],
  "plugin-host": ["protocol", "plugin-api"],
  client: ["protocol"],
  authz: ["protocol", "plugin-api", "store"],
  "basic-auth": ["protocol", "plugin-api", "client", "store", "authz"],
  ui: ["protocol"],
  // artifacts-s3 is a dependency only (installed with the CLI, like basic-auth), found by discovery, never imported.
  cli: ["protocol", "plugin-api", "store", "server", "plugin-host", "client", "authz", "basic-auth", "ui", "artifacts-s3"],
};
const PLUGIN_ALLOWED = ["protocol", "plugin-api", "client", "authz"];

function workspaces(): { dir: string; name: string; short: string; isPlugin: boolean }[] {
  const out = [];
  for (const group of ["packages", "plugins"]) {
    const base = path.join(ROOT, group);
    if (!fs.existsSync(base)) continue;
    for (const entry of fs.readdirSync(base)) {
      const file = path.join(base, entry, "package.json");
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name: string };
      out.push({ dir: path.join(base, entry), name: pkg.name, short: entry, isPlugin: group === "plugins" });
    }
  }
  return out;
}

function internalDeps(pkg: Record<string, Record<string, string> | undefined>): string[] {
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    for (const dep of Object.keys(pkg[field] ?? {})) if (dep.startsWith("@mlflow-ts/")) names.add(dep.slice("@mlflow-ts/".length));
  }
  return [...names];
}

function sourceImports(dir: string): string[] {
  const found = new Set<string>();
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) {
        for (const m of fs.readFileSync(p, "utf8").matchAll(/from\s+["']@mlflow-ts\/([\w-]+)/g)) found.add(m[1]!);
      }
    }
  };
  walk(path.join(dir, "src"));
  return [...found];
}

describe("dependency direction (DESIGN.md)", () => {
  const all = workspaces();
  it("knows every package", () => {
    for (const ws of all.filter((w) => !w.isPlugin)) expect(Object.keys(ALLOWED)).toContain(ws.short);
  });
  it.each(all.map((w) => [w.name, w] as const))("%s depends and imports only on what it may", (_name, ws) => {
    const allowed = ws.isPlugin ? PLUGIN_ALLOWED : ALLOWED[ws.short]!;
    const pkg = JSON.parse(fs.readFileSync(path.join(ws.dir, "package.json"), "utf8"));
    expect(internalDeps(pkg).filter((d) => !allowed.includes(d))).toEqual([]);
    expect(sourceImports(ws.dir).filter((d) => d !== ws.short && !allowed.includes(d))).toEqual([]);
  });
  it("server and plugin-host never import each other", () => {
    const server = all.find((w) => w.short === "server");
    const host = all.find((w) => w.short === "plugin-host");
    if (server) expect(sourceImports(server.dir)).not.toContain("plugin-host");
    if (host) expect(sourceImports(host.dir)).not.toContain("server");
  });
});
