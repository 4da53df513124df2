import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every code block of docs/ is checked, so the guides cannot rot: TypeScript blocks are compiled
// (strict, NodeNext, against the workspace's packages as an app author imports them), JSON blocks
// parsed. A TypeScript block that is a fragment names what it leaves out in an HTML comment right
// above it, `<!-- prelude: declare function check(header?: string): User | undefined; -->`, which
// readers do not see and the compiler gets first. Shell and text blocks are not checked.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DOCS = path.join(ROOT, "docs");
// Inside the repository, so the blocks resolve @mlflow-ts/* from its node_modules as an app would.
const OUT = path.join(ROOT, "test-output", "docs-blocks");

interface Block {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly prelude: string;
}

function blocksOf(file: string): Block[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i]!); i += 1) body.push(lines[i]!);
    const above = start > 0 ? /^<!-- prelude: ([\s\S]*) -->$/.exec(lines[start - 1]!) : null;
    blocks.push({ file: path.relative(ROOT, file), line: start + 1, lang: open[1]!, code: body.join("\n"), prelude: above?.[1] ?? "" });
  }
  return blocks;
}

const blocks = fs
  .readdirSync(DOCS)
  .filter((f) => f.endsWith(".md"))
  .flatMap((f) => blocksOf(path.join(DOCS, f)));

describe("the code blocks of docs/", () => {
  it("finds the guides' blocks", () => {
    expect(blocks.filter((b) => b.lang === "ts").length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.filter((b) => b.lang === "json").map((b) => [`${b.file}:${b.line}`, b] as const))("%s parses as JSON", (_name, block) => {
    expect(() => JSON.parse(block.code)).not.toThrow();
  });

  it("compiles every TypeScript block, strict, against the packages an app imports", () => {
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    const names = new Map<string, Block>();
    blocks
      .filter((b) => b.lang === "ts")
      .forEach((b, n) => {
        const name = `block-${n}.ts`;
        names.set(name, b);
        // `export {}` makes every block a module (declaration merging needs one); the prelude goes
        // on the first line so the block's own lines keep their offsets.
        fs.writeFileSync(path.join(OUT, name), `export {}; ${b.prelude.replace(/\n/g, " ")}\n${b.code}\n`);
      });
    fs.writeFileSync(path.join(OUT, "package.json"), JSON.stringify({ type: "module", private: true }));
    fs.writeFileSync(
      path.join(OUT, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023", "DOM"], strict: true, noEmit: true, skipLibCheck: true, types: ["node"] },
        include: ["*.ts"],
      }),
    );
    let output = "";
    try {
      execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", OUT], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    // Errors pointed back at the guide: block-3.ts(12,5) → docs/writing-an-app.md:line.
    const located = output.replace(/(?:\S*\/)?(block-\d+\.ts)\((\d+),(\d+)\)/g, (_m, name: string, line: string) => {
      const b = names.get(name)!;
      return `${b.file}:${b.line + Number(line) - 1}`;
    });
    expect(located).toBe("");
  }, 120_000);
});
