import net from "node:net";

/** A TCP proxy on 127.0.0.1 whose upstream direction is slow (see {@link startThrottlingProxy}). */
export interface ThrottlingProxy {
  readonly port: number;
  /** Bytes forwarded upstream so far (request heads and bodies). */
  readonly forwarded: number;
  close(): Promise<void>;
}

/**
 * A slow object store for fault tests: a TCP proxy in front of `127.0.0.1:<targetPort>` that
 * forwards what its clients send at most `bytesPerSecond` (reading the next chunk only after a
 * pause as long as the last chunk deserves), and answers at full speed. A server uploading through
 * it meets a store that reads request bodies slowly, as a congested S3 does.
 *
 * @example
 * const slow = await startThrottlingProxy(s3.port, 16 * 1024 * 1024);
 * // MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:${slow.port}
 */
export function startThrottlingProxy(targetPort: number, bytesPerSecond: number): Promise<ThrottlingProxy> {
  let forwarded = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      client.pause();
      forwarded += chunk.length;
      upstream.write(chunk, () => {
        const timer = setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
        timer.unref();
      });
    });
    client.on("end", () => upstream.end());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        get forwarded() {
          return forwarded;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
