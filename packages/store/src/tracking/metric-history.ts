import type { Metric } from "@mlflow-ts/protocol";
import { decodePageToken, encodePageToken } from "../search/page-token.js";
import type { TrackingContext } from "./context.js";
import { toMetric, type MetricRow } from "./rows.js";

/**
 * Every logged value of one metric of a run, ordered by timestamp, step and value. An absent (or 0)
 * `maxResults` returns everything, the proto's contract; otherwise pages with offset tokens. An
 * unknown run or key gives an empty list.
 *
 * @example
 * const { metrics, next_page_token } = await getMetricHistory(ctx, runId, "loss", 25000);
 */
export async function getMetricHistory(
  ctx: TrackingContext,
  runId: string,
  key: string,
  maxResults?: number,
  pageToken?: string,
): Promise<{ metrics: Metric[]; next_page_token?: string }> {
  const offset = decodePageToken(pageToken);
  let q = ctx.database.db
    .selectFrom("metrics")
    .select(["run_uuid", "key", "value", "timestamp", "step", "is_nan"])
    .where("run_uuid", "=", runId)
    .where("key", "=", key)
    .orderBy("timestamp")
    .orderBy("step")
    .orderBy("value");
  const paged = maxResults !== undefined && maxResults > 0;
  if (paged) q = q.limit(maxResults + 1).offset(offset);
  else if (offset > 0) q = q.limit(Number.MAX_SAFE_INTEGER).offset(offset);
  const rows = (await q.execute()) as MetricRow[];
  const page = paged ? rows.slice(0, maxResults) : rows;
  const metrics = page.map((r) => toMetric(r));
  return paged && rows.length > maxResults ? { metrics, next_page_token: encodePageToken(offset + maxResults) } : { metrics };
}
