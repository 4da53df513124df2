/** This server's own version (`--version`, `server-info`, the packages' version). */
export const SERVER_VERSION = "0.1.0";

/**
 * The MLflow release whose API this server implements, as `/version` answers it: MLflow's clients
 * gate features on it (3.x Python clients send spans over OTLP only to servers ≥ 3.4, by PEP 440,
 * so a pre-release spelling would turn that off).
 */
export const MLFLOW_API_VERSION = "3.6.0";
