/**
 * The validated, frozen configuration of `mlflow server`, as the CLI resolved it from defaults,
 * config file, `MLFLOW_*` variables and flags. Apps read it from `app.context.config`.
 */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly backendStoreUri: string;
  readonly registryStoreUri: string;
  readonly defaultArtifactRoot: string;
  readonly serveArtifacts: boolean;
  /** Where proxied artifacts are stored: an absolute directory, or a URI (`s3://bucket/prefix`) whose scheme names its repository. */
  readonly artifactsDestination: string;
  readonly artifactsOnly: boolean;
  readonly workers: number;
  /** Prefix of the UI, `/ajax-api`, `/health` and `/version` routes; empty for none. */
  readonly staticPrefix: string;
  /** The `mlflow.app`s to apply, as given (`basic-auth,audit-log`); undefined for none. */
  readonly appName: string | undefined;
  /** The same, one name each, in the order they are applied. */
  readonly appNames: readonly string[];
  /** The config file's `appSettings` section: app name → its settings as written (checked by the host at start). */
  readonly appSettings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Largest JSON request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Most top-level fields of one GraphQL document (`MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS`; 10 when absent). */
  readonly graphqlMaxRootFields?: number;
  /** A regular expression model-version sources must match (`MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX`; none when absent). */
  readonly modelVersionSourceRegex?: string;
  /** Most aliased fields in one level of a GraphQL document (`MLFLOW_SERVER_GRAPHQL_MAX_ALIASES`; 10 when absent). */
  readonly graphqlMaxAliases?: number;
  /** PostgreSQL: seconds a query may run before the database cancels it (0: no limit). */
  readonly statementTimeoutSeconds: number;
  /**
   * Connections each server process keeps to a PostgreSQL or MySQL database; undefined: sized
   * from the database's `max_connections` and the worker count (see `--db-pool-size`).
   */
  readonly dbPoolSize?: number;
  /** Truncate over-long param and tag values instead of rejecting them. */
  readonly truncateLongValues: boolean;
  /** `pretty` on a terminal, `json` otherwise. */
  readonly logFormat: "pretty" | "json";
  /** Extra directories searched for installed apps (`--plugin-dir`). */
  readonly pluginDirs: readonly string[];
  /** `NODE_PATH` as the server was started with, also searched for apps. */
  readonly nodePath: string | undefined;
  /** Working directory the server was started from. */
  readonly cwd: string;
  /** `--expose-prometheus`: metrics are served at `/metrics` when set. */
  readonly exposePrometheus?: string;
}

/** The logger apps receive: one line per call, never given credentials. */
export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}
