import { describe, expect, it } from "vitest";
import { defineApp } from "@mlflow-ts/plugin-api";
import { startAppServer } from "@mlflow-ts/cli";

// Issue 13: the testing helper app authors get — a real server with their app, on a temporary
// SQLite database, by factory or by installed app name.
describe("startAppServer", () => {
  it("serves an app given as a factory, with req.state typed in its own routes", async () => {
    const app = defineApp((base) => {
      base.beforeRequest((req) => {
        req.state.authorization = { username: "tester" };
      });
      base.get("/whoami", (req, res) => {
        res.json({ user: req.state.authorization?.username });
      });
    });
    const server = await startAppServer({ app });
    try {
      expect(await (await fetch(`${server.url}/whoami`)).json()).toEqual({ user: "tester" });
      expect((await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("serves an installed app by name, with its settings from env", async () => {
    const server = await startAppServer({ appName: "my-auth", env: { MY_AUTH_USERS: "alice:secret-password" } });
    try {
      expect((await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
