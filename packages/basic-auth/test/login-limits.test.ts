import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HashGate, LoginLimiter } from "@mlflow-ts/basic-auth";
import { startAuthServer, type AuthServer } from "./auth-server.js";

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("login limiting cannot lock the real user out (issue 9, item 8)", () => {
  let s: AuthServer;
  beforeAll(async () => {
    // No credential cache: every request is a real login, as after the cache's TTL.
    s = await startAuthServer({
      ini: { max_failed_logins: "3", max_failed_logins_per_address: "8", failed_login_window_seconds: "60", auth_cache_ttl_seconds: "0", trusted_proxies: "loopback" },
    });
    await s.admin.createUser("victim", "victim-password-1");
    await s.admin.createUser("newcomer", "newcomer-password-1");
  });
  afterAll(async () => s?.close());
  const current = (headers: Record<string, string>) => s.fetch("/api/2.0/mlflow/users/current", { headers });

  it("admits a user whose password already worked, however many wrong tries others make under their name", async () => {
    const right = { ...basic("victim", "victim-password-1"), "X-Forwarded-For": "198.51.100.1" };
    expect((await current(right)).status).toBe(200);
    // An attacker behind the same address (a NAT, the same proxy) keeps failing as "victim".
    const wrong = { ...basic("victim", "guess-guess-guess"), "X-Forwarded-For": "198.51.100.1" };
    for (let i = 0; i < 3; i += 1) expect((await current(wrong)).status).toBe(401);
    expect((await current(wrong)).status).toBe(429);
    // The real user, with the password that worked before, is still let in.
    expect((await current(right)).status).toBe(200);
    // And the attacker is still limited.
    expect((await current(wrong)).status).toBe(429);
  });

  it("limits a client address, not everyone behind the proxy (X-Forwarded-For from a trusted proxy)", async () => {
    const attacker = "203.0.113.7";
    for (let i = 0; i < 3; i += 1) expect((await current({ ...basic("newcomer", "nope-nope-nope"), "X-Forwarded-For": attacker })).status).toBe(401);
    expect((await current({ ...basic("newcomer", "newcomer-password-1"), "X-Forwarded-For": attacker })).status).toBe(429);
    // The same user from another client address, signing in for the first time, is not limited.
    expect((await current({ ...basic("newcomer", "newcomer-password-1"), "X-Forwarded-For": "203.0.113.8" })).status).toBe(200);
  });

  it("limits an address that tries many usernames", async () => {
    const flood = "192.0.2.50";
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await current({ ...basic(`random-${i}`, "whatever-whatever"), "X-Forwarded-For": flood })).status);
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses.slice(8)).toEqual([429, 429]);
    const limited = await current({ ...basic("admin-ish", "x-x-x-x-x-x"), "X-Forwarded-For": flood });
    expect([limited.status, Number(limited.headers.get("retry-after")) > 0]).toEqual([429, true]);
  });
});

describe("X-Forwarded-For is ignored unless the connection comes from a trusted proxy", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer({ ini: { max_failed_logins: "2", failed_login_window_seconds: "60", auth_cache_ttl_seconds: "0" } });
    await s.admin.createUser("someone", "someone-password-1");
  });
  afterAll(async () => s?.close());

  it("does not let a client choose the address it is limited under", async () => {
    const wrong = basic("someone", "wrong-wrong-wrong");
    for (let i = 0; i < 2; i += 1) expect((await s.fetch("/api/2.0/mlflow/users/current", { headers: { ...wrong, "X-Forwarded-For": `10.9.9.${i}` } })).status).toBe(401);
    expect((await s.fetch("/api/2.0/mlflow/users/current", { headers: { ...wrong, "X-Forwarded-For": "10.9.9.99" } })).status).toBe(429);
  });
});

describe("concurrent password checks are bounded", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer({ ini: { max_concurrent_logins: "2", login_queue: "4", max_failed_logins_per_address: "1000", auth_cache_ttl_seconds: "60" } });
    await s.admin.createUser("busy", "busy-password-123");
  });
  afterAll(async () => s?.close());

  it("refuses the excess of a flood quickly while cached and proven callers get through", async () => {
    const cached = basic("busy", "busy-password-123");
    expect((await s.fetch("/api/2.0/mlflow/users/current", { headers: cached })).status).toBe(200);
    const started = Date.now();
    const flood = Array.from({ length: 40 }, (_, i) =>
      s.fetch("/api/2.0/mlflow/users/current", { headers: basic(`flood-${i}`, "flood-password-1") }).then((r) => ({ status: r.status, ms: Date.now() - started })),
    );
    // During the flood a caller whose header was verified before answers from the cache.
    const during = await s.fetch("/api/2.0/mlflow/users/current", { headers: cached });
    const duringMs = Date.now() - started;
    const results = await Promise.all(flood);
    const refused = results.filter((r) => r.status === 429);
    const checked = results.filter((r) => r.status === 401);
    expect(during.status).toBe(200);
    // At most 2 running + 4 waiting password checks; the rest refused. On a loaded machine the 40
    // requests take longer to arrive than a check (~50 ms) takes to finish, and a freed slot then
    // admits a late arrival: a few more than 6 may be checked, never the flood (seen: 7 of 40).
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(refused.length).toBe(40 - checked.length);
    // Neither the refusals nor the cached caller waited behind the KDF: they came back before the
    // last check that ran.
    const lastCheck = Math.max(...checked.map((r) => r.ms));
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(lastCheck);
    expect(duringMs).toBeLessThan(lastCheck);
  });
});

describe("LoginLimiter and HashGate", () => {
  it("counts per (address, user) and per address in a sliding window", () => {
    let now = 0;
    const limiter = new LoginLimiter({ perUser: 2, perAddress: 3, windowMs: 10_000 }, () => now);
    limiter.fail("a", "u");
    limiter.fail("a", "u");
    expect(limiter.blockedFor("a", "u")).toBe(10);
    expect(limiter.blockedFor("b", "u")).toBe(0);
    expect(limiter.blockedFor("a", "v")).toBe(0);
    limiter.fail("a", "v");
    expect(limiter.blockedFor("a", "w")).toBe(10);
    now = 10_001;
    expect(limiter.blockedFor("a", "u")).toBe(0);
    limiter.fail("a", "u");
    limiter.succeed("a", "u");
    expect(limiter.blockedFor("a", "u")).toBe(0);
  });

  it("runs at most `concurrency` checks, queues a bounded number, and lets priority through", async () => {
    const gate = new HashGate(1, 1);
    let release!: () => void;
    const first = gate.run(() => new Promise<string>((r) => (release = () => r("first"))), false);
    const queued = gate.run(async () => "queued", false);
    expect(gate.run(async () => "refused", false)).toBeUndefined();
    const urgent = gate.run(async () => "urgent", true);
    expect(urgent).toBeDefined();
    const order: string[] = [];
    void urgent!.then((v) => order.push(v));
    void queued!.then((v) => order.push(v));
    release();
    expect(await first).toBe("first");
    await queued;
    expect(order).toEqual(["urgent", "queued"]);
  });
});
