import { spawn } from "node:child_process";

/** The files `npm publish` would upload from a package directory, or why they are unknown. */
export type PackedFiles = { readonly files: ReadonlySet<string> } | { readonly problem: string };

/**
 * Asks npm itself which files a publish of the package in `dir` would include (`npm pack --dry-run
 * --json --ignore-scripts`: its own reading of "files", `.npmignore` and the files it always adds
 * or leaves out, with no build run first), with npm found on `env`'s PATH. Paths are relative,
 * with `/`. When npm cannot be run or fails, says why instead (the caller reports the check as not
 * done, never as passed).
 *
 * @example
 * const packed = await listPackedFiles("/src/acme-auth");
 * if ("files" in packed && !packed.files.has("dist/app.js")) console.log("dist/app.js would not be published");
 */
export function listPackedFiles(dir: string, env?: Readonly<Record<string, string | undefined>>): Promise<PackedFiles> {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    const child = spawn("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "--no-update-notifier"], {
      cwd: dir,
      // The caller's environment (the CLI's, read at its edge); without one, this process's.
      ...(env ? { env } : {}),
      stdio: ["ignore", "pipe", "pipe"],
      // npm is npm.cmd on Windows, which only a shell runs.
      shell: process.platform === "win32",
      timeout: 60_000,
    });
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", (error) => resolve({ problem: `could not run npm (${error.message})` }));
    child.on("close", (code) => {
      if (code !== 0) return resolve({ problem: `\`npm pack --dry-run\` exited with ${code}: ${err.trim().split("\n").slice(-3).join(" ")}` });
      try {
        const [report] = JSON.parse(out) as { files: { path: string }[] }[];
        resolve({ files: new Set(report!.files.map((f) => f.path.replace(/\\/g, "/"))) });
      } catch {
        resolve({ problem: `\`npm pack --dry-run --json\` printed no file list: ${out.slice(0, 200)}` });
      }
    });
  });
}
