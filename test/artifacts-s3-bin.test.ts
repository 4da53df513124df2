import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startS3Store } from "./support/s3-store.js";
import { spawnServer } from "./support/spawn-server.js";

// Issue 21, the published entry point: `mlflow server --artifacts-destination s3://bucket/prefix`
// with MLflow's variables in its environment (the CLI reads them; the S3 repository is found by
// discovery, installed with the CLI) puts uploads in the bucket, not in a local folder named "s3:".

describe("mlflow server --artifacts-destination s3://…", () => {
  it("stores proxied uploads in the bucket, configured by MLFLOW_S3_ENDPOINT_URL and AWS_*", async () => {
    const s3 = await startS3Store();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-s3-bin-"));
    const server = await spawnServer(["--backend-store-uri", `sqlite:///${cwd}/mlflow.db`, "--artifacts-destination", `s3://${s3.bucket}/from-cli`], { cwd, env: { ...s3.env } });
    try {
      const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts/hello.txt`, { method: "PUT", body: "hello bucket" });
      expect(put.status).toBe(200);
      const stored = path.join(s3.dir, s3.bucket);
      // s3rver keeps each object as a file under <dir>/<bucket>/<key>._S3rver_object.
      expect(fs.readFileSync(path.join(stored, "from-cli/0/abc/artifacts/hello.txt._S3rver_object"), "utf8")).toBe("hello bucket");
      expect(fs.existsSync(path.join(cwd, "s3:"))).toBe(false);
      expect(fs.existsSync(path.join(cwd, "mlartifacts"))).toBe(false);
      expect(await (await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts/hello.txt`)).text()).toBe("hello bucket");
    } finally {
      await server.stop();
      await s3.close();
    }
  });
});
