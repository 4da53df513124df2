import { randomUUID } from "node:crypto";
import { notFound, type DatasetInput } from "@mlflow-ts/protocol";
import { withTransaction } from "../with-transaction.js";
import { LIMITS, rejectLong, validateRunIdFormat } from "../validation.js";
import { insertOrIgnore, type TrackingContext } from "./context.js";
import { requireActive, requireRunRow } from "./runs.js";

/** A new dataset or input ID as MLflow makes them: 32 hex digits. */
const newId = () => randomUUID().replace(/-/g, "");

function validateDatasetInput(input: DatasetInput): void {
  const d = input.dataset;
  rejectLong(d.name, LIMITS.datasetName, "Dataset name");
  rejectLong(d.digest, LIMITS.datasetDigest, "Dataset digest");
  rejectLong(d.source, LIMITS.datasetSource, "Dataset source");
  if (d.schema !== undefined) rejectLong(d.schema, LIMITS.datasetSchema, "Dataset schema");
  if (d.profile !== undefined) rejectLong(d.profile, LIMITS.datasetProfile, "Dataset profile");
  for (const tag of input.tags ?? []) {
    rejectLong(tag.key, LIMITS.inputTagKey, "Input tag key");
    rejectLong(tag.value, LIMITS.inputTagValue, "Input tag value");
  }
}

/**
 * Links datasets to an active run as inputs. Datasets are kept once per experiment by
 * (name, digest); a dataset already linked to the run is not linked (or tagged) again, so a replay
 * changes nothing.
 *
 * @example
 * await logInputs(ctx, runId, [{ dataset: { name: "iris", digest: "abc", source_type: "local", source: "{}" } }]);
 */
export async function logInputs(ctx: TrackingContext, runId: string, datasets: readonly DatasetInput[], models: readonly { model_id: string }[] = []): Promise<void> {
  validateRunIdFormat(runId);
  datasets.forEach(validateDatasetInput);
  const dialect = ctx.database.dialect;
  await withTransaction(ctx.database, async (trx) => {
    const run = await requireRunRow(trx, runId, ctx.database.dialect);
    requireActive(run);
    for (const input of datasets) {
      const d = input.dataset;
      await insertOrIgnore(
        trx.insertInto("datasets").values({
          dataset_uuid: newId(),
          experiment_id: run.experiment_id,
          name: d.name,
          digest: d.digest,
          dataset_source_type: d.source_type,
          dataset_source: d.source,
          dataset_schema: d.schema ?? null,
          dataset_profile: d.profile ?? null,
        }),
        dialect,
      ).execute();
      const { dataset_uuid } = (await trx
        .selectFrom("datasets")
        .select("dataset_uuid")
        .where("experiment_id", "=", run.experiment_id)
        .where("name", "=", d.name)
        .where("digest", "=", d.digest)
        .executeTakeFirstOrThrow()) as { dataset_uuid: string };
      const inputUuid = newId();
      const linked = await insertOrIgnore(
        trx.insertInto("inputs").values({ input_uuid: inputUuid, source_type: "DATASET", source_id: dataset_uuid, destination_type: "RUN", destination_id: runId }),
        dialect,
      ).executeTakeFirst();
      const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
      if (Number(linked.numInsertedOrUpdatedRows ?? 0n) > 0 && tags.size > 0) {
        await trx
          .insertInto("input_tags")
          .values([...tags].map(([name, value]) => ({ input_uuid: inputUuid, name, value })))
          .execute();
      }
    }
    if (models.length > 0) ctx.schema.require("400f98739977", "Logged models");
    for (const model of models) {
      const found = await trx.selectFrom("logged_models").select("model_id").where("model_id", "=", model.model_id).executeTakeFirst();
      if (!found) throw notFound(`Logged model with ID '${model.model_id}' not found.`);
      // MLflow 3 links a run to the models it used as (RUN_INPUT, run) → (MODEL_INPUT, model).
      await insertOrIgnore(
        trx.insertInto("inputs").values({ input_uuid: newId(), source_type: "RUN_INPUT", source_id: runId, destination_type: "MODEL_INPUT", destination_id: model.model_id }),
        dialect,
      ).execute();
    }
  });
}
