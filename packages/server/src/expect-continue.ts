import type { ServerResponse } from "node:http";

const DEFERRED = Symbol("mlflow.deferredContinue");

type Deferrable = ServerResponse & { [DEFERRED]?: boolean };

/**
 * Marks a request that came with `Expect: 100-continue` on a server that answers it itself (it
 * listens for `checkContinue`): the client holds the body back until {@link sendContinue}, so a
 * request refused on its headers alone (401, 403, 413) never transfers its body.
 *
 * @example
 * server.on("checkContinue", (req, res) => { deferContinue(res); listener(req, res); });
 */
export function deferContinue(res: ServerResponse): void {
  (res as Deferrable)[DEFERRED] = true;
}

/**
 * Sends the deferred `100 Continue`, once, when the body is about to be read; a no-op for any
 * other request (Node has already answered, or nothing was asked).
 *
 * @example
 * sendContinue(res); // then read req
 */
export function sendContinue(res: ServerResponse): void {
  const deferrable = res as Deferrable;
  if (!deferrable[DEFERRED]) return;
  deferrable[DEFERRED] = false;
  if (!res.headersSent && !res.writableEnded) res.writeContinue();
}
