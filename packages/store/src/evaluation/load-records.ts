import { invalidParameter, notFound } from "@mlflow-ts/protocol";
import type { TrackingContext } from "../tracking/context.js";
import { findDataset } from "./datasets.js";
import { columnText, jsonColumn } from "./dataset-records.js";
import { isPyObject, parsePyJson, pyDumps } from "./py-json-value.js";

const DEFAULT_PAGE = 1000;
/** The most records one page may hold (MLflow sets no bound; 50,000 is its search maximum). */
export const MAX_RECORDS_PAGE = 50000;

/** A page token: MLflow's cursor (base64 of `<created_time>:<record id>`), or a bare offset as MLflow also accepts. */
function readToken(token: string): { time: number; id: string } | { offset: number } {
  if (token.length <= 1024) {
    const decoded = Buffer.from(token, "base64").toString("utf8");
    const m = /^(-?\d{1,18}):(.+)$/s.exec(decoded);
    if (m) return { time: Number(m[1]), id: m[2]! };
    if (/^\d{1,15}$/.test(token)) return { offset: Number(token) };
  }
  throw invalidParameter(`Invalid page token '${token.slice(0, 100)}'`);
}

const str = (s: string) => pyDumps(s);
const WRAPPED_PREFIX = '{"mlflow_wrapped": ';

/** Stored JSON text as a member of the answer: spliced when it is there, `fallback` when absent or JSON null. */
function spliced(value: unknown, fallback: string | undefined): string | undefined {
  const text = columnText(value)?.trim();
  if (text === undefined || text === "" || text === "null") return fallback;
  return text;
}

/**
 * MLflow's GetDatasetRecords: a page of a dataset's records ordered by creation time and ID, as
 * the JSON text MLflow sends (`json.dumps` of each record's `to_dict()`: proto field order, outputs
 * unwrapped, the source's type beside it), with a cursor for the next page. 404 for an unknown
 * dataset.
 *
 * @example
 * const { records, next_page_token } = await loadDatasetRecords(ctx, "d-…", { maxResults: 100 });
 */
export async function loadDatasetRecords(
  ctx: TrackingContext,
  datasetId: string,
  input: { maxResults?: number; pageToken?: string },
): Promise<{ records: string; next_page_token?: string }> {
  const max = input.maxResults || DEFAULT_PAGE;
  if (max < 1 || max > MAX_RECORDS_PAGE) throw invalidParameter(`Invalid value ${max} for parameter 'max_results' supplied. It must be at most ${MAX_RECORDS_PAGE} and at least 1`);
  const db = ctx.database.db;
  const dialect = ctx.database.dialect;
  const withOutputs = ctx.schema.atLeast("3da73c924c2f");
  if (!(await findDataset(db, datasetId))) throw notFound(`Could not find evaluation dataset with ID ${datasetId}`);
  let q = db
    .selectFrom("evaluation_dataset_records")
    .select(["dataset_record_id", "dataset_id", "source_id", "created_time", "last_update_time", "created_by", "last_updated_by"])
    .select([jsonColumn(db, dialect, "inputs"), jsonColumn(db, dialect, "expectations"), jsonColumn(db, dialect, "tags"), jsonColumn(db, dialect, "source"), ...(withOutputs ? [jsonColumn(db, dialect, "outputs")] : [])])
    .where("dataset_id", "=", datasetId)
    .orderBy("created_time")
    .orderBy("dataset_record_id");
  if (input.pageToken) {
    const token = readToken(input.pageToken);
    if ("offset" in token) q = q.offset(token.offset);
    else q = q.where((eb) => eb.or([eb("created_time", ">", token.time), eb.and([eb("created_time", "=", token.time), eb("dataset_record_id", ">", token.id)])]));
  }
  const rows = (await q.limit(max + 1).execute()) as Record<string, unknown>[];
  const page = rows.slice(0, max);
  const parts = page.map((r) => {
    const fields: string[] = [`"dataset_record_id": ${str(r.dataset_record_id as string)}`, `"dataset_id": ${str(r.dataset_id as string)}`, `"inputs": ${spliced(r.inputs, "{}")}`];
    const expectations = spliced(r.expectations, undefined);
    if (expectations !== undefined) fields.push(`"expectations": ${expectations}`);
    fields.push(`"tags": ${spliced(r.tags, "{}")}`);
    const sourceText = spliced(r.source, undefined);
    let sourceType: string | undefined;
    if (sourceText !== undefined) {
      const source = parsePyJson(sourceText, "source");
      if (isPyObject(source) && typeof source.get("source_type") === "string") sourceType = source.get("source_type") as string;
      fields.push(`"source": ${sourceText}`);
    }
    if (r.source_id !== null && r.source_id !== undefined) fields.push(`"source_id": ${str(r.source_id as string)}`);
    if (sourceType !== undefined) fields.push(`"source_type": ${str(sourceType)}`);
    fields.push(`"created_time": ${Number(r.created_time ?? 0)}`, `"last_update_time": ${Number(r.last_update_time ?? 0)}`);
    if (r.created_by !== null && r.created_by !== undefined) fields.push(`"created_by": ${str(r.created_by as string)}`);
    if (r.last_updated_by !== null && r.last_updated_by !== undefined) fields.push(`"last_updated_by": ${str(r.last_updated_by as string)}`);
    const outputsText = withOutputs ? spliced(r.outputs, undefined) : undefined;
    if (outputsText !== undefined && outputsText.startsWith(WRAPPED_PREFIX) && outputsText.endsWith("}")) {
      // As json.dumps wrote it (MLflow or this server): the wrapped value is the rest of the text.
      const inner = outputsText.slice(WRAPPED_PREFIX.length, -1);
      if (inner !== "null") fields.push(`"outputs": ${inner}`);
    } else if (outputsText !== undefined) {
      const outputs = parsePyJson(outputsText, "outputs");
      const inner = isPyObject(outputs) && outputs.size > 0 ? outputs.get("mlflow_wrapped") : undefined;
      if (inner !== undefined && inner !== null) fields.push(`"outputs": ${pyDumps(inner)}`);
    }
    return `{${fields.join(", ")}}`;
  });
  const last = page[page.length - 1];
  return {
    records: `[${parts.join(", ")}]`,
    ...(rows.length > max && last ? { next_page_token: Buffer.from(`${Number(last.created_time)}:${last.dataset_record_id as string}`).toString("base64") } : {}),
  };
}
