import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uiDirectory } from "@mlflow-ts/ui";
import { startAuthServer, type AuthServer } from "./auth-server.js";

// Issue 19, item 3: which routes answer without signing in is decided by the endpoint the server
// matched, never by a URL prefix. With `--static-prefix /static-mlflow` (or `/staticfoo`) every
// prefixed route used to start with "/static", MLflow's open prefix, and so the whole prefixed API
// ran without a login: an anonymous `update-admin` made anyone an admin.

// A file the UI build really has (its names carry content hashes).
const ASSET = fs.readdirSync(path.join(uiDirectory, "static-files")).find((f) => f.endsWith(".js"))!;

/** A raw request: node:http sends the path exactly as written (`..` included), fetch would not. */
function send(url: string, method: string, target: string, body?: unknown): Promise<{ status: number; text: string }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = text === undefined ? {} : { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) };
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method, path: target, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(text);
  });
}

describe.each(["", "/static-mlflow", "/staticfoo"])("open routes with the static prefix '%s'", (prefix) => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer({ config: { staticPrefix: prefix }, webUi: { directory: uiDirectory } });
    await server.user("intruder");
  });
  afterAll(async () => server?.close());

  const apis = [`${prefix}/ajax-api/2.0`, "/api/2.0"];

  it.each(apis)("answers 401 to every anonymous API call under %s", async (api) => {
    const calls: [string, string, unknown?][] = [
      ["PATCH", `${api}/mlflow/users/update-admin`, { username: "intruder", is_admin: true }],
      ["GET", `${api}/mlflow/users/list`],
      ["POST", `${api}/mlflow/runs/search`, { experiment_ids: ["0"] }],
      ["POST", `${api}/mlflow/experiments/search`, { max_results: 10 }],
      ["GET", `${api}/mlflow/experiments/search?max_results=10`],
    ];
    for (const [method, target, body] of calls) {
      const answer = await send(server.url, method, target, body);
      expect({ method, target, status: answer.status }).toEqual({ method, target, status: 401 });
    }
    expect((await server.admin.getUser("intruder")).is_admin).toBe(false);
  });

  it("keeps /health and the UI's built assets open", async () => {
    const health = await send(server.url, "GET", `${prefix}/health`);
    expect(health).toEqual({ status: 200, text: "OK" });
    expect((await send(server.url, "GET", `${prefix}/static-files/${ASSET}`)).status).toBe(200);
  });

  it("opens the asset directory at a segment boundary only, and nothing else of the UI", async () => {
    for (const target of [`${prefix}/static-filesX/${ASSET}`, `${prefix}/static-files`, `${prefix}/`, `${prefix}/version`, `${prefix}/healthz`]) {
      const answer = await send(server.url, "GET", target);
      expect({ target, status: answer.status }).toEqual({ target, status: 401 });
    }
    // A way out of the asset directory reaches no endpoint: the file server refuses it.
    const escaped = await send(server.url, "GET", `${prefix}/static-files/../ajax-api/2.0/mlflow/users/list`);
    expect(escaped.status).toBe(404);
    expect(escaped.text).not.toMatch(/intruder/);
  });
});
