import fs from "node:fs";
import path from "node:path";
import { parseDatabaseUri } from "@mlflow-ts/store";
import { artifactScheme, type ServerConfig } from "@mlflow-ts/plugin-api";
import { CliError } from "./config-error.js";
import { SERVER_OPTIONS } from "./server-options.js";
import { staticPrefixProblem } from "./static-prefix-problem.js";
import { nestedArtifactLocations } from "./nested-artifact-locations.js";

/** Raw values from one source (config file, environment or flags), by config key. */
export type ConfigLayer = Readonly<Record<string, unknown>>;

/** The sources {@link resolveConfig} merges, weakest first after the defaults. */
export interface ConfigSources {
  readonly file?: ConfigLayer;
  readonly fileName?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags: ConfigLayer;
  readonly cwd: string;
  readonly isTTY: boolean;
}

function fromEnv(env: ConfigSources["env"]): { layer: Record<string, unknown>; names: Record<string, string> } {
  const layer: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  for (const spec of SERVER_OPTIONS) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value === undefined || value === "") continue;
    layer[spec.key] = spec.kind === "list" ? value.split(path.delimiter).filter(Boolean) : value;
    names[spec.key] = spec.env!;
  }
  return { layer, names };
}

function readInteger(value: unknown, where: string, min: number, max: number, problems: string[]): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${where}: ${JSON.stringify(value)} is not an integer between ${min} and ${max}`);
    return undefined;
  }
  return n;
}

function readBoolean(value: unknown, where: string, problems: string[]): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false|1|0|yes|no)$/i.test(value.trim())) return /^(true|1|yes)$/i.test(value.trim());
  problems.push(`${where}: ${JSON.stringify(value)} is not a boolean (true or false)`);
  return undefined;
}

/**
 * Merges defaults < config file < `MLFLOW_*` environment < flags into a validated, frozen
 * {@link ServerConfig}. Every problem is collected and reported at once in one `ERR_CONFIG_INVALID`;
 * with `collect`, problems are pushed there instead and a config with defaults in their place is
 * returned (so the apps' settings can be checked too, and all reported together).
 *
 * @example
 * const config = resolveConfig({ env: process.env, flags: { port: "8080" }, cwd: process.cwd(), isTTY: false });
 */
export function resolveConfig(sources: ConfigSources, collect?: string[]): ServerConfig {
  const problems: string[] = [];
  const env = fromEnv(sources.env);
  // `appSettings` holds the apps' own settings, checked by the host against each app's schema.
  const known = new Set([...SERVER_OPTIONS.map((s) => s.key), "appSettings"]);
  for (const key of Object.keys(sources.file ?? {})) {
    if (!known.has(key)) problems.push(`${sources.fileName ?? "config file"}: unknown key '${key}' (known: ${[...known].join(", ")})`);
  }
  const raw: Record<string, unknown> = {};
  const where: Record<string, string> = {};
  for (const spec of SERVER_OPTIONS) {
    const flagName = `--${spec.flags.split("--")[1]!.split(" ")[0]}`;
    if (sources.flags[spec.key] !== undefined) {
      raw[spec.key] = sources.flags[spec.key];
      where[spec.key] = flagName;
    } else if (env.layer[spec.key] !== undefined) {
      raw[spec.key] = env.layer[spec.key];
      where[spec.key] = env.names[spec.key]!;
    } else if (sources.file?.[spec.key] !== undefined) {
      raw[spec.key] = sources.file[spec.key];
      where[spec.key] = `${sources.fileName ?? "config file"} (${spec.key})`;
    }
  }
  const str = (key: string, fallback: string): string => {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (typeof value !== "string") {
      problems.push(`${where[key]}: expected a string, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };
  const host = str("host", "127.0.0.1");
  const port = raw.port === undefined ? 5000 : readInteger(raw.port, where.port!, 0, 65535, problems) ?? 5000;
  const workers = raw.workers === undefined ? 1 : readInteger(raw.workers, where.workers!, 1, 256, problems) ?? 1;
  const maxBodyBytes = raw.maxBodyBytes === undefined ? 16 * 1024 * 1024 : readInteger(raw.maxBodyBytes, where.maxBodyBytes!, 1024, 1024 ** 3, problems) ?? 0;
  const graphqlMaxRootFields = raw.graphqlMaxRootFields === undefined ? 10 : readInteger(raw.graphqlMaxRootFields, where.graphqlMaxRootFields!, 1, 10_000, problems) ?? 10;
  const graphqlMaxAliases = raw.graphqlMaxAliases === undefined ? 10 : readInteger(raw.graphqlMaxAliases, where.graphqlMaxAliases!, 1, 10_000, problems) ?? 10;
  const modelVersionSourceRegex = str("modelVersionSourceRegex", "") || undefined;
  if (modelVersionSourceRegex !== undefined) {
    try {
      new RegExp(modelVersionSourceRegex, "u");
    } catch {
      problems.push(`${where.modelVersionSourceRegex}: '${modelVersionSourceRegex}' is not a regular expression`);
    }
  }
  const statementTimeoutSeconds = raw.dbStatementTimeout === undefined ? 5 : readInteger(raw.dbStatementTimeout, where.dbStatementTimeout!, 0, 86_400, problems) ?? 5;
  const dbPoolSize = raw.dbPoolSize === undefined ? undefined : readInteger(raw.dbPoolSize, where.dbPoolSize!, 1, 1000, problems);
  const serveArtifacts = raw.serveArtifacts === undefined ? true : readBoolean(raw.serveArtifacts, where.serveArtifacts!, problems) ?? true;
  const artifactsOnly = raw.artifactsOnly === undefined ? false : readBoolean(raw.artifactsOnly, where.artifactsOnly!, problems) ?? false;
  const truncateLongValues = raw.truncateLongValues === undefined ? true : readBoolean(raw.truncateLongValues, where.truncateLongValues!, problems) ?? true;
  const backendStoreUri = str("backendStoreUri", "sqlite:///mlflow.db");
  const registryStoreUri = str("registryStoreUri", backendStoreUri);
  // The registry URI defaults to the backend URI: check it only when it was given on its own.
  for (const key of ["backendStoreUri", "registryStoreUri"] as const) {
    if (key === "registryStoreUri" && raw.registryStoreUri === undefined) continue;
    const uri = key === "backendStoreUri" ? backendStoreUri : registryStoreUri;
    const parsed = parseDatabaseUri(uri, sources.cwd);
    if (typeof parsed === "string") problems.push(`${where[key] ?? key}: ${parsed}`);
  }
  if (artifactsOnly && where.backendStoreUri !== undefined) {
    problems.push(`${where.artifactsOnly}: --artifacts-only cannot be combined with a backend store URI (${where.backendStoreUri})`);
  }
  const staticPrefix = str("staticPrefix", "");
  const prefixProblem = staticPrefixProblem(staticPrefix);
  if (prefixProblem) problems.push(`${where.staticPrefix}: ${prefixProblem}`);
  // A URI (s3://bucket/prefix) names a repository and stays as written; only a plain path is made
  // absolute. (Resolving s3://x as a path made a local folder named "s3:" and lost every upload.)
  const destinationText = str("artifactsDestination", "./mlartifacts");
  const artifactsDestination = artifactScheme(destinationText) === "file" && !destinationText.startsWith("file:") ? path.resolve(sources.cwd, destinationText) : destinationText;
  if (destinationText.trim() === "") problems.push(`${where.artifactsDestination}: the artifacts destination is empty`);
  const defaultArtifactRoot = str("defaultArtifactRoot", serveArtifacts ? "mlflow-artifacts:/" : path.resolve(sources.cwd, "mlruns"));
  const nested = serveArtifacts ? nestedArtifactLocations(artifactsDestination, defaultArtifactRoot, sources.cwd) : undefined;
  if (nested) problems.push(`${where.defaultArtifactRoot ?? "--default-artifact-root"}: ${nested}`);
  const logFormat = str("logFormat", sources.isTTY ? "pretty" : "json");
  if (logFormat !== "pretty" && logFormat !== "json") problems.push(`${where.logFormat}: '${logFormat}' is not a log format (pretty or json)`);
  let pluginDirs: string[] = [];
  if (raw.pluginDirs !== undefined) {
    const list = Array.isArray(raw.pluginDirs) ? raw.pluginDirs : [raw.pluginDirs];
    if (list.every((d) => typeof d === "string")) pluginDirs = list.map((d) => path.resolve(sources.cwd, d as string));
    else problems.push(`${where.pluginDirs}: expected a list of directories`);
  }
  // MLflow's --expose-prometheus names a directory (its multiprocess files); here metrics are kept
  // in memory, so the directory is only checked to exist.
  const exposePrometheus = raw.exposePrometheus === undefined ? undefined : path.resolve(sources.cwd, str("exposePrometheus", ""));
  if (exposePrometheus !== undefined && !fs.existsSync(exposePrometheus)) problems.push(`${where.exposePrometheus}: the directory ${exposePrometheus} does not exist`);
  // One app or several, in order: `basic-auth,audit-log` (flag, variable) or a list (config file).
  const appName = raw.appName === undefined ? undefined : Array.isArray(raw.appName) && raw.appName.every((n) => typeof n === "string") ? raw.appName.join(",") : str("appName", "");
  const appNames = (appName ?? "").split(",").map((n) => n.trim()).filter(Boolean);
  if (appName !== undefined && appNames.length === 0) problems.push(`${where.appName}: the app name is empty`);
  const appSettings: Record<string, Readonly<Record<string, unknown>>> = {};
  const fileSettings = sources.file?.appSettings;
  if (fileSettings !== undefined) {
    const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
    if (!isObject(fileSettings)) problems.push(`${sources.fileName ?? "config file"} (appSettings): expected an object of app name → its settings`);
    else
      for (const [name, value] of Object.entries(fileSettings)) {
        if (isObject(value)) appSettings[name] = Object.freeze({ ...value });
        else problems.push(`${sources.fileName ?? "config file"} (appSettings.${name}): expected an object of the app's settings`);
      }
  }
  if (problems.length > 0 && !collect) throw new CliError("ERR_CONFIG_INVALID", problems);
  collect?.push(...problems);
  return Object.freeze({
    host,
    port,
    backendStoreUri,
    registryStoreUri,
    defaultArtifactRoot,
    serveArtifacts,
    artifactsDestination,
    artifactsOnly,
    workers,
    staticPrefix,
    appName: appNames.length ? appNames.join(",") : undefined,
    appNames: Object.freeze(appNames),
    appSettings: Object.freeze(appSettings),
    ...(exposePrometheus !== undefined ? { exposePrometheus } : {}),
    pluginDirs: Object.freeze(pluginDirs),
    nodePath: sources.env.NODE_PATH || undefined,
    maxBodyBytes,
    graphqlMaxRootFields,
    graphqlMaxAliases,
    ...(modelVersionSourceRegex !== undefined ? { modelVersionSourceRegex } : {}),
    statementTimeoutSeconds,
    ...(dbPoolSize !== undefined ? { dbPoolSize } : {}),
    truncateLongValues,
    logFormat: logFormat as "pretty" | "json",
    cwd: sources.cwd,
  });
}
