import http from "node:http";
import https from "node:https";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { MlflowError } from "@mlflow-ts/protocol";

/** What {@link s3Settings} read from the environment: the client's configuration and upload extras. */
export interface S3Settings {
  readonly client: S3ClientConfig;
  /** `MLFLOW_S3_UPLOAD_EXTRA_ARGS`: S3 parameters (PascalCase) merged into every upload. */
  readonly uploadExtraArgs: Readonly<Record<string, unknown>>;
  /** `MLFLOW_S3_EXPECTED_BUCKET_OWNER`, sent on every call when set. */
  readonly expectedBucketOwner?: string;
  /** Where the credentials come from, in words for error messages (never a key or secret). */
  readonly credentialSource: string;
}

function flag(env: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const value = env[name]?.trim();
  if (value === undefined || value === "") return false;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  // MLflow raises on anything else: a typo must not silently keep TLS checks on or off.
  throw new MlflowError("INVALID_PARAMETER_VALUE", `${name}=${JSON.stringify(value)} is not a boolean (true, false, 1 or 0)`);
}

/**
 * Reads MLflow's S3 settings from an environment (the server's, handed down by the CLI), closing
 * the gaps between boto3 and the AWS SDK for JavaScript v3 (spec §6):
 *
 * - `MLFLOW_S3_ENDPOINT_URL` (else `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`): a custom endpoint,
 *   which makes addressing path-style unless `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE=virtual` (botocore's
 *   rule; the JS SDK would go virtual-hosted and fail on MinIO and s3rver).
 * - `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` as static credentials;
 *   without them `AWS_PROFILE` and the SDK's default chain (shared files, web identity, metadata).
 * - `AWS_REGION`, else `AWS_DEFAULT_REGION` (boto3's name, which the JS SDK ignores), else `us-east-1`,
 *   following S3's region redirects.
 * - `MLFLOW_S3_IGNORE_TLS`: no certificate verification. `MLFLOW_S3_UPLOAD_EXTRA_ARGS`: JSON object.
 * - Checksums only when required (`AWS_REQUEST_CHECKSUM_CALCULATION` / `AWS_RESPONSE_CHECKSUM_VALIDATION`
 *   override): many S3-compatible stores reject the CRC headers recent SDKs add by default.
 *
 * Bad values throw `INVALID_PARAMETER_VALUE` naming the variable (never its secret).
 *
 * @example
 * const { client } = s3Settings({ MLFLOW_S3_ENDPOINT_URL: "http://127.0.0.1:4568", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
 * new S3Client(client);
 */
export function s3Settings(env: Readonly<Record<string, string | undefined>>): S3Settings {
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const style = (env.MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE || "auto").toLowerCase();
  if (!["auto", "path", "virtual"].includes(style)) throw new MlflowError("INVALID_PARAMETER_VALUE", `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE=${JSON.stringify(style)} is not auto, path or virtual`);
  const ignoreTls = flag(env, "MLFLOW_S3_IGNORE_TLS");
  let uploadExtraArgs: Record<string, unknown> = {};
  if (env.MLFLOW_S3_UPLOAD_EXTRA_ARGS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.MLFLOW_S3_UPLOAD_EXTRA_ARGS);
    } catch (error) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `MLFLOW_S3_UPLOAD_EXTRA_ARGS is not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new MlflowError("INVALID_PARAMETER_VALUE", "MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object of S3 parameters, e.g. {\"ServerSideEncryption\":\"AES256\"}");
    uploadExtraArgs = parsed as Record<string, unknown>;
  }
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const checksum = (name: string) => ((env[name] ?? "").toUpperCase() === "WHEN_SUPPORTED" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED");
  // Keep-alive sockets, enough for several large transfers at once (each lib-storage upload keeps
  // a few parts in flight).
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const client: S3ClientConfig = {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1",
    followRegionRedirects: true,
    forcePathStyle: endpoint ? style !== "virtual" : style === "path",
    requestChecksumCalculation: checksum("AWS_REQUEST_CHECKSUM_CALCULATION"),
    responseChecksumValidation: checksum("AWS_RESPONSE_CHECKSUM_VALIDATION"),
    requestHandler: { httpAgent: new http.Agent(agentOptions), httpsAgent: new https.Agent({ ...agentOptions, ...(ignoreTls ? { rejectUnauthorized: false } : {}) }) },
    ...(endpoint ? { endpoint } : {}),
    ...(keyId && secret ? { credentials: { accessKeyId: keyId, secretAccessKey: secret, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } } : {}),
    ...(!(keyId && secret) && env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {}),
  };
  const credentialSource =
    keyId && secret
      ? "the static keys of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
      : env.AWS_PROFILE
        ? `the profile '${env.AWS_PROFILE}' of AWS_PROFILE (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/credentials and ~/.aws/config)`
        : "the AWS SDK's default chain (no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE: the default profile of ~/.aws, web identity, container or instance metadata)";
  return { client, uploadExtraArgs, credentialSource, ...(env.MLFLOW_S3_EXPECTED_BUCKET_OWNER ? { expectedBucketOwner: env.MLFLOW_S3_EXPECTED_BUCKET_OWNER } : {}) };
}
