import http from "node:http";
import type { AddressInfo } from "node:net";
import type { MlflowApp } from "@mlflow-ts/plugin-api";
import { createRequestListener } from "./create-server.js";
import { deferContinue } from "./expect-continue.js";
import { lifecycleOf, runCloseHooks, runReadyHooks } from "./app-lifecycle.js";

/** Options of {@link startServer}. */
export interface StartServerOptions {
  readonly host: string;
  readonly port: number;
  /** Milliseconds in-flight requests get to finish on shutdown before sockets are cut. */
  readonly shutdownGraceMs?: number;
  /** Called once the server has stopped (close the stores here). */
  readonly onClose?: () => Promise<void>;
  /**
   * Runs once the port is bound and before any request is served; what it returns is the app
   * served. Apply apps here: an app that generates, prints or stores something while it is applied
   * (basic-auth's first admin password) then never does so for a server that cannot listen.
   * Requests that arrive meanwhile wait for it. If it throws, the server stops listening and
   * `startServer` rejects with its error (`onClose` is not called: the caller still owns the stores).
   *
   * @example
   * await startServer(base, { host, port, build: (app) => applyApp(app, loaded) });
   */
  readonly build?: (app: MlflowApp) => Promise<MlflowApp>;
}

/** A listening server. */
export interface RunningServer {
  readonly server: http.Server;
  readonly port: number;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive sockets, then `onClose`. */
  close(): Promise<void>;
}

/**
 * Answers a request Node could not parse (headers or URL over 16 KiB, malformed HTTP) with MLflow's
 * error JSON instead of Node's bare status line, then closes the connection.
 */
function answerClientError(error: Error & { code?: string }, socket: import("node:stream").Duplex): void {
  if (!socket.writable || (error.code === "ECONNRESET")) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
  const body = JSON.stringify({
    error_code: "BAD_REQUEST",
    message: tooLarge ? "The request's URL and headers exceed 16 KiB; send large parameters in a JSON body" : "Malformed HTTP request",
  });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Listens with an app and owns its shutdown. Port 0 picks a free port, read back in `port`.
 *
 * @example
 * const running = await startServer(app, { host: "127.0.0.1", port: 0 });
 * console.log(running.url);
 * await running.close();
 */
export async function startServer(app: MlflowApp, options: StartServerOptions): Promise<RunningServer> {
  let listener = options.build ? undefined : createRequestListener(app);
  let building: Promise<void> | undefined;
  // Until `build` has given the app, requests wait for it (a start-up of a second or so).
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (listener) listener(req, res);
    else
      building!.then(
        () => listener!(req, res),
        () => res.destroy(),
      );
  };
  // 1 MiB socket buffers: artifact bodies move in fewer, larger reads and writes.
  const server = http.createServer({ keepAliveTimeout: 65_000, highWaterMark: 1024 * 1024 }, handle);
  // `Expect: 100-continue` is answered once the before-request hooks have let the request through
  // (or its JSON body is read), not on arrival: a refused upload never sends its body.
  server.on("checkContinue", (req, res) => {
    deferContinue(res);
    handle(req, res);
  });
  server.on("clientError", answerClientError);
  // Requests may legitimately stream large artifacts; the default 300 s request timeout stays.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (options.build) {
    const build = options.build;
    building = (async () => {
      listener = createRequestListener(await build(app));
    })();
    try {
      await building;
    } catch (error) {
      // Waiting requests are cut with their connections: the server never served.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      throw error;
    }
  }
  // Apps' onReady hooks: the port is bound and the apps applied; a hook that fails stops the start.
  const lifecycle = lifecycleOf(app);
  if (lifecycle) {
    try {
      await runReadyHooks(lifecycle);
    } catch (error) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runCloseHooks(lifecycle, app.context.logger);
      throw error;
    }
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets become idle as their in-flight requests finish: close them as they do,
      // rather than waiting for their keep-alive timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
      timer.unref();
      await done;
      clearInterval(sweep);
      clearTimeout(timer);
      // Apps clean up after the last request and before the stores they use close.
      if (lifecycle) await runCloseHooks(lifecycle, app.context.logger);
      await options.onClose?.();
    })();
    return closing;
  };
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return { server, port, url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`, close };
}
