import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, main, resolveConfig } from "@mlflow-ts/cli";

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-cli-"));
}

describe("resolveConfig", () => {
  it("has MLflow's defaults", () => {
    const config = resolveConfig({ env: {}, flags: {}, cwd: "/srv", isTTY: false });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 5000,
      backendStoreUri: "sqlite:///mlflow.db",
      registryStoreUri: "sqlite:///mlflow.db",
      defaultArtifactRoot: "mlflow-artifacts:/",
      serveArtifacts: true,
      artifactsDestination: "/srv/mlartifacts",
      workers: 1,
      staticPrefix: "",
      logFormat: "json",
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("applies defaults < file < environment < flags", () => {
    const config = resolveConfig({
      file: { port: 6000, host: "0.0.0.0", workers: 3, staticPrefix: "/file" },
      env: { MLFLOW_PORT: "7000", MLFLOW_HOST: "10.0.0.1" },
      flags: { port: "8000" },
      cwd: "/srv",
      isTTY: true,
    });
    expect([config.port, config.host, config.workers, config.staticPrefix, config.logFormat]).toEqual([8000, "10.0.0.1", 3, "/file", "pretty"]);
  });

  it("puts local artifacts under ./mlruns when not serving artifacts", () => {
    const config = resolveConfig({ env: { MLFLOW_SERVE_ARTIFACTS: "false" }, flags: {}, cwd: "/srv", isTTY: false });
    expect(config.serveArtifacts).toBe(false);
    expect(config.defaultArtifactRoot).toBe("/srv/mlruns");
  });

  it("reports every problem at once, naming where each value came from", () => {
    let error: unknown;
    try {
      resolveConfig({
        file: { port: "abc", bogus: 1 },
        fileName: "mlflow.config.json",
        env: { MLFLOW_WORKERS: "0", MLFLOW_BACKEND_STORE_URI: "oracle://db" },
        flags: { staticPrefix: "no-slash/", logFormat: "xml" },
        cwd: "/srv",
        isTTY: false,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "CliError", code: "ERR_CONFIG_INVALID" });
    const problems = (error as { problems: string[] }).problems;
    expect(problems).toHaveLength(6);
    expect(problems.join("\n")).toMatch(/mlflow.config.json: unknown key 'bogus'/);
    expect(problems.join("\n")).toMatch(/mlflow.config.json \(port\)/);
    expect(problems.join("\n")).toMatch(/MLFLOW_WORKERS/);
    expect(problems.join("\n")).toMatch(/MLFLOW_BACKEND_STORE_URI: 'oracle:\/\/db': unsupported database scheme/);
    expect(problems.join("\n")).toMatch(/--static-prefix/);
    expect(problems.join("\n")).toMatch(/--log-format/);
  });
});

describe("config files", () => {
  it.each([
    ["mlflow.config.json", '{"port": 6100}'],
    ["mlflow.config.yaml", "port: 6100\n"],
    ["mlflow.config.mjs", "export default { port: 6100 };\n"],
    [".mlflowrc", '{"port": 6100}'],
  ])("finds %s in the working directory", async (name, content) => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, name), content);
    const found = await loadConfigFile(dir);
    expect(found?.config).toEqual({ port: 6100 });
    expect(path.basename(found!.filepath)).toBe(name);
  });

  it("reports a broken file with ERR_CONFIG_FILE and a non-zero exit", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "mlflow.config.json"), "{ nope");
    let stderr = "";
    const code = await main(["node", "mlflow", "server"], { cwd: dir, env: {}, stderr: (t) => (stderr += t), stdout: () => {} });
    expect(code).toBe(2);
    expect(stderr).toMatch(/ERR_CONFIG_FILE/);
  });

  it("exits 2 listing every invalid value", async () => {
    let stderr = "";
    const code = await main(["node", "mlflow", "server", "--port", "99999", "--workers", "x"], { cwd: tmp(), env: {}, stderr: (t) => (stderr += t), stdout: () => {} });
    expect(code).toBe(2);
    expect(stderr).toMatch(/ERR_CONFIG_INVALID/);
    expect(stderr).toMatch(/--port/);
    expect(stderr).toMatch(/--workers/);
  });
});
