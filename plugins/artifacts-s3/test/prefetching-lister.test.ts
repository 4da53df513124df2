import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListObjectsV2Command, PutObjectCommand, S3Client, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { prefetchingLister } from "@mlflow-ts/artifacts-s3";
import { startS3Store, type S3Store } from "../../../test/support/s3-store.js";

// A listing's next page is requested as soon as the current page's bytes have arrived (its token
// read from the raw body), one page ahead and only for a caller that walks on: against s3rver with
// the real SDK, pages of 100 keys.

describe("prefetchingLister", () => {
  let s3: S3Store;
  let client: S3Client;
  const input = () => ({ Bucket: s3.bucket, Prefix: "d/", Delimiter: "/", MaxKeys: 100 });
  beforeAll(async () => {
    s3 = await startS3Store();
    client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    for (let i = 0; i < 250; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `d/k${String(i + j).padStart(3, "0")}`, Body: "x" }))));
    }
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  function counted() {
    const sent: Promise<unknown>[] = [];
    const lister = prefetchingLister((command) => {
      const promise = client.send(command);
      sent.push(promise);
      return promise;
    });
    return { lister, sent };
  }

  it("sends the next page before the caller asks for it, and answers the caller with it", async () => {
    const { lister, sent } = counted();
    const first = await lister.page(input());
    // Page 2 went out while page 1 was still being parsed.
    expect(sent.length).toBe(2);
    expect(lister.waiting).toBe(1);
    const keys = [...(first.Contents ?? []).map((o) => o.Key)];
    let page: ListObjectsV2CommandOutput = first;
    while (page.NextContinuationToken) {
      const expected = await client.send(new ListObjectsV2Command({ ...input(), ContinuationToken: page.NextContinuationToken }));
      page = await lister.page({ ...input(), ContinuationToken: page.NextContinuationToken });
      expect(page.Contents?.map((o) => o.Key)).toEqual(expected.Contents?.map((o) => o.Key));
      keys.push(...(page.Contents ?? []).map((o) => o.Key));
    }
    await Promise.allSettled(sent);
    // Three pages, three requests: every prefetched page was the one asked for next.
    expect(sent.length).toBe(3);
    expect(lister.waiting).toBe(0);
    expect(keys).toEqual(Array.from({ length: 250 }, (_, i) => `d/k${String(i).padStart(3, "0")}`));
  });

  it("fetches at most one page ahead for a caller that wants one page", async () => {
    const { lister, sent } = counted();
    await lister.page(input());
    // Page 2's own body has arrived once its promise settles: a chained prefetch would be sent by then.
    await Promise.allSettled(sent);
    expect(sent.length).toBe(2);
    expect(lister.waiting).toBe(1);
  });

  it("hands a failed prefetch's error to the caller that asks for that page", async () => {
    const { lister } = counted();
    const first = await lister.page(input());
    await s3.stop();
    try {
      // The prefetched page may have arrived before the store stopped; the one after cannot.
      let failure: unknown;
      let token = first.NextContinuationToken;
      try {
        while (token) token = (await lister.page({ ...input(), ContinuationToken: token })).NextContinuationToken;
      } catch (error) {
        failure = error;
      }
      expect((failure as { code?: string } | undefined)?.code).toBe("ECONNREFUSED");
    } finally {
      await s3.start();
    }
  });
});
