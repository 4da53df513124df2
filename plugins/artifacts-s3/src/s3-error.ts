import { MlflowError, isMlflowError } from "@mlflow-ts/protocol";

const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "TimeoutError", "RequestTimeout", "SlowDown", "ServiceUnavailable", "InternalError"]);
const CREDENTIALS = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AuthorizationHeaderMalformed"]);
// What S3 refuses in what a client sent (parts of a multipart upload, a key): a 400, not a 500 the
// client would retry. (InvalidArgument stays a 500: it is as often the server's settings.)
const CLIENT_MISTAKES = new Set(["InvalidPart", "InvalidPartOrder", "EntityTooSmall", "EntityTooLarge", "KeyTooLongError"]);
// Node's codes for a certificate it would not trust (a self-signed or private CA, a wrong name).
const TLS = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "CERT_UNTRUSTED", "CERT_SIGNATURE_FAILURE", "ERR_TLS_CERT_ALTNAME_INVALID"]);

function codesOf(error: unknown): string[] {
  const e = error as { name?: string; code?: string; Code?: string; cause?: { code?: string }; errors?: { code?: string }[] } | undefined;
  return [e?.name, e?.code, e?.Code, e?.cause?.code, ...(e?.errors ?? []).map((x) => x.code)].filter((x): x is string => typeof x === "string");
}

// S3's own messages name the bucket or key, never the secret; still, keep them short.
function short(error: unknown): string {
  return String((error as Error)?.message ?? error).slice(0, 300);
}

/**
 * Turns an AWS SDK failure into the `MlflowError` a client should see, naming the cause and never
 * a credential: a missing key or multipart upload is 404; parts or a key S3 refuses are 400; a store that cannot be reached (refused, reset, timed out,
 * 503 SlowDown) is 503 `TEMPORARILY_UNAVAILABLE`, which MLflow's clients retry; refused or missing
 * credentials and denied access are 403 (a client retrying would not help), naming where the
 * server took its credentials from (`credentialSource`, e.g. "the profile 'team' of AWS_PROFILE");
 * a certificate the server does not trust is 500 naming the two ways out; anything else is 500
 * with S3's error name.
 *
 * @example
 * try { await client.send(command); } catch (error) { throw s3Error(error, "reading s3://bucket/key", settings.credentialSource); }
 */
export function s3Error(error: unknown, what: string, credentialSource = "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE"): MlflowError {
  if (isMlflowError(error)) return error;
  const codes = codesOf(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const name = codes[0] ?? "Error";
  if (codes.includes("NoSuchUpload")) return new MlflowError("RESOURCE_DOES_NOT_EXIST", `The object store knows no such multipart upload for that path (NoSuchUpload) while ${what}: ${short(error)}`);
  if (codes.some((c) => c === "NoSuchKey" || c === "NotFound") || (status === 404 && !codes.includes("NoSuchBucket"))) {
    return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact not found: ${what}`);
  }
  if (codes.some((c) => CLIENT_MISTAKES.has(c))) return new MlflowError("INVALID_PARAMETER_VALUE", `The object store refused the request (${codes.find((c) => CLIENT_MISTAKES.has(c))}) while ${what}: ${short(error)}`);
  if (codes.includes("NoSuchBucket")) return new MlflowError("RESOURCE_DOES_NOT_EXIST", `The bucket does not exist (${what}): ${short(error)}`);
  if (codes.some((c) => UNREACHABLE.has(c)) || status === 503 || status === 502 || status === 504) {
    return new MlflowError("TEMPORARILY_UNAVAILABLE", `The object store is unavailable (${name}) while ${what}; try again`);
  }
  if (codes.some((c) => CREDENTIALS.has(c))) {
    return new MlflowError("PERMISSION_DENIED", `The object store refused the server's credentials (${name}) while ${what}: ${short(error)}. Check the credentials the server was started with: ${credentialSource}.`);
  }
  if (codes.includes("CredentialsProviderError")) {
    return new MlflowError("PERMISSION_DENIED", `The server found no S3 credentials (${name}) while ${what}: ${short(error)}. It looked in ${credentialSource}.`);
  }
  const tls = codes.find((c) => TLS.has(c));
  if (tls) {
    return new MlflowError("INTERNAL_ERROR", `The object store's TLS certificate is not trusted (${tls}: ${short(error)}) while ${what}. Add its CA with NODE_EXTRA_CA_CERTS, or set MLFLOW_S3_IGNORE_TLS=true to skip verification.`);
  }
  if (codes.includes("AccessDenied") || status === 403) {
    return new MlflowError("PERMISSION_DENIED", `The object store denied access (${name}) while ${what}: ${short(error)}`);
  }
  return new MlflowError("INTERNAL_ERROR", `The object store failed (${name}) while ${what}: ${short(error)}`);
}
