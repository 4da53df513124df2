import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthServer, type AuthServer } from "./auth-server.js";

const MODULE = `
let calls = 0;
export function sync(req) { calls++; const u = req.get("x-user"); return u ? { username: u, type: "header" } : new Response("who?", { status: 401, headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } }); }
export async function asyncFn(req) { calls++; await new Promise((r) => setTimeout(r, 1)); return { username: req.get("x-user") ?? "nobody" }; }
export function junk() { return 42; }
export function count() { return calls; }
`;

for (const fn of ["sync", "asyncFn", "junk"] as const) {
  describe(`authorization_function = ./custom-auth.mjs:${fn}`, () => {
    let s: AuthServer;
    beforeAll(async () => {
      s = await startAuthServer({
        ini: { authorization_function: `./custom-auth.mjs:${fn}` },
        before: (dir) => fs.writeFileSync(path.join(dir, "custom-auth.mjs"), MODULE),
      });
      if (fn !== "junk") {
        // The function, not Basic credentials, says who the caller is: the admin is "x-user: admin".
        const created = await s.fetch("/api/2.0/mlflow/users/create", {
          method: "POST",
          headers: { "x-user": "admin", "Content-Type": "application/json" },
          body: JSON.stringify({ username: "header-user", password: "header-user-password" }),
        });
        expect(created.status).toBe(200);
      }
    });
    afterAll(async () => s?.close());

    if (fn === "junk") {
      it("answers 500 naming the function when it returns something else", async () => {
        const response = await s.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0");
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ error_code: "INTERNAL_ERROR", message: "Unsupported result type from ./custom-auth.mjs:junk: 'number'" });
      });
      return;
    }
    it("authenticates by what the function returns, once per request", async () => {
      const mod = (await import(path.join(s.config.cwd, "custom-auth.mjs"))) as { count(): number };
      const before = mod.count();
      const ok = await s.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0", { headers: { "x-user": "header-user" } });
      expect(ok.status).toBe(200);
      expect(mod.count() - before).toBe(1);
      const unknown = await s.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0", { headers: { "x-user": "stranger" } });
      expect([unknown.status, ((await unknown.json()) as { message: string }).message]).toEqual([404, "User with username=stranger not found"]);
    });
    if (fn === "sync") {
      it("sends a returned Response as it is", async () => {
        const response = await s.fetch("/api/2.0/mlflow/experiments/get?experiment_id=0");
        expect([response.status, response.headers.get("www-authenticate"), await response.text()]).toEqual([401, 'Bearer error="invalid_token"', "who?"]);
      });
    }
  });
}

describe("failed logins are rate-limited per address and username", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer({ ini: { max_failed_logins: "3", failed_login_window_seconds: "60" } });
    await s.admin.createUser("target", "target-password-1");
  });
  afterAll(async () => s?.close());

  it("answers 429 with Retry-After once the limit is reached, even for the right password", async () => {
    const wrong = { Authorization: `Basic ${Buffer.from("target:wrong-password-9").toString("base64")}` };
    for (let i = 0; i < 3; i += 1) expect((await s.fetch("/api/2.0/mlflow/users/current", { headers: wrong })).status).toBe(401);
    const blocked = await s.fetch("/api/2.0/mlflow/users/current", { headers: { Authorization: `Basic ${Buffer.from("target:target-password-1").toString("base64")}` } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another username from the same address is not affected.
    expect((await s.admin.currentUser()).username).toBe("admin");
  });
});
