import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createBasicAuth } from "@mlflow-ts/basic-auth";
import { main, resolveConfig } from "@mlflow-ts/cli";
import { uiDirectory } from "@mlflow-ts/ui";
import { startTestServer } from "../../../test/support/test-server.js";

// Issue 19, item 3: a static prefix that overlaps a built-in route (`/static`, MLflow's open
// prefix, or `/api`, …) is refused at start-up with the reason, like any other configuration
// problem; one that merely starts with the same letters (`/static-mlflow`) is an ordinary prefix.

const prefixProblem = (staticPrefix: string): string | undefined => {
  try {
    resolveConfig({ env: {}, flags: { staticPrefix }, cwd: "/srv", isTTY: false });
    return undefined;
  } catch (error) {
    expect(error).toMatchObject({ name: "CliError", code: "ERR_CONFIG_INVALID" });
    return (error as { problems: string[] }).problems.join("\n");
  }
};

describe("--static-prefix", () => {
  it.each(["/static", "/api"])("mlflow server --static-prefix %s exits 2 naming the problem", async (prefix) => {
    let stderr = "";
    const code = await main(["node", "mlflow", "server", "--port", "0", "--static-prefix", prefix], { cwd: fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-cli-")), env: {}, stderr: (t) => (stderr += t), stdout: () => {} });
    expect(code).toBe(2);
    expect(stderr).toMatch(/ERR_CONFIG_INVALID/);
    expect(stderr).toContain(`--static-prefix: '${prefix}' starts with '${prefix.slice(1)}', the first segment of a built-in route`);
  });

  it("is refused from the environment and the config file too, each named", () => {
    let problems: string[] = [];
    try {
      resolveConfig({ file: { staticPrefix: "/health" }, fileName: "mlflow.config.json", env: {}, flags: {}, cwd: "/srv", isTTY: false });
    } catch (error) {
      problems = (error as { problems: string[] }).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^mlflow\.config\.json \(staticPrefix\): '\/health' starts with 'health'/)]);
    expect(prefixProblem("/ajax-api/x")).toMatch(/first segment of a built-in route/);
    try {
      resolveConfig({ env: { MLFLOW_STATIC_PREFIX: "/static-files" }, flags: {}, cwd: "/srv", isTTY: false });
      expect.unreachable();
    } catch (error) {
      expect((error as { problems: string[] }).problems.join()).toMatch(/^MLFLOW_STATIC_PREFIX: '\/static-files' starts with/);
    }
  });

  it("accepts prefixes that only share letters with a built-in route, and nested ones", () => {
    for (const prefix of ["", "/static-mlflow", "/staticfoo", "/mlflow", "/team-a/mlflow", "/v1.2_x~y", "/mlflow/static", "/apis"]) {
      expect({ prefix, problem: prefixProblem(prefix) }).toEqual({ prefix, problem: undefined });
    }
  });

  it("refuses what is not a plain path, and built-in first segments in any case", () => {
    const refused: [string, RegExp][] = [
      ["static", /must start with '\/'/],
      ["/mlflow/", /must not end with '\/'/],
      ["/", /must not end with '\/'/],
      ["/a//b", /empty, '\.' or '\.\.' segment/],
      ["/a/../static", /empty, '\.' or '\.\.' segment/],
      ["/.", /empty, '\.' or '\.\.' segment/],
      ["/:team", /segment ':team' may hold only/],
      ["/ml flow", /may hold only/],
      ["/ml%2fflow", /may hold only/],
      ["/mlflow*", /may hold only/],
      ["/Static", /first segment of a built-in route/],
      ["/API/v2", /first segment of a built-in route/],
      ["/favicon.ico", /first segment of a built-in route/],
    ];
    for (const [prefix, why] of refused) expect({ prefix, problem: prefixProblem(prefix) }).toEqual({ prefix, problem: expect.stringMatching(why) });
  });

  it("refuses the first segment of every route the server mounts without a prefix (base, UI, metrics, basic-auth)", async () => {
    const metricsDir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-metrics-"));
    const server = await startTestServer({
      config: { exposePrometheus: metricsDir },
      webUi: { directory: uiDirectory },
      configure: async (app) => {
        const ini = path.join(app.context.config.cwd, "basic_auth.ini");
        fs.writeFileSync(ini, `[mlflow]\ndefault_permission = READ\ndatabase_uri = ${app.context.config.backendStoreUri}\nadmin_username = admin\n`);
        await createBasicAuth({ env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_AUTH_ADMIN_PASSWORD: "admin-password-123" }, print: () => {} })(app);
      },
    });
    try {
      const roots = new Set(server.app.listRoutes().map((r) => r.path.split("/")[1]!).filter(Boolean));
      expect(roots.size).toBeGreaterThan(8);
      for (const root of roots) expect({ root, problem: prefixProblem(`/${root}`) }).toEqual({ root, problem: expect.stringMatching(/first segment of a built-in route/) });
    } finally {
      await server.close();
      fs.rmSync(metricsDir, { recursive: true, force: true });
    }
  });
});
