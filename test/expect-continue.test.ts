import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectContinue } from "./support/expect-continue.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

describe("Expect: 100-continue", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("asks for an upload's body and stores it", async () => {
    const { text, sentBody } = await expectContinue(server.url, ["PUT /api/2.0/mlflow-artifacts/artifacts/expect/a.txt HTTP/1.1", "Content-Length: 5"], "hello");
    expect(sentBody).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(await (await server.client.artifacts.download("expect/a.txt")).text()).toBe("hello");
  });

  it("asks for a JSON body before parsing it", async () => {
    const body = JSON.stringify({ name: "expect-continue" });
    const { text, sentBody } = await expectContinue(server.url, ["POST /api/2.0/mlflow/experiments/create HTTP/1.1", "Content-Type: application/json", `Content-Length: ${body.length}`], body);
    expect(sentBody).toBe(true);
    expect(text).toMatch(/HTTP\/1\.1 200 OK[\s\S]*"experiment_id"/);
  });

  it("refuses an oversized body without asking for it", async () => {
    const { text, sentBody } = await expectContinue(server.url, ["POST /api/2.0/mlflow/experiments/create HTTP/1.1", "Content-Type: application/json", "Content-Length: 999999999"], "{}");
    expect(sentBody).toBe(false);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"error_code":"INVALID_PARAMETER_VALUE"');
  });
});
