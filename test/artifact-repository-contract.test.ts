import { describe, expect, expectTypeOf, it } from "vitest";
import { artifactScheme, type ArtifactRepository, type ArtifactRepositoryClass, type ArtifactStore } from "@mlflow-ts/plugin-api";
import { FileArtifactRepository } from "@mlflow-ts/store";
import { S3ArtifactRepository } from "@mlflow-ts/artifacts-s3";
import { repositoryArtifactStore } from "@mlflow-ts/server";

// The artifact-repository contract, locked: the built-in `file` repository and the S3 one satisfy
// it by type (checked by `tsc -p tsconfig.test.json`), classes fit what an entry point exports, and
// the scheme of a location is read as MLflow reads it.

describe("the ArtifactRepository contract", () => {
  it("is met by the file and s3 repositories, and a class is what an entry point exports", () => {
    expectTypeOf<FileArtifactRepository>().toMatchTypeOf<ArtifactRepository>();
    expectTypeOf<S3ArtifactRepository>().toMatchTypeOf<ArtifactRepository>();
    expectTypeOf(S3ArtifactRepository).toMatchTypeOf<ArtifactRepositoryClass>();
    expectTypeOf(repositoryArtifactStore).returns.toEqualTypeOf<ArtifactStore>();
    expectTypeOf<ArtifactRepository["multipart"]>().toEqualTypeOf<import("@mlflow-ts/plugin-api").MultipartUploads | undefined>();
    // file has no multipart: the proxy's mpu endpoints answer MLflow's 501 for it.
    const store = repositoryArtifactStore(new FileArtifactRepository("/tmp/x", { cwd: "/" }));
    expect(store.multipart).toBeUndefined();
    expect(store.presignRead).toBeUndefined();
    const s3 = repositoryArtifactStore(new S3ArtifactRepository("s3://b/p", { env: {}, cwd: "/" }));
    expect(typeof s3.multipart?.create).toBe("function");
    expect(typeof s3.presignRead).toBe("function");
  });

  it("reads a location's scheme as MLflow does", () => {
    expect(artifactScheme("s3://bucket/prefix")).toBe("s3");
    expect(artifactScheme("S3://bucket")).toBe("s3");
    expect(artifactScheme("mlflow-artifacts:/1")).toBe("mlflow-artifacts");
    expect(artifactScheme("./mlartifacts")).toBe("file");
    expect(artifactScheme("/srv/artifacts")).toBe("file");
    expect(artifactScheme("file:///srv/artifacts")).toBe("file");
    expect(artifactScheme("C:\\artifacts")).toBe("file");
    expect(artifactScheme("C:/artifacts")).toBe("file");
    expect(artifactScheme("gs://b/p")).toBe("gs");
  });

  it("refuses a URI that is not s3://bucket", () => {
    expect(() => new S3ArtifactRepository("s3:///nobucket", { env: {}, cwd: "/" })).toThrow(/is not an S3 URI/);
    expect(new S3ArtifactRepository("s3://bucket/a/b/", { env: {}, cwd: "/" }).prefix).toBe("a/b");
    expect(new S3ArtifactRepository("s3://bucket", { env: {}, cwd: "/" }).key("1/x")).toBe("1/x");
  });
});
