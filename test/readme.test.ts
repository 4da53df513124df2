import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The README is the front page: short enough to read, with the rest one click away in docs/. So it
// has a line budget, its quick start keeps the two commands CI runs, and every relative link of the
// README and of docs/*.md must reach a file that exists (and, for `file.md#anchor`, a heading or
// `<a id>` of that file, slugged as GitHub slugs headings).

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const README = path.join(ROOT, "README.md");
const MAX_README_LINES = 200;

const markdownFiles = [
  README,
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(ROOT, "docs", f)),
];

/** The text of a Markdown file outside its fenced code blocks (links in code are not links). */
function prose(file: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) out.push(line.replace(/`[^`]*`/g, ""));
  }
  return out;
}

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function relativeLinks(file: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  prose(file).forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      links.push({ line: i + 1, target });
    }
  });
  return links;
}

describe("README.md", () => {
  it(`is at most ${MAX_README_LINES} lines`, () => {
    const lines = fs.readFileSync(README, "utf8").replace(/\n$/, "").split("\n").length;
    expect(lines, `README.md has ${lines} lines; move detail to docs/ and link it`).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it("opens its quick start with `npm install && npm start` and `npm test`, the first code block", () => {
    const text = fs.readFileSync(README, "utf8");
    const first = /```\w*\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
    const commands = first
      .split("\n")
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter(Boolean);
    expect(commands.slice(0, 2)).toEqual(["npm install && npm start", "npm test"]);
  });
});

describe("relative links of README.md and docs/*.md", () => {
  it.each(markdownFiles.map((f) => [path.relative(ROOT, f), f] as const))("%s: every relative link reaches a file (and its anchor)", (_name, file) => {
    const broken: string[] = [];
    for (const { line, target } of relativeLinks(file)) {
      const [rawPath, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = rawPath === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
      if (!fs.existsSync(resolved)) {
        broken.push(`${path.relative(ROOT, file)}:${line}: ${target} (no such file)`);
        continue;
      }
      if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(decodeURIComponent(anchor))) {
        broken.push(`${path.relative(ROOT, file)}:${line}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("finds the links it checks", () => {
    expect(relativeLinks(README).length).toBeGreaterThanOrEqual(5);
  });
});
