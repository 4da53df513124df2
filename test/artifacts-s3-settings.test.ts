import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startS3Store, type S3Store } from "./support/s3-store.js";
import { spawnServer } from "./support/spawn-server.js";

// Issue 21, MLflow's S3 settings read for real by `mlflow server` (the CLI hands its environment to
// the s3 repository) against s3rver: MLFLOW_S3_IGNORE_TLS with a store on https behind a
// self-signed certificate, AWS_PROFILE from a shared credentials file in a temporary HOME, and
// MLFLOW_S3_UPLOAD_EXTRA_ARGS on every kind of upload the proxy makes.

const OPENSSL = ["/usr/bin/openssl", "/bin/openssl"].find((p) => fs.existsSync(p));
if (!OPENSSL) console.warn("MLFLOW_S3_IGNORE_TLS tests skipped: no openssl to make a self-signed certificate (apt-get install -y openssl)");

// No credentials or metadata lookups from the machine running the tests leak into these servers.
const CLEAN = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_EC2_METADATA_DISABLED: "true" };

async function withServer<T>(s3: S3Store, env: Record<string, string>, use: (url: string) => Promise<T>): Promise<T> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-settings-"));
  const server = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/mlflow.db`, "--artifacts-destination", `s3://${s3.bucket}/p`], { cwd, env: { ...s3.env, ...CLEAN, ...env } });
  try {
    return await use(server.url);
  } finally {
    await server.stop();
  }
}

const stored = (s3: S3Store, relative: string) => path.join(s3.dir, s3.bucket, "p", `${relative}._S3rver_object`);

describe.skipIf(!OPENSSL)("MLFLOW_S3_IGNORE_TLS: a store on https with a self-signed certificate", () => {
  let s3: S3Store;
  let certDir: string;
  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-tls-"));
    execFileSync(OPENSSL!, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(certDir, "key.pem"), "-out", path.join(certDir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    s3 = await startS3Store({ tls: { key: path.join(certDir, "key.pem"), cert: path.join(certDir, "cert.pem") } });
    expect(s3.endpoint).toMatch(/^https:/);
  });
  afterAll(async () => {
    await s3?.close();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  const keys = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

  it("is refused without it: a JSON error naming the untrusted certificate and the ways out, nothing stored", async () => {
    await withServer(s3, keys, async (url) => {
      const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/refused.txt`, { method: "PUT", body: "x" });
      const body = (await put.json()) as { error_code: string; message: string };
      expect(put.status).toBe(500);
      expect(body.error_code).toBe("INTERNAL_ERROR");
      expect(body.message).toMatch(/TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
      expect(body.message).toMatch(/NODE_EXTRA_CA_CERTS.*MLFLOW_S3_IGNORE_TLS=true/);
      expect((await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts?path=0`)).status).toBe(500);
    });
    expect(fs.existsSync(stored(s3, "0/r/artifacts/refused.txt"))).toBe(false);
  });

  it("works with MLFLOW_S3_IGNORE_TLS=true: one PUT, a multipart upload of unknown length, download, listing", async () => {
    await withServer(s3, { ...keys, MLFLOW_S3_IGNORE_TLS: "true" }, async (url) => {
      expect((await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/a.txt`, { method: "PUT", body: "over tls" })).status).toBe(200);
      const big = new ReadableStream({ start(c) { for (let i = 0; i < 10; i += 1) c.enqueue(new Uint8Array(1024 * 1024)); c.close(); } });
      expect((await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/big.bin`, { method: "PUT", body: big, duplex: "half" } as RequestInit)).status).toBe(200);
      expect(await (await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/a.txt`)).text()).toBe("over tls");
      expect(await (await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts?path=0/r/artifacts`)).json()).toEqual({ files: [{ path: "a.txt", is_dir: false, file_size: 8 }, { path: "big.bin", is_dir: false, file_size: 10 * 1024 * 1024 }] });
    });
    expect(fs.statSync(stored(s3, "0/r/artifacts/big.bin")).size).toBe(10 * 1024 * 1024);
  });

  it("works with the certificate trusted through NODE_EXTRA_CA_CERTS, verification kept on", async () => {
    await withServer(s3, { ...keys, NODE_EXTRA_CA_CERTS: path.join(certDir, "cert.pem") }, async (url) => {
      expect((await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/ca.txt`, { method: "PUT", body: "trusted" })).status).toBe(200);
      expect(await (await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/ca.txt`)).text()).toBe("trusted");
    });
  });
});

