// oidc-auth benchmark (issue #12): log-metric with a cached Bearer access token from a real OpenID
// Provider (oidc-provider, client credentials), 16 keep-alive connections, against the same server
// without auth, measured in alternating rounds of the same run; printed beside basic-auth's ratio.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { load, report, startServer } from "./lib.js";

async function startIdp() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: "robot", client_secret: "robot-secret", grant_types: ["client_credentials"], response_types: [], redirect_uris: [] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "k1", use: "sig", alg: "RS256" }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => "http://mlflow",
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({ scope: "openid", audience: "mlflow", accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }),
      },
    },
  });
  server.on("request", provider.callback());
  const token = async () => {
    const response = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from("robot:robot-secret").toString("base64")}` },
      body: "grant_type=client_credentials&scope=openid&resource=http%3A%2F%2Fmlflow",
    });
    return (await response.json()).access_token;
  };
  return { issuer, token, close: () => new Promise((r) => server.close(r)) };
}

async function call(url, method, p, body, token) {
  const response = await fetch(`${url}${p}`, { method, headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${p}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export async function benchOidcAuth(basicAuthRatio) {
  console.log("\n# oidc-auth (issue #12)  baseline: the same server without auth, same run; identical requests (Bearer token) to both");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-oidc-"));
  const idp = await startIdp();
  try {
    const token = await idp.token();
    const authed = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "authed.db")}`, "--app-name", "oidc-auth"], {
      cwd: dir,
      env: {
        MLFLOW_OIDC_ISSUER: idp.issuer,
        MLFLOW_OIDC_CLIENT_ID: "mlflow",
        MLFLOW_OIDC_REDIRECT_URL: "http://127.0.0.1/oidc/callback",
        MLFLOW_OIDC_AUDIENCE: "mlflow",
        MLFLOW_OIDC_ALLOW_INSECURE_HTTP: "true",
        MLFLOW_OIDC_SESSION_SECRET: "bench-session-secret-of-at-least-32-chars",
        MLFLOW_OIDC_DATABASE_URI: `sqlite:///${path.join(dir, "auth.db")}`,
      },
    });
    const plain = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "plain.db")}`], { cwd: dir });
    const plainRates = [];
    const authRates = [];
    try {
      const runOf = async (url) => (await call(url, "POST", "/api/2.0/mlflow/runs/create", { experiment_id: (await call(url, "POST", "/api/2.0/mlflow/experiments/create", { name: `bench-${Date.now()}` }, token)).experiment_id }, token)).run.info.run_id;
      const plainRun = await runOf(plain.url);
      const authRun = await runOf(authed.url);
      let step = 0;
      const rate = async (url, runId) => {
        const result = await load({
          url,
          connections: 16,
          duration: 3,
          path: "/api/2.0/mlflow/runs/log-metric",
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` }, body: JSON.stringify({ run_id: runId, key: "m", value: Math.random(), timestamp: Date.now(), step: step++ }) }),
        });
        if (result.non2xx || result.errors) throw new Error(`log-metric had ${result.non2xx} non-2xx and ${result.errors} errors`);
        return result.requests.average;
      };
      await rate(plain.url, plainRun);
      await rate(authed.url, authRun);
      for (let round = 0; round < 5; round += 1) {
        if (round % 2 === 0) {
          plainRates.push(await rate(plain.url, plainRun));
          authRates.push(await rate(authed.url, authRun));
        } else {
          authRates.push(await rate(authed.url, authRun));
          plainRates.push(await rate(plain.url, plainRun));
        }
      }
    } finally {
      await authed.stop();
      await plain.stop();
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    report("log-metric @16, no auth (req/s, median of 5 rounds)", median(plainRates), "req/s", undefined, "baseline");
    report("log-metric @16, oidc-auth with a cached Bearer token (median of 5)", median(authRates), "req/s");
    report("oidc-auth / no auth", median(authRates) / median(plainRates), "x", [">=", 0.9], `basic-auth / no auth in this run: ${basicAuthRatio === undefined ? "not measured" : basicAuthRatio.toFixed(2)}`);
  } finally {
    await idp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
