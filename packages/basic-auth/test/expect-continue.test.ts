import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectContinue } from "../../../test/support/expect-continue.js";
import { ADMIN, startAuthServer, type AuthServer } from "./auth-server.js";

describe("basic-auth refuses an upload before its body is sent", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer();
  });
  afterAll(async () => s?.close());

  const put = (auth: string[]) => expectContinue(s.url, ["PUT /api/2.0/mlflow-artifacts/artifacts/expect/a.txt HTTP/1.1", "Content-Length: 5", ...auth], "hello");

  it("answers 401 without asking for the body of an unauthenticated upload", async () => {
    const { text, sentBody } = await put([]);
    expect(sentBody).toBe(false);
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("asks for the body once the caller is let through", async () => {
    const { text, sentBody } = await put([`Authorization: Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`]);
    expect(sentBody).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });
});
