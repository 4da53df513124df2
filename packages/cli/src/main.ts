import { Command, CommanderError, Option } from "commander";
import { NEWEST, OLDEST_SERVED, UPGRADE_STEPS, createDatabase, describeRevision, parseDatabaseUri, upgradeSchema } from "@mlflow-ts/store";
import { SERVER_VERSION } from "@mlflow-ts/server";
import { isMlflowError } from "@mlflow-ts/protocol";
import { isPluginHostError } from "@mlflow-ts/plugin-host";
import { appsCommand } from "./apps-command.js";
import { CliError, isCliError } from "./config-error.js";
import { loadConfigFile } from "./load-config-file.js";
import { resolveConfig } from "./resolve-config.js";
import { runServer } from "./run-server.js";
import { WATCH_HANDOFF, watchServer } from "./watch-server.js";
import { checkServerApps, type ServerApps } from "./load-server-apps.js";
import { SERVER_OPTIONS } from "./server-options.js";

/** What {@link main} reads from its process (replaceable in tests). */
export interface MainIo {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

// Options of the Python servers' process managers: accepted, so scripts written for MLflow run,
// with a one-line notice that they do not apply here.
const PYTHON_SERVER_OPTIONS = ["--gunicorn-opts <opts>", "--uvicorn-opts <opts>", "--waitress-opts <opts>"];

function serverCommand(name: "server" | "ui", io: Required<MainIo>, setResult: (p: Promise<number>) => void, argv: readonly string[]): Command {
  const command = new Command(name)
    .description(name === "server" ? "Run the MLflow tracking server" : "Run the tracking server with its web UI for local use (as `mlflow ui`: the same options as `mlflow server`)")
    .helpOption("--help", "display help for command")
    .option("--config <file>", "config file (default: the first mlflow.config.* or .mlflowrc* in the working directory)")
    .option("--watch", "restart the server (same port) when a built file of its apps changes: for app authors");
  // Commander names an option after its flag (--plugin-dir → pluginDir): the table's keys are
  // mapped to those names, so every flag reaches the configuration.
  const attribute = new Map<string, string>();
  for (const spec of SERVER_OPTIONS) {
    // Defaults are applied in resolveConfig (after the config file), so they are only shown here.
    const option = new Option(spec.flags, spec.defaultText ? `${spec.description} (default: ${spec.defaultText})` : spec.description);
    if (spec.env) option.env(spec.env);
    command.addOption(option);
    attribute.set(spec.key, option.attributeName());
    if (spec.kind === "boolean") {
      const negated = spec.flags.replace("--", "--no-");
      command.addOption(new Option(negated, `turn off ${spec.flags}`).hideHelp());
    }
  }
  for (const flags of PYTHON_SERVER_OPTIONS) command.addOption(new Option(flags, "accepted for MLflow's Python server; does not apply (Node serves itself; see --workers)"));
  command.action(async (opts: Record<string, unknown>, cmd: Command) => {
    const flags: Record<string, unknown> = {};
    for (const spec of SERVER_OPTIONS) {
      // Only values typed on the command line are flags; env and defaults are merged in resolveConfig.
      const key = attribute.get(spec.key)!;
      if (cmd.getOptionValueSource(key) === "cli") flags[spec.key] = opts[key];
    }
    for (const flags of PYTHON_SERVER_OPTIONS) {
      const key = flags.split(" ")[0]!;
      if (opts[new Option(flags).attributeName()] !== undefined) io.stderr(`Notice: ${key} is an option of MLflow's Python server and does not apply to mlflow-ts; ignored\n`);
    }
    const file = await loadConfigFile(io.cwd, opts.config as string | undefined);
    // The server's problems and its apps' settings problems are reported together.
    const problems: string[] = [];
    const config = resolveConfig(
      {
        file: file?.config,
        fileName: file?.filepath,
        env: io.env,
        flags,
        cwd: io.cwd,
        isTTY: Boolean(process.stdout.isTTY),
      },
      problems,
    );
    // A spare server of `--watch` imports its apps only when told to (their code has changed by
    // then); the watcher checked them when it started.
    let apps: ServerApps | undefined;
    if (io.env[WATCH_HANDOFF] === "1") {
      if (problems.length) throw new CliError("ERR_CONFIG_INVALID", problems);
    } else apps = await checkServerApps(config, io.env, problems);
    if (opts.watch) {
      // The child gets the same arguments (after the command name) without --watch.
      const at = argv.indexOf(name);
      setResult(watchServer(config, at >= 0 ? argv.slice(at + 1) : [], io, apps));
      return;
    }
    setResult(runServer(config, io.env, apps));
  });
  return command;
}

function dbCommand(io: Required<MainIo>, setResult: (p: Promise<number>) => void): Command {
  const db = new Command("db").description("Database maintenance");
  db.command("upgrade")
    .description(`Create MLflow's schema in an empty database, or upgrade one made by MLflow ${describeRevision(OLDEST_SERVED)} or later to ${describeRevision(NEWEST)}, with MLflow's migration steps`)
    .argument("<url>", "database URI, for example sqlite:///mlflow.db")
    .action((url: string) => {
      setResult(
        (async () => {
          const target = parseDatabaseUri(url, io.cwd);
          if (typeof target === "string") throw new CliError("ERR_CONFIG_INVALID", [`<url>: ${target}`]);
          const database = await createDatabase(url, { cwd: io.cwd });
          try {
            const { from, to, applied, metricStepIndex } = await upgradeSchema(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
            if (from === undefined) io.stdout(`Created MLflow's schema at ${describeRevision(to)} in ${database.displayUri}\n`);
            else if (applied.length === 0) io.stdout(`Database ${database.displayUri} is at ${describeRevision(from)}; nothing to upgrade\n`);
            else {
              io.stdout(`Upgraded ${database.displayUri} from ${describeRevision(from)} to ${describeRevision(to)}:\n`);
              // One line per migration, as MLflow's Alembic logs "Running upgrade X -> Y".
              for (const revision of applied) io.stdout(`  ${revision}: ${UPGRADE_STEPS.find((s) => s.revision === revision)?.description ?? ""}\n`);
            }
            // Not a revision of MLflow's: an index MLflow's schema checks do not see (charts read through it).
            if (from !== undefined && metricStepIndex.created) io.stdout(`Added index ${metricStepIndex.name} on metrics (run_uuid, key, step)\n`);
            return 0;
          } finally {
            await database.close();
          }
        })(),
      );
    });
  return db;
}

/**
 * The `mlflow` command line. Returns the exit code instead of exiting, so it can be tested
 * in-process; `bin/mlflow.js` sets `process.exitCode` from it.
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], ioIn: MainIo = {}): Promise<number> {
  const io: Required<MainIo> = {
    env: ioIn.env ?? process.env,
    cwd: ioIn.cwd ?? process.cwd(),
    stdout: ioIn.stdout ?? ((t) => process.stdout.write(t)),
    stderr: ioIn.stderr ?? ((t) => process.stderr.write(t)),
  };
  let result: Promise<number> = Promise.resolve(0);
  const setResult = (p: Promise<number>) => {
    result = p;
  };
  const program = new Command("mlflow")
    .description("mlflow-ts: an MLflow-compatible tracking server for Node.js")
    .version(SERVER_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const sub of [serverCommand("server", io, setResult, argv), serverCommand("ui", io, setResult, argv), appsCommand(io, setResult), dbCommand(io, setResult)]) {
    sub.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    for (const child of sub.commands) child.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    program.addCommand(sub);
  }
  try {
    await program.parseAsync(argv as string[]);
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isCliError(error)) {
      io.stderr(`${error.format()}\n`);
      return error.exitCode;
    }
    if (isPluginHostError(error)) {
      io.stderr(`Error ${error.code}: ${error.message}\n`);
      return error.exitCode;
    }
    if (isMlflowError(error)) {
      io.stderr(`Error ${error.code}: ${error.message}\n`);
      return 1;
    }
    const known = runtimeError(error);
    if (known) {
      io.stderr(`Error ${known.code}: ${known.message}\n`);
      return known.exitCode;
    }
    // Anything else is a bug of mlflow-ts: the stack is what a report needs.
    io.stderr(`${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

/**
 * Failures a user causes or can fix, with a stable code instead of a stack trace: the port is taken,
 * an app's configuration is wrong (exit 2, like ours), the network refuses.
 */
function runtimeError(error: unknown): { code: string; message: string; exitCode: number } | undefined {
  const e = error as { code?: string; name?: string; message?: string; port?: number; address?: string; syscall?: string };
  if (e?.code === "EADDRINUSE") return { code: "ERR_PORT_IN_USE", message: `${e.address ?? ""}:${e.port ?? ""} is already in use (another server is running there?); choose another --port`, exitCode: 1 };
  if (e?.code === "EACCES" && e.syscall === "listen") return { code: "ERR_PORT_FORBIDDEN", message: `not allowed to listen on ${e.address ?? ""}:${e.port ?? ""} (ports below 1024 need privileges); choose another --port`, exitCode: 1 };
  if (e?.code === "EADDRNOTAVAIL") return { code: "ERR_HOST_UNAVAILABLE", message: `${e.address ?? "the --host"} is not an address of this machine; choose another --host`, exitCode: 1 };
  if (typeof e?.name === "string" && /ConfigError$/.test(e.name)) return { code: "ERR_APP_CONFIG", message: e.message ?? String(error), exitCode: 2 };
  return undefined;
}
