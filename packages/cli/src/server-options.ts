/** How one `mlflow server` setting is read: flag, environment variable, config-file key, default. */
export interface OptionSpec {
  /** The key in the config file and in `ServerConfig`. */
  readonly key: string;
  readonly flags: string;
  readonly env?: string;
  readonly description: string;
  readonly kind: "string" | "integer" | "boolean" | "list";
  /** Shown in `--help`; the real default is computed in `resolveConfig`. */
  readonly defaultText?: string;
}

/**
 * Every option of `mlflow server`, with MLflow's names and environment variables where MLflow has
 * them. One table drives `--help`, the config file's accepted keys and the environment.
 */
export const SERVER_OPTIONS: readonly OptionSpec[] = [
  { key: "host", flags: "-h, --host <host>", env: "MLFLOW_HOST", kind: "string", defaultText: "127.0.0.1", description: "network address to listen on (0.0.0.0 for remote access)" },
  { key: "port", flags: "-p, --port <port>", env: "MLFLOW_PORT", kind: "integer", defaultText: "5000", description: "port to listen on (0 picks a free one)" },
  { key: "backendStoreUri", flags: "--backend-store-uri <uri>", env: "MLFLOW_BACKEND_STORE_URI", kind: "string", defaultText: "sqlite:///mlflow.db", description: "database for experiments and runs: sqlite:///<file>, postgresql://… or mysql://…" },
  { key: "registryStoreUri", flags: "--registry-store-uri <uri>", env: "MLFLOW_REGISTRY_STORE_URI", kind: "string", defaultText: "the backend store URI", description: "database for the model registry" },
  { key: "defaultArtifactRoot", flags: "--default-artifact-root <uri>", env: "MLFLOW_DEFAULT_ARTIFACT_ROOT", kind: "string", defaultText: "mlflow-artifacts:/ when serving artifacts, else ./mlruns", description: "artifact root of new experiments" },
  { key: "serveArtifacts", flags: "--serve-artifacts", env: "MLFLOW_SERVE_ARTIFACTS", kind: "boolean", defaultText: "true", description: "proxy artifact uploads and downloads (--no-serve-artifacts to turn off)" },
  { key: "artifactsDestination", flags: "--artifacts-destination <uri>", env: "MLFLOW_ARTIFACTS_DESTINATION", kind: "string", defaultText: "./mlartifacts", description: "where proxied artifacts are stored: a directory, or a URI whose scheme an installed \"mlflow.artifact_repository\" serves (s3://bucket/prefix)" },
  { key: "artifactsOnly", flags: "--artifacts-only", env: "MLFLOW_ARTIFACTS_ONLY", kind: "boolean", defaultText: "false", description: "serve only the artifact proxy" },
  {
    key: "workers",
    flags: "-w, --workers <n>",
    env: "MLFLOW_WORKERS",
    kind: "integer",
    defaultText: "1",
    description:
      "worker processes (Node cluster). One worker uses one core; more help on PostgreSQL and MySQL only where cores are idle (the database and clients need theirs). On SQLite, whose writes go one at a time through one file, more workers only add lock waits: keep 1",
  },
  { key: "staticPrefix", flags: "--static-prefix <prefix>", env: "MLFLOW_STATIC_PREFIX", kind: "string", defaultText: "none", description: "prefix of UI, /ajax-api, /health and /version routes; starts with / and does not end with /, and its first segment is not a built-in route's (/static, /api, /health, …)" },
  { key: "maxBodyBytes", flags: "--max-body-bytes <n>", env: "MLFLOW_MAX_BODY_BYTES", kind: "integer", defaultText: "16777216", description: "largest JSON request body; larger ones get 413" },
  { key: "graphqlMaxRootFields", flags: "--graphql-max-root-fields <n>", env: "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS", kind: "integer", defaultText: "10", description: "most top-level fields one GraphQL document may have (MLflow 3's bound)" },
  { key: "graphqlMaxAliases", flags: "--graphql-max-aliases <n>", env: "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES", kind: "integer", defaultText: "10", description: "most aliased fields one level of a GraphQL document may have (MLflow 3's bound)" },
  { key: "modelVersionSourceRegex", flags: "--model-version-source-regex <regex>", env: "MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX", kind: "string", defaultText: "none", description: "a regular expression every new model version's source must match (MLflow 3's variable), e.g. ^mlflow-artifacts:/" },
  { key: "dbStatementTimeout", flags: "--db-statement-timeout <seconds>", env: "MLFLOW_DB_STATEMENT_TIMEOUT", kind: "integer", defaultText: "5", description: "PostgreSQL: longest a query may run before it is cancelled (503); 0 for no limit" },
  { key: "dbPoolSize", flags: "--db-pool-size <n>", env: "MLFLOW_DB_POOL_SIZE", kind: "integer", defaultText: "10 per worker, fewer when all workers would take over half the database's max_connections", description: "PostgreSQL/MySQL: connections per worker process; with several replicas, keep replicas × workers × this under max_connections" },
  { key: "truncateLongValues", flags: "--truncate-long-values", env: "MLFLOW_TRUNCATE_LONG_VALUES", kind: "boolean", defaultText: "true", description: "truncate over-long param and tag values instead of rejecting them" },
  { key: "logFormat", flags: "--log-format <format>", env: "MLFLOW_LOG_FORMAT", kind: "string", defaultText: "pretty on a terminal, json otherwise", description: "access and server log format: pretty or json" },
  { key: "appName", flags: "--app-name <name>", env: "MLFLOW_APP_NAME", kind: "string", defaultText: "none", description: "server apps to apply, in order: installed packages' \"mlflow.app\" names, e.g. basic-auth or basic-auth,audit-log" },
  { key: "exposePrometheus", flags: "--expose-prometheus <dir>", env: "MLFLOW_EXPOSE_PROMETHEUS", kind: "string", defaultText: "off", description: "serve Prometheus metrics (requests, store calls, the process) at /metrics; the directory, which MLflow uses for its multiprocess files, must exist" },
  { key: "pluginDirs", flags: "--plugin-dir <dir...>", env: "MLFLOW_PLUGIN_DIRS", kind: "list", defaultText: "none", description: "extra directories of installed packages to search for apps; repeat the flag for several (MLFLOW_PLUGIN_DIRS: separated by the path delimiter, ':' here)" },
];
