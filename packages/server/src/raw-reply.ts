import type { Readable } from "node:stream";

/**
 * A non-JSON answer a route returns (text, a file stream); {@link sendReply} writes it as it is and
 * after-request hooks do not see it.
 *
 * @example
 * return new RawReply(200, { "Content-Type": "text/plain" }, "OK");
 */
export class RawReply {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string | number>>,
    readonly body: string | Buffer | Readable,
  ) {}
}

/**
 * A plain-text answer.
 *
 * @example
 * return text("OK");
 */
export function text(body: string, status = 200): RawReply {
  return new RawReply(status, { "Content-Type": "text/plain; charset=utf-8" }, body);
}
