import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "../dist/app.js";
import { BIN, spawnServer } from "../../../test/support/spawn-server.js";

// The app's lifecycle through the published entry point: settings read from MLFLOW_AUDIT_LOG_* and
// the config file and checked at start (exit 2, every problem at once, no secret shown), and the
// queue written when the server stops on SIGTERM.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-audit-life-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("audit-log settings and lifecycle", () => {
  it("reports every settings problem at start, from the environment and the config file, and exits 2", () => {
    fs.writeFileSync(path.join(dir, "mlflow.config.json"), JSON.stringify({ appSettings: { "audit-log": { flushIntervalMs: "soon", colour: "red" } } }));
    const run = spawnSync(process.execPath, [BIN, "server", "--port", "0", "--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "audit-log"], {
      cwd: dir,
      env: {
        ...process.env,
        MLFLOW_AUDIT_LOG_TARGET: "s3",
        MLFLOW_AUDIT_LOG_MAX_BYTES: "10",
        MLFLOW_AUDIT_LOG_KEEP: "-1",
        MLFLOW_AUDIT_LOG_DATABASE_URI: "ftp://auditor:hunter2-secret@host/db",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(2);
    expect(output).toContain("ERR_CONFIG_INVALID");
    for (const problem of [
      /MLFLOW_AUDIT_LOG_TARGET: "s3" is not one of file, database/,
      /MLFLOW_AUDIT_LOG_MAX_BYTES: "10" is not an integer between 1024/,
      /MLFLOW_AUDIT_LOG_KEEP: "-1" is not an integer between 0 and 1000/,
      /MLFLOW_AUDIT_LOG_DATABASE_URI: the value given does not match/,
      /appSettings\.audit-log\.flushIntervalMs\): "soon" is not an integer/,
      /appSettings\.audit-log\.colour\): 'audit-log' has no setting 'colour'/,
    ]) {
      expect(output).toMatch(problem);
    }
    expect(output).not.toContain("hunter2-secret");
    // Nothing was started: no log file, no database.
    expect(fs.existsSync(path.join(dir, "mlflow-audit.log"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "mlflow.db"))).toBe(false);
  });

  it("writes the queued entries when the server stops on SIGTERM (settings from the config file, the file relative to the working directory)", async () => {
    fs.mkdirSync(path.join(dir, "logs"));
    // Entries would wait a minute in memory: only the shutdown writes them.
    fs.writeFileSync(path.join(dir, "mlflow.config.json"), JSON.stringify({ appSettings: { "audit-log": { file: "logs/audit.jsonl", flushIntervalMs: 60_000 } } }));
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "audit-log"], { cwd: dir });
    const file = path.join(dir, "logs", "audit.jsonl");
    try {
      for (let i = 0; i < 20; i += 1) {
        const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: `exp-${i}` }) });
        expect(response.status).toBe(200);
      }
      expect(fs.readFileSync(file, "utf8")).toBe("");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const lines = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(lines.map((e) => e.resource?.name)).toEqual(Array.from({ length: 20 }, (_, i) => `exp-${i}`));
  });

  it("gets every line from every worker of --workers 2, appending to one rotated file", async () => {
    const file = path.join(dir, "audit.log");
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`, "--app-name", "audit-log", "--workers", "2"], {
      cwd: dir,
      env: { MLFLOW_AUDIT_LOG_FILE: file, MLFLOW_AUDIT_LOG_MAX_BYTES: "4096", MLFLOW_AUDIT_LOG_KEEP: "50", MLFLOW_AUDIT_LOG_FLUSH_INTERVAL_MS: "20" },
      timeoutMs: 40_000,
    });
    try {
      // Fresh connections, so the kernel spreads them over both workers.
      await Promise.all(
        Array.from({ length: 80 }, (_, i) =>
          fetch(`${server.url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: JSON.stringify({ name: `w-${i}` }) }).then((r) => expect(r.status).toBe(200)),
        ),
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const files = fs.readdirSync(dir).filter((f) => f.startsWith("audit.log"));
    expect(files.length).toBeGreaterThan(1);
    expect(files).not.toContain("audit.log.lock");
    const names = files
      .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean))
      .map((l) => (JSON.parse(l) as AuditEntry).resource?.name);
    expect(names.sort()).toEqual(Array.from({ length: 80 }, (_, i) => `w-${i}`).sort());
  });
});
