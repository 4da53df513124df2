import { invalidParameter } from "@mlflow-ts/protocol";

/**
 * Encodes an offset as MLflow's page token: base64 of `{"offset": N}`.
 *
 * @example
 * encodePageToken(100); // "eyJvZmZzZXQiOiAxMDB9"
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64");
}

/**
 * The longest page token accepted, in characters. This server's tokens are base64 of
 * `{"offset": N}`, under 40 characters; a longer one was not made here, and would otherwise be
 * decoded, parsed and echoed in full in the error message.
 *
 * @example
 * if (token.length > PAGE_TOKEN_MAX_LENGTH) throw invalidParameter("page token too long");
 */
export const PAGE_TOKEN_MAX_LENGTH = 1024;

/**
 * Decodes a page token; absent or empty means offset 0. Anything undecodable is 400, as in MLflow.
 *
 * @example
 * decodePageToken(encodePageToken(100)); // 100
 */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  if (token.length > PAGE_TOKEN_MAX_LENGTH) {
    throw invalidParameter(`Invalid page token: it is ${token.length} characters long; a page token may have at most ${PAGE_TOKEN_MAX_LENGTH} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidParameter(`Invalid page token, could not base64-decode or parse it: '${token}'`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParameter(`Invalid page token '${token}': it holds no valid offset`);
  }
  return offset;
}
