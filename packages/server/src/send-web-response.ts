import type { Response as ExpressResponse } from "express";

/**
 * Writes a WHATWG `Response` (what before-request hooks and auth functions return) to Express.
 *
 * @example
 * await sendWebResponse(res, new Response("Unauthorized", { status: 401 }));
 */
export async function sendWebResponse(res: ExpressResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}
