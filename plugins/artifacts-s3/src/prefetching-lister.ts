import { ListObjectsV2Command, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";

/** Pages fetched ahead and not yet asked for, across all listings: bounds what prefetching holds. */
const MAX_WAITING = 16;
/** A prefetched page nobody asked for within this time is dropped. */
const KEEP_MS = 30_000;
const OPEN = Buffer.from("<NextContinuationToken>");
const CLOSE = Buffer.from("</NextContinuationToken>");
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Sends one ListObjectsV2 command (the repository's door: error mapping, options).
 *
 * @example
 * const send: SendListing = (command, input) => client.send(command).catch((e) => { throw s3Error(e, `listing ${input.Prefix}`); });
 */
export type SendListing = (command: ListObjectsV2Command, input: ListObjectsV2CommandInput) => Promise<ListObjectsV2CommandOutput>;

/**
 * One page of a listing at a time, the next one already on its way (see {@link prefetchingLister}).
 *
 * @example
 * const first: ListObjectsV2CommandOutput = await lister.page({ Bucket: "b", Prefix: "1/", Delimiter: "/" });
 */
export interface PrefetchingLister {
  /** The page of `input` (its `ContinuationToken` says which): a prefetched one when it is there. */
  page(input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput>;
  /** How many pages wait to be asked for (for tests). */
  readonly waiting: number;
}

interface Entry {
  claimed: boolean;
  /** The page's NextContinuationToken, once its body has arrived; null on the last page. */
  next: string | null | undefined;
  promise: Promise<ListObjectsV2CommandOutput>;
  timer?: NodeJS.Timeout;
}

function tokenIn(body: Buffer): string | null {
  const start = body.indexOf(OPEN);
  if (start < 0) return null;
  const end = body.indexOf(CLOSE, start);
  if (end < 0) return null;
  return body
    .toString("utf8", start + OPEN.length, end)
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => (e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? all)));
}

const keyOf = (input: ListObjectsV2CommandInput): string =>
  JSON.stringify([input.Bucket, input.Prefix, input.Delimiter, input.MaxKeys, input.ExpectedBucketOwner, input.ContinuationToken ?? null]);

/**
 * ListObjectsV2 with the next page requested as soon as the current page's bytes have arrived,
 * before the SDK has parsed them. A listing's pages are serial by nature (each needs the previous
 * page's continuation token), and the SDK's XML parsing of 1,000 keys costs about as much as the
 * store's answer on a fast store: so the token is read straight from the raw body (a middleware
 * just before the SDK's deserializer) and the next page is sent while this one is parsed. One page
 * ahead per listing, and only for a listing whose caller took the page before: a caller that
 * wants one page gets at most one extra request. Pages are shared by their parameters and token,
 * which only the same listing knows.
 *
 * @example
 * const lister = prefetchingLister((command) => client.send(command));
 * let page = await lister.page({ Bucket: "b", Prefix: "1/", Delimiter: "/" });
 * while (page.NextContinuationToken) page = await lister.page({ Bucket: "b", Prefix: "1/", Delimiter: "/", ContinuationToken: page.NextContinuationToken });
 */
export function prefetchingLister(send: SendListing): PrefetchingLister {
  const waiting = new Map<string, Entry>();

  function start(input: ListObjectsV2CommandInput, claimed: boolean): Entry {
    const entry: Entry = { claimed, next: undefined, promise: undefined as unknown as Promise<ListObjectsV2CommandOutput> };
    const command = new ListObjectsV2Command(input);
    command.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const response = result.response as { statusCode?: number; body?: unknown };
        if (response.statusCode === 200 && response.body && typeof (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === "function") {
          const chunks: Buffer[] = [];
          for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
          const body = Buffer.concat(chunks);
          // The SDK's deserializer takes bytes as well as a stream.
          response.body = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
          entry.next = tokenIn(body);
          if (entry.claimed && entry.next) prefetch(input, entry.next);
        }
        return result;
      },
      // Inside the deserializer: sees the raw response before it is parsed.
      { step: "deserialize", priority: "low", name: "mlflowTsPrefetchNextPage" },
    );
    entry.promise = send(command, input);
    return entry;
  }

  function prefetch(input: ListObjectsV2CommandInput, token: string): void {
    const nextInput = { ...input, ContinuationToken: token };
    const key = keyOf(nextInput);
    if (waiting.has(key) || waiting.size >= MAX_WAITING) return;
    const entry = start(nextInput, false);
    // A failure is its claimer's to see (awaiting still throws); nobody claiming it is no error.
    entry.promise.catch(() => {});
    entry.timer = setTimeout(() => waiting.delete(key), KEEP_MS);
    entry.timer.unref();
    waiting.set(key, entry);
  }

  return {
    page(input) {
      const key = keyOf(input);
      const entry = waiting.get(key);
      if (!entry) return start(input, true).promise;
      waiting.delete(key);
      clearTimeout(entry.timer);
      entry.claimed = true;
      if (entry.next) prefetch(input, entry.next);
      return entry.promise;
    },
    get waiting() {
      return waiting.size;
    },
  };
}
