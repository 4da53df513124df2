import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "@mlflow-ts/cli";
import { BIN } from "../../../test/support/spawn-server.js";

// Issue 21: `--artifacts-destination s3://x` was resolved as a path, so every upload answered 200
// and landed in a local folder named "s3:". A URI stays a URI; a scheme no package serves stops
// the server before it accepts anything, naming the scheme and what to install.

describe("--artifacts-destination with a URI scheme", () => {
  it("keeps a URI as written and still resolves plain paths", () => {
    expect(resolveConfig({ env: {}, flags: { artifactsDestination: "s3://bucket/prefix" }, cwd: "/srv", isTTY: false }).artifactsDestination).toBe("s3://bucket/prefix");
    expect(resolveConfig({ env: { MLFLOW_ARTIFACTS_DESTINATION: "GS://b/p" }, flags: {}, cwd: "/srv", isTTY: false }).artifactsDestination).toBe("GS://b/p");
    expect(resolveConfig({ env: {}, flags: { artifactsDestination: "arts" }, cwd: "/srv", isTTY: false }).artifactsDestination).toBe("/srv/arts");
    expect(resolveConfig({ env: {}, flags: { artifactsDestination: "file:///data/arts" }, cwd: "/srv", isTTY: false }).artifactsDestination).toBe("file:///data/arts");
  });

  it("refuses a scheme without a repository at start-up and writes nothing", () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-dest-"));
    const result = spawnSync(process.execPath, [BIN, "server", "--port", "0", "--backend-store-uri", `sqlite:///${cwd}/m.db`, "--artifacts-destination", "gs://bucket/mlflow"], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, MLFLOW_LOG_FORMAT: "json" },
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/ERR_ARTIFACT_REPOSITORY_NOT_FOUND: No installed package declares an artifact repository for the URI scheme 'gs:'/);
    expect(result.stderr).toMatch(/docs\/writing-an-artifact-repository\.md/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing was created: no "gs:" folder, no database.
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});

describe("a served destination and a default artifact root that contain each other", () => {
  const resolve = (flags: Record<string, string | boolean>) => () => resolveConfig({ env: {}, flags, cwd: "/srv", isTTY: false });
  it("refuses them at start-up, naming both (one would own the other's files through an experiment created there)", () => {
    for (const [destination, root] of [
      ["s3://b/mlflow/proxied", "s3://b/mlflow"],
      ["s3://b/mlflow", "s3://b/mlflow/direct/"],
      ["/data/arts", "file:///data/arts/direct"],
      ["arts", "/srv/arts/x"],
    ]) {
      expect(resolve({ artifactsDestination: destination!, defaultArtifactRoot: root! }), `${destination} ${root}`).toThrow(/contains .*: the same files would belong to different experiments/);
    }
  });
  it("accepts the same location, separate ones, and either when artifacts are not served", () => {
    expect(resolve({ artifactsDestination: "s3://b/mlflow", defaultArtifactRoot: "s3://b/mlflow/" })().defaultArtifactRoot).toBe("s3://b/mlflow/");
    expect(resolve({ artifactsDestination: "s3://b/mlflow-proxied", defaultArtifactRoot: "s3://b/mlflow" })().artifactsDestination).toBe("s3://b/mlflow-proxied");
    expect(resolve({ artifactsDestination: "s3://b/mlflow/proxied", defaultArtifactRoot: "s3://b/mlflow", serveArtifacts: false })().serveArtifacts).toBe(false);
    expect(resolve({ artifactsDestination: "s3://b/mlflow/proxied" })().defaultArtifactRoot).toBe("mlflow-artifacts:/");
  });
});

