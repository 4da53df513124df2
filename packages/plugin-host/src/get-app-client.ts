import { checkCompatibility } from "./check-compatibility.js";
import { discoverApps, type DiscoverOptions } from "./discover-apps.js";
import { describeDeclaration, loadEntry } from "./load-entry.js";
import { PluginHostError } from "./plugin-host-error.js";

/**
 * Finds the `mlflow.app.client` class declared for `name` and constructs it with the tracking URI
 * (and any further arguments), as MLflow's `get_app_client` does.
 *
 * @example
 * const client = await getAppClient("my-auth", "http://127.0.0.1:5000");
 * await client.login("alice", "secret");
 */
export async function getAppClient<T = unknown>(
  name: string,
  trackingUri: string,
  ...args: unknown[]
): Promise<T> {
  return getAppClientWith<T>({ cwd: process.cwd() }, name, trackingUri, ...args);
}

/**
 * {@link getAppClient} with explicit discovery options (the project directory, extra roots).
 *
 * @example
 * const client = await getAppClientWith({ cwd: projectDir }, "my-auth", url);
 */
export async function getAppClientWith<T = unknown>(options: DiscoverOptions, name: string, trackingUri: string, ...args: unknown[]): Promise<T> {
  const discovery = discoverApps(options);
  const declaration = discovery.clients.find((d) => d.name === name);
  if (!declaration) {
    const available = discovery.clients.map((d) => `${d.name} (${d.packageName}@${d.packageVersion}, ${d.dir})`).join("; ") || "none are installed";
    throw new PluginHostError("ERR_APP_CLIENT_NOT_FOUND", `No installed package declares a client for '${name}' in "mlflow.app.client". Available clients: ${available}.`);
  }
  checkCompatibility(declaration);
  const value = await loadEntry(declaration);
  if (typeof value !== "function") {
    throw new PluginHostError("ERR_APP_INVALID", `${describeDeclaration(declaration)} exports a ${typeof value}, not a client class.`);
  }
  return new (value as new (...a: unknown[]) => T)(trackingUri, ...args);
}
