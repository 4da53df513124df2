/**
 * The `package.json` field that declares server apps: `{ "<app name>": "<module>:<export>" }`,
 * the counterpart of Python's `mlflow.app` entry-point group.
 *
 * @example
 * // package.json: { "mlflow.app": { "my-auth": "./dist/app.js:createApp" } }
 * pkg[APP_ENTRY_POINT]["my-auth"]; // "./dist/app.js:createApp"
 */
export const APP_ENTRY_POINT = "mlflow.app" as const;

/**
 * The `package.json` field that declares app clients (`mlflow.app.client`), constructed with the
 * tracking URI by `getAppClient(name, trackingUri)`.
 *
 * @example
 * // package.json: { "mlflow.app.client": { "my-auth": "./dist/client.js:MyAuthClient" } }
 */
export const APP_CLIENT_ENTRY_POINT = "mlflow.app.client" as const;

/** The name of this package, against whose version apps declare a `peerDependencies` range. */
export const PLUGIN_API_PACKAGE = "@mlflow-ts/plugin-api";

/**
 * The `package.json` field that declares artifact repositories by URI scheme
 * (`mlflow.artifact_repository`, MLflow's entry-point group of the same name): the repository of a
 * scheme is imported only when a location with that scheme is used.
 *
 * @example
 * // package.json: { "mlflow.artifact_repository": { "s3": "./dist/s3-repository.js:S3ArtifactRepository" } }
 */
export const ARTIFACT_REPOSITORY_ENTRY_POINT = "mlflow.artifact_repository" as const;
