// Database servers a test owns: a PostgreSQL cluster or a MariaDB server of its own, in a temp
// directory on a free port, which the test may stop hard and start again without touching the
// servers other suites use.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port.js";
import { QUICK } from "./quick.js";

const PG_BIN = (() => {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const version = fs.readdirSync(root).sort().reverse().find((v) => fs.existsSync(path.join(root, v, "bin", "initdb")));
  return version ? path.join(root, version, "bin") : undefined;
})();
const MARIADBD = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find((p) => fs.existsSync(p));
const MARIADB_INSTALL = ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"].find((p) => fs.existsSync(p));
const IS_ROOT = process.getuid?.() === 0;

/** Why an owned PostgreSQL cannot be made here, or undefined when it can. */
export const OWNED_POSTGRES_MISSING = QUICK ? "MLFLOW_TS_TEST_QUICK is set" : PG_BIN ? undefined : "PostgreSQL's server binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql";
/** Why an owned MariaDB cannot be made here, or undefined when it can. */
export const OWNED_MARIADB_MISSING = QUICK ? "MLFLOW_TS_TEST_QUICK is set" : MARIADBD && MARIADB_INSTALL ? undefined : "MariaDB's server binaries (mariadbd, mariadb-install-db) are not installed";

/** A database server this test started, with its URL. */
export interface OwnedDatabase {
  readonly url: string;
  start(): Promise<void>;
  /** Stops it the hard way (PostgreSQL: `-m immediate`; MariaDB: SIGKILL). */
  stopHard(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

// PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
function asPostgres(command: string, args: string[]): void {
  if (IS_ROOT) execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" });
  else execFileSync(command, args, { stdio: "pipe" });
}

/**
 * A PostgreSQL cluster of its own (initdb into a temp directory, trust auth, 127.0.0.1:<free port>),
 * started.
 */
export async function ownPostgres(): Promise<OwnedDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-pg-"));
  fs.chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  if (IS_ROOT) execFileSync("chown", ["postgres", dir]);
  asPostgres(path.join(PG_BIN!, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const pgCtl = path.join(PG_BIN!, "pg_ctl");
  const owned: OwnedDatabase = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start: async () => asPostgres(pgCtl, ["-D", data, "-l", path.join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60`, "start"]),
    stopHard: async () => asPostgres(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]),
    destroy: async () => {
      try {
        asPostgres(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Already stopped.
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await owned.start();
  return owned;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on ${port} within ${timeoutMs} ms`);
}

/** A MariaDB server of its own (a fresh data directory, root without a password, a free port), started. */
export async function ownMariadb(): Promise<OwnedDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-mariadb-"));
  const data = path.join(dir, "data");
  const user = IS_ROOT ? ["--user=root"] : [];
  execFileSync(MARIADB_INSTALL!, ["--no-defaults", `--datadir=${data}`, ...user, "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "pipe" });
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(MARIADBD!, ["--no-defaults", `--datadir=${data}`, `--port=${port}`, "--bind-address=127.0.0.1", `--socket=${path.join(dir, "sock")}`, ...user, "--skip-log-bin", "--innodb-buffer-pool-size=32M", "--max-connections=60"], {
      stdio: ["ignore", "ignore", fs.openSync(path.join(dir, "log"), "a")],
    });
    await waitForPort(port, 30_000);
  };
  const stopHard = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGKILL");
    });
  };
  const owned: OwnedDatabase = {
    url: `mysql://root@127.0.0.1:${port}/mysql`,
    start,
    stopHard,
    destroy: async () => {
      await stopHard();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await start();
  return owned;
}
