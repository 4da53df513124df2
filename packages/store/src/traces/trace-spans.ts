import type { SpanContent } from "@mlflow-ts/protocol";
import { sql } from "kysely";
import type { TrackingContext } from "../tracking/context.js";
import { chunk } from "../tracking/context.js";
import { loadTraces } from "./trace-rows.js";
import { parseSpanJson } from "./py-json.js";

/** A trace with the spans the database holds for it (none: `spans` undefined). */
export interface TraceWithSpans {
  readonly info: Awaited<ReturnType<typeof loadTraces>>[number];
  readonly spans?: SpanContent[];
}

/**
 * Traces in the order asked, each with its stored spans, root first and then by start time, as
 * MLflow orders them; unknown IDs are left out. Spans are read from `spans.content`.
 *
 * @example
 * const [trace] = await getTraces(ctx, ["tr-…"]);
 * trace.spans?.length;
 */
export async function getTraces(ctx: TrackingContext, ids: readonly string[]): Promise<TraceWithSpans[]> {
  const infos = await loadTraces(ctx, ids);
  if (infos.length === 0 || !ctx.schema.atLeast("a1b2c3d4e5f6")) return infos.map((info) => ({ info }));
  const spans = new Map<string, SpanContent[]>();
  for (const part of chunk(infos.map((i) => i.trace_id), 200)) {
    const rows = (await ctx.database.db
      .selectFrom("spans")
      .select(["trace_id", "content"])
      .where("trace_id", "in", part)
      .orderBy("trace_id")
      .orderBy(sql`case when parent_span_id is null then 0 else 1 end`)
      .orderBy("start_time_unix_nano")
      // Spans started in the same clock tick: one order on every dialect.
      .orderBy("span_id")
      .execute()) as { trace_id: string; content: string }[];
    for (const row of rows) {
      let list = spans.get(row.trace_id);
      if (!list) spans.set(row.trace_id, (list = []));
      list.push(parseSpanJson(row.content) as SpanContent);
    }
  }
  return infos.map((info) => {
    const list = spans.get(info.trace_id);
    return list ? { info, spans: list } : { info };
  });
}
