import { describe, expect, it } from "vitest";
import { CredentialCache } from "../src/credential-cache.js";

const alice = { id: 1, username: "alice", passwordHash: "x", isAdmin: false };
const bob = { id: 2, username: "bob", passwordHash: "y", isAdmin: true };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("CredentialCache", () => {
  it("admits only the exact header that was verified, until the TTL ends", () => {
    let now = 1_000;
    const cache = new CredentialCache(60_000, 10, () => now);
    cache.set(basic("alice", "right-password"), "alice", alice);
    expect(cache.get(basic("alice", "right-password"))).toMatchObject({ username: "alice", user: alice });
    expect(cache.get(basic("alice", "wrong-password"))).toBeUndefined();
    expect(cache.get(basic("alicf", "right-password"))).toBeUndefined();
    now += 60_000;
    expect(cache.get(basic("alice", "right-password"))).toBeUndefined();
  });

  it("forgets every header of one user, and only that user's", () => {
    const cache = new CredentialCache(60_000);
    cache.set(basic("alice", "one-password"), "alice", alice);
    cache.set(`basic ${basic("alice", "one-password").slice(6)}`, "alice", alice);
    cache.set(basic("bob", "bob-password"), "bob", bob);
    cache.invalidate("alice");
    expect(cache.get(basic("alice", "one-password"))).toBeUndefined();
    expect(cache.get(`basic ${basic("alice", "one-password").slice(6)}`)).toBeUndefined();
    expect(cache.get(basic("bob", "bob-password"))?.user).toBe(bob);
    cache.invalidate();
    expect(cache.get(basic("bob", "bob-password"))).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the oldest, and nothing with a TTL of 0", () => {
    const cache = new CredentialCache(60_000, 2);
    cache.set(basic("u1", "p"), "u1", alice);
    cache.set(basic("u2", "p"), "u2", alice);
    cache.set(basic("u3", "p"), "u3", alice);
    expect(cache.get(basic("u1", "p"))).toBeUndefined();
    expect(cache.get(basic("u3", "p"))?.username).toBe("u3");
    const off = new CredentialCache(0);
    off.set(basic("alice", "p"), "alice", alice);
    expect(off.get(basic("alice", "p"))).toBeUndefined();
  });
});
