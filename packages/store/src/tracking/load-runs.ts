import type { DatasetInput, KeyValue, Metric, Run } from "@mlflow-ts/protocol";
import { chunk, type TrackingContext } from "./context.js";
import { toMetric, toRunInfo, type MetricRow, type RunRow } from "./rows.js";

// Bound-parameter budget per IN list: well under SQLite's and PostgreSQL's limits.
const IN_CHUNK = 900;

function group<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = out.get(key);
    if (list) list.push(row);
    else out.set(key, [row]);
  }
  return out;
}

async function selectIn<T>(
  ids: readonly string[],
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query: (ids: string[]) => Promise<any[]>,
): Promise<T[]> {
  const parts = await Promise.all(chunk(ids, IN_CHUNK).map((part) => query(part)));

  return parts.flat() as T[];
}

interface DatasetInputRow {
  destination_id: string;
  input_uuid: string;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

/**
 * Turns run rows into full runs — latest metrics, params, tags and dataset inputs — with one query
 * per kind of data for the whole page, never one per run.
 *
 * @example
 * const runs = await loadRuns(ctx, rows);
 */
export async function loadRuns(ctx: TrackingContext, rows: readonly RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const db = ctx.database.db;
  // Run ↔ logged-model links live in `inputs` (MLflow 3): RUN_INPUT → MODEL_INPUT, RUN_OUTPUT → MODEL_OUTPUT.
  const models = ctx.schema.atLeast("400f98739977");
  const withStep = ctx.schema.atLeast("6953534de441");
  const none = async () => [];
  const [tags, params, metrics, inputs, outputs, modelInputs] = await Promise.all([
    selectIn<{ run_uuid: string; key: string; value: string | null }>(ids, (part) =>
      db.selectFrom("tags").select(["run_uuid", "key", "value"]).where("run_uuid", "in", part).execute(),
    ),
    selectIn<{ run_uuid: string; key: string; value: string }>(ids, (part) =>
      db.selectFrom("params").select(["run_uuid", "key", "value"]).where("run_uuid", "in", part).execute(),
    ),
    selectIn<MetricRow>(ids, (part) =>
      db.selectFrom("latest_metrics").select(["run_uuid", "key", "value", "timestamp", "step", "is_nan"]).where("run_uuid", "in", part).execute(),
    ),
    selectIn<DatasetInputRow>(ids, (part) =>
      db
        .selectFrom("inputs as i")
        .innerJoin("datasets as d", "d.dataset_uuid", "i.source_id")
        .select(["i.destination_id", "i.input_uuid", "d.name", "d.digest", "d.dataset_source_type", "d.dataset_source", "d.dataset_schema", "d.dataset_profile"])
        .where("i.source_type", "=", "DATASET")
        .where("i.destination_type", "=", "RUN")
        .where("i.destination_id", "in", part)
        .execute(),
    ),
    selectIn<{ source_id: string; destination_id: string; step: number }>(ids, (part) =>
      models && withStep
        ? db
            .selectFrom("inputs")
            .select(["source_id", "destination_id", "step"])
            .where("source_type", "=", "RUN_OUTPUT")
            .where("destination_type", "=", "MODEL_OUTPUT")
            .where("source_id", "in", part)
            .execute()
        : none(),
    ),
    selectIn<{ source_id: string; destination_id: string }>(ids, (part) =>
      models
        ? db
            .selectFrom("inputs")
            .select(["source_id", "destination_id"])
            .where("source_type", "=", "RUN_INPUT")
            .where("destination_type", "=", "MODEL_INPUT")
            .where("source_id", "in", part)
            .execute()
        : none(),
    ),
  ]);
  const outputsByRun = group(outputs, (o) => o.source_id);
  const modelInputsByRun = group(modelInputs, (i) => i.source_id);
  const inputTags =
    inputs.length === 0
      ? []
      : await selectIn<{ input_uuid: string; name: string; value: string }>(
          inputs.map((i) => i.input_uuid),
          (part) => db.selectFrom("input_tags").select(["input_uuid", "name", "value"]).where("input_uuid", "in", part).execute(),
        );
  const tagsByRun = group(tags, (t) => t.run_uuid);
  const paramsByRun = group(params, (p) => p.run_uuid);
  const metricsByRun = group(metrics, (m) => m.run_uuid);
  const inputsByRun = group(inputs, (i) => i.destination_id);
  const tagsByInput = group(inputTags, (t) => t.input_uuid);
  return rows.map((row) => {
    const kv = (list: { key: string; value: string | null }[] | undefined): KeyValue[] => (list ?? []).map((t) => ({ key: t.key, value: t.value ?? "" }));
    const runTags = kv(tagsByRun.get(row.run_uuid));
    const runParams = kv(paramsByRun.get(row.run_uuid));
    const runMetrics: Metric[] = (metricsByRun.get(row.run_uuid) ?? []).map((m) => toMetric(m));
    const datasetInputs: DatasetInput[] = (inputsByRun.get(row.run_uuid) ?? []).map((i) => {
      const itags = (tagsByInput.get(i.input_uuid) ?? []).map((t) => ({ key: t.name, value: t.value }));
      return {
        ...(itags.length > 0 ? { tags: itags } : {}),
        dataset: {
          name: i.name,
          digest: i.digest,
          source_type: i.dataset_source_type,
          source: i.dataset_source,
          ...(i.dataset_schema !== null ? { schema: i.dataset_schema } : {}),
          ...(i.dataset_profile !== null ? { profile: i.dataset_profile } : {}),
        },
      };
    });
    return {
      info: toRunInfo(row, runTags.find((t) => t.key === "mlflow.runName")?.value),
      data: {
        ...(runMetrics.length > 0 ? { metrics: runMetrics } : {}),
        ...(runParams.length > 0 ? { params: runParams } : {}),
        ...(runTags.length > 0 ? { tags: runTags } : {}),
      },
      inputs: {
        ...(datasetInputs.length > 0 ? { dataset_inputs: datasetInputs } : {}),
        ...(modelInputsByRun.has(row.run_uuid) ? { model_inputs: modelInputsByRun.get(row.run_uuid)!.map((i) => ({ model_id: i.destination_id })) } : {}),
      },
      ...(outputsByRun.has(row.run_uuid)
        ? { outputs: { model_outputs: outputsByRun.get(row.run_uuid)!.map((o) => ({ model_id: o.destination_id, step: Number(o.step) })) } }
        : {}),
    };
  });
}