describe("AWS_PROFILE: a profile of the shared credentials file", () => {
  let s3: S3Store;
  let home: string;
  beforeAll(async () => {
    s3 = await startS3Store();
    home = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-home-"));
    fs.mkdirSync(path.join(home, ".aws"));
    // The default profile's key is unknown to the store; the team profile's is its key.
    fs.writeFileSync(path.join(home, ".aws", "credentials"), "[default]\naws_access_key_id = NOTTHEKEY\naws_secret_access_key = not-the-secret\n\n[team]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    fs.writeFileSync(path.join(home, "elsewhere.ini"), "[ci]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
  });
  afterAll(async () => {
    await s3?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const put = (url: string, name: string) => fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/${name}`, { method: "PUT", body: name });

  it("uses the named profile of ~/.aws/credentials", async () => {
    await withServer(s3, { HOME: home, AWS_PROFILE: "team", AWS_CONFIG_FILE: path.join(home, "no-config") }, async (url) => {
      expect((await put(url, "team.txt")).status).toBe(200);
    });
    expect(fs.readFileSync(stored(s3, "0/r/artifacts/team.txt"), "utf8")).toBe("team.txt");
  });

  it("uses AWS_SHARED_CREDENTIALS_FILE when set", async () => {
    await withServer(s3, { HOME: home, AWS_PROFILE: "ci", AWS_SHARED_CREDENTIALS_FILE: path.join(home, "elsewhere.ini"), AWS_CONFIG_FILE: path.join(home, "no-config") }, async (url) => {
      expect((await put(url, "ci.txt")).status).toBe(200);
    });
    expect(fs.existsSync(stored(s3, "0/r/artifacts/ci.txt"))).toBe(true);
  });

  it("falls back to the default profile without it (refused here), and names a profile it cannot find", async () => {
    await withServer(s3, { HOME: home, AWS_CONFIG_FILE: path.join(home, "no-config") }, async (url) => {
      const answer = await put(url, "default.txt");
      const text = await answer.text();
      expect(answer.status).toBe(403);
      expect(text).toMatch(/refused the server's credentials \(InvalidAccessKeyId\).*default chain/);
      expect(text).not.toContain("not-the-secret");
    });
    await withServer(s3, { HOME: home, AWS_PROFILE: "nope", AWS_CONFIG_FILE: path.join(home, "no-config") }, async (url) => {
      const answer = await put(url, "nope.txt");
      const body = (await answer.json()) as { error_code: string; message: string };
      expect(answer.status).toBe(403);
      expect(body.error_code).toBe("PERMISSION_DENIED");
      expect(body.message).toMatch(/found no S3 credentials .*the profile 'nope' of AWS_PROFILE/);
    });
    expect(fs.existsSync(stored(s3, "0/r/artifacts/default.txt"))).toBe(false);
  });
});

describe("MLFLOW_S3_UPLOAD_EXTRA_ARGS on every upload the proxy makes", () => {
  let s3: S3Store;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3Store();
    client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  it("sets the extra parameters on a single PUT, a streamed multipart upload and MLflow's mpu endpoints", async () => {
    const extra = JSON.stringify({ Metadata: { team: "vision" }, CacheControl: "no-store" });
    const keys = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
    await withServer(s3, { ...keys, MLFLOW_S3_UPLOAD_EXTRA_ARGS: extra }, async (url) => {
      const base = `${url}/api/2.0/mlflow-artifacts`;
      expect((await fetch(`${base}/artifacts/0/r/artifacts/one.txt`, { method: "PUT", body: "one" })).status).toBe(200);
      const big = new ReadableStream({ start(c) { for (let i = 0; i < 10; i += 1) c.enqueue(new Uint8Array(1024 * 1024)); c.close(); } });
      expect((await fetch(`${base}/artifacts/0/r/artifacts/streamed.bin`, { method: "PUT", body: big, duplex: "half" } as RequestInit)).status).toBe(200);
      const created = (await (await fetch(`${base}/mpu/create/0/r/artifacts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "mpu.bin", num_parts: 1 }) })).json()) as { upload_id: string; credentials: { url: string; part_number: number }[] };
      const part = await fetch(created.credentials[0]!.url, { method: "PUT", body: "mpu" });
      expect(part.status).toBe(200);
      const completed = await fetch(`${base}/mpu/complete/0/r/artifacts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "mpu.bin", upload_id: created.upload_id, parts: [{ part_number: 1, etag: part.headers.get("etag") }] }) });
      expect(completed.status).toBe(200);
    });
    for (const name of ["one.txt", "streamed.bin", "mpu.bin"]) {
      const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `p/0/r/artifacts/${name}` }));
      expect({ name, metadata: head.Metadata, cacheControl: head.CacheControl }).toEqual({ name, metadata: { team: "vision" }, cacheControl: "no-store" });
    }
  });
});
