import { pbkdf2, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (password: string | Buffer, salt: string | Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);
const SALT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Hashes a password in Werkzeug's default format, `scrypt:32768:8:1$<16-char salt>$<128 hex>`,
 * so MLflow can read the database too. Runs on libuv's thread pool.
 *
 * @example
 * await hashPassword("correct horse battery"); // "scrypt:32768:8:1$…$…"
 */
export async function hashPassword(password: string): Promise<string> {
  let salt = "";
  for (let i = 0; i < 16; i += 1) salt += SALT_CHARS[randomInt(SALT_CHARS.length)];
  const key = await scryptAsync(Buffer.from(password, "utf8"), Buffer.from(salt, "utf8"), 64, { N: 32768, r: 8, p: 1, maxmem: 132 * 32768 * 8 });
  return `scrypt:32768:8:1$${salt}$${key.toString("hex")}`;
}

/**
 * Verifies a password against a Werkzeug hash: `scrypt:N:r:p$salt$hex` or
 * `pbkdf2:<digest>:<iterations>$salt$hex` (MLflow databases made by Werkzeug 2.x or 3.x), in
 * constant time. Anything else is a mismatch.
 *
 * @example
 * await verifyPassword("pw", stored); // true or false
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const first = stored.indexOf("$");
  const second = stored.indexOf("$", first + 1);
  if (first < 0 || second < 0) return false;
  const method = stored.slice(0, first);
  const salt = Buffer.from(stored.slice(first + 1, second), "utf8");
  const expected = Buffer.from(stored.slice(second + 1), "hex");
  if (expected.length === 0) return false;
  const parts = method.split(":");
  let actual: Buffer;
  try {
    if (parts[0] === "scrypt") {
      const [n, r, p] = [Number(parts[1] ?? 32768), Number(parts[2] ?? 8), Number(parts[3] ?? 1)];
      if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
      actual = await scryptAsync(Buffer.from(password, "utf8"), salt, expected.length, { N: n, r, p, maxmem: 132 * n * r * p + 1024 * 1024 });
    } else if (parts[0] === "pbkdf2") {
      const digest = parts[1] ?? "sha256";
      const iterations = Number(parts[2] ?? 600000);
      if (!Number.isInteger(iterations) || iterations <= 0 || iterations > 10_000_000) return false;
      actual = await pbkdf2Async(Buffer.from(password, "utf8"), salt, iterations, expected.length, digest);
    } else return false;
  } catch {
    return false;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
