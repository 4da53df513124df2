import net from "node:net";

/**
 * Sends a request's head with `Expect: 100-continue` over a raw socket, sends `body` only if the
 * server answers `100 Continue`, and resolves with everything the server wrote and whether the
 * body went out.
 */
export function expectContinue(url: string, head: string[], body: string): Promise<{ text: string; sentBody: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = "";
    let sentBody = false;
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (!sentBody && text.startsWith("HTTP/1.1 100 Continue\r\n\r\n")) {
        sentBody = true;
        socket.write(body);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve({ text, sentBody }));
    socket.write([...head, "Host: test", "Expect: 100-continue", "Connection: close", "", ""].join("\r\n"));
  });
}
