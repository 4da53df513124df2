import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthServiceClient, createBasicAuth } from "@mlflow-ts/basic-auth";
import { openStores } from "@mlflow-ts/cli";
import { createLogger, createServer, startServer, type RunningServer } from "@mlflow-ts/server";
import { POSTGRES_URL, createTestDatabase, type TestDatabase } from "../../../test/support/backends.js";
import { testConfig } from "../../../test/support/test-server.js";

// Two replicas behind a load balancer share one PostgreSQL: a password change on one must reach the
// other's credential cache at once (LISTEN/NOTIFY), not after the cache TTL (an hour here).
describe.skipIf(!POSTGRES_URL)("two basic-auth replicas on one PostgreSQL", () => {
  let database: TestDatabase;
  const replicas: RunningServer[] = [];
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const file = path.join(database.dir, "basic_auth.ini");
    fs.writeFileSync(file, `[mlflow]\ndefault_permission = READ\ndatabase_uri = ${database.uri.replace(/%/g, "%%")}\nadmin_username = admin\nauth_cache_ttl_seconds = 3600\n`);
    for (let i = 0; i < 2; i += 1) {
      const config = testConfig(database);
      const { stores, close } = await openStores(config, { create: true });
      const app = createServer(config, stores, { logger: createLogger({ format: "json", write: () => {} }) });
      await createBasicAuth({ env: { MLFLOW_AUTH_CONFIG_PATH: file, MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123" }, print: () => {} })(app);
      replicas.push(await startServer(app, { host: "127.0.0.1", port: 0, onClose: close }));
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await database?.drop();
  });

  it("sees a password change, an admin change and a deletion made on the other replica at once", async () => {
    const [a, b] = replicas.map((r) => r.url) as [string, string];
    await new AuthServiceClient(a, { username: "admin", password: "admin-password-123" }).createUser("roamer", "roamer-password-1");
    const onB = new AuthServiceClient(b, { username: "roamer", password: "roamer-password-1" });
    expect((await onB.currentUser()).username).toBe("roamer"); // now cached on B
    await new AuthServiceClient(a, { username: "roamer", password: "roamer-password-1" }).updateUserPassword("roamer", "roamer-password-2");
    const waitFor = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 2000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error("the other replica did not see the change within 2 s");
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitFor(async () => (await onB.currentUser().then(() => 200, (e: { status: number }) => e.status)) === 401);
    const onB2 = new AuthServiceClient(b, { username: "roamer", password: "roamer-password-2" });
    expect((await onB2.currentUser()).is_admin).toBe(false);
    await new AuthServiceClient(a, { username: "admin", password: "admin-password-123" }).updateUserAdmin("roamer", true);
    await waitFor(async () => (await onB2.currentUser()).is_admin);
    await new AuthServiceClient(a, { username: "admin", password: "admin-password-123" }).updateUserAdmin("roamer", false);
    await new AuthServiceClient(a, { username: "admin", password: "admin-password-123" }).deleteUser("roamer");
    await waitFor(async () => (await onB2.currentUser().then(() => 200, (e: { status: number }) => e.status)) === 401);
  });

  it("sees a grant revoked on the other replica at once", async () => {
    const [a, b] = replicas.map((r) => r.url) as [string, string];
    const admin = new AuthServiceClient(a, { username: "admin", password: "admin-password-123" });
    await admin.createUser("grantee", "grantee-password-1");
    const id = (await admin.request<{ experiment_id: string }>("POST", "/api/2.0/mlflow/experiments/create", { name: "revoked" })).experiment_id;
    await admin.createExperimentPermission(id, "grantee", "EDIT");
    const onB = new AuthServiceClient(b, { username: "grantee", password: "grantee-password-1" });
    const tag = () => onB.request("POST", "/api/2.0/mlflow/experiments/set-experiment-tag", { experiment_id: id, key: "k", value: "v" }).then(() => 200, (e: { status: number }) => e.status);
    expect(await tag()).toBe(200); // cached on B
    await admin.deleteExperimentPermission(id, "grantee");
    const deadline = Date.now() + 2000;
    while ((await tag()) !== 403) {
      if (Date.now() > deadline) throw new Error("replica B still allows a revoked grant");
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
