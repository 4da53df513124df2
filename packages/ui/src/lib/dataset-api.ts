// The evaluation-dataset endpoints the UI calls: MLflow 3's v3 API (CreateDataset's family), read
// only. Records and the dataset's tags, schema and profile travel as JSON text, decoded here.
import type { EvaluationDataset } from "@mlflow-ts/protocol";
import { request } from "./api.js";

const V3 = "ajax-api/3.0/mlflow/datasets";

/** One record of an evaluation dataset as GetDatasetRecords carries it (each field decoded JSON). */
export interface DatasetRecord {
  readonly dataset_record_id: string;
  readonly dataset_id?: string;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly outputs?: unknown;
  readonly expectations?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly source?: { readonly source_type?: string; readonly source_data?: Readonly<Record<string, unknown>> };
  readonly source_id?: string;
  readonly source_type?: string;
  readonly created_time?: number;
  readonly last_update_time?: number;
  readonly created_by?: string;
  readonly last_updated_by?: string;
}

/** A page of a dataset's records. */
export interface RecordPage {
  readonly records: readonly DatasetRecord[];
  readonly nextPageToken: string | undefined;
}

/**
 * Every evaluation dataset associated with an experiment, most recently updated first (all pages;
 * an experiment holds a handful of datasets, not thousands).
 *
 * @example
 * const datasets = await searchDatasets("1");
 */
export async function searchDatasets(experimentId: string, signal?: AbortSignal): Promise<EvaluationDataset[]> {
  const out: EvaluationDataset[] = [];
  let token: string | undefined;
  do {
    const body = { experiment_ids: [experimentId], order_by: ["last_update_time DESC"], max_results: 1000, page_token: token };
    const answer = await request<{ datasets?: EvaluationDataset[]; next_page_token?: string }>("POST", `${V3}/search`, { body, signal });
    out.push(...(answer.datasets ?? []));
    token = answer.next_page_token || undefined;
  } while (token);
  return out;
}

/**
 * One dataset (GetDataset): name, digest, schema, profile, tags.
 *
 * @example
 * const dataset = await getDataset("d-0af7…");
 */
export async function getDataset(datasetId: string, signal?: AbortSignal): Promise<EvaluationDataset> {
  const answer = await request<{ dataset?: EvaluationDataset }>("GET", `${V3}/${encodeURIComponent(datasetId)}`, { signal });
  if (!answer.dataset) throw new Error(`Dataset ${datasetId} was not found`);
  return answer.dataset;
}

/**
 * One page of a dataset's records (GetDatasetRecords), in the server's order.
 *
 * @example
 * const first = await getDatasetRecords("d-0af7…", { maxResults: 1000 });
 * const next = await getDatasetRecords("d-0af7…", { maxResults: 1000, pageToken: first.nextPageToken });
 */
export async function getDatasetRecords(datasetId: string, options: { maxResults?: number; pageToken?: string; signal?: AbortSignal } = {}): Promise<RecordPage> {
  const query = { max_results: options.maxResults ?? 1000, page_token: options.pageToken };
  const answer = await request<{ records?: string; next_page_token?: string }>("GET", `${V3}/${encodeURIComponent(datasetId)}/records`, { query, signal: options.signal });
  const records = answer.records ? (JSON.parse(answer.records) as unknown) : [];
  if (!Array.isArray(records)) throw new Error("The server's records are not a JSON list");
  return { records: records as DatasetRecord[], nextPageToken: answer.next_page_token || undefined };
}

/**
 * JSON text of an object (a dataset's `tags`, `schema`, `profile`) as the object; `undefined` when
 * absent or not an object.
 *
 * @example
 * parseJsonObject('{"num_records": 3}'); // { num_records: 3 }
 */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
