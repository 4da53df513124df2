import type { ByteRange } from "@mlflow-ts/plugin-api";

/**
 * Reads a `Range` request header: one `bytes=start-end`, `bytes=start-` or `bytes=-suffix` range
 * (a suffix needs the size, so it comes back as `{ suffix }`). Several ranges, other units or
 * nonsense are ignored, and the whole file is sent, as RFC 9110 allows.
 *
 * @example
 * parseByteRange("bytes=0-1023"); // { start: 0, end: 1023 }
 * parseByteRange("bytes=-500");   // { suffix: 500 }
 */
export function parseByteRange(header: string | undefined): ByteRange | { readonly suffix: number } | undefined {
  const match = header === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") return Number(last) > 0 ? { suffix: Number(last) } : undefined;
  const start = Number(first);
  if (last === "") return { start };
  const end = Number(last);
  return end >= start ? { start, end } : undefined;
}
