import { randomUUID } from "node:crypto";
import { notFound, type DatasetInput } from "@mlflow-ts/protocol";
import { withTransaction } from "../with-transaction.js";
import { LIMITS, rejectLong, validateRunIdFormat } from "../validation.js";
import type { TrackingContext } from "./context.js";
import { requireActive, requireRunRow } from "./runs.js";

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
  await withTransaction(ctx.database, async (trx) => {
    const run = await requireRunRow(trx, runId);
    requireActive(run);
    for (const input of datasets) {
      const d = input.dataset;
      await trx
        .insertInto("datasets")
        .values({
          dataset_uuid: randomUUID(),
          experiment_id: run.experiment_id,
          name: d.name,
          digest: d.digest,
          source_type: d.source_type,
          source: d.source,
          schema: d.schema ?? null,
          profile: d.profile ?? null,
        })
        .onConflict((oc) => oc.columns(["experiment_id", "name", "digest"]).doNothing())
        .execute();
      const { dataset_uuid } = (await trx
        .selectFrom("datasets")
        .select("dataset_uuid")
        .where("experiment_id", "=", run.experiment_id)
        .where("name", "=", d.name)
        .where("digest", "=", d.digest)
        .executeTakeFirstOrThrow()) as { dataset_uuid: string };
      const inputUuid = randomUUID();
      const linked = await trx
        .insertInto("inputs")
        .values({ input_uuid: inputUuid, source_type: "DATASET", source_id: dataset_uuid, destination_type: "RUN", destination_id: runId })
        .onConflict((oc) => oc.columns(["source_type", "source_id", "destination_type", "destination_id"]).doNothing())
        .executeTakeFirst();
      const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
      if (Number(linked.numInsertedOrUpdatedRows ?? 0n) > 0 && tags.size > 0) {
        await trx
          .insertInto("input_tags")
          .values([...tags].map(([name, value]) => ({ input_uuid: inputUuid, name, value })))
          .execute();
      }
    }
    for (const model of models) {
      const found = await trx.selectFrom("logged_models").select("model_id").where("model_id", "=", model.model_id).executeTakeFirst();
      if (!found) throw notFound(`Logged model with ID '${model.model_id}' not found.`);
      await trx
        .insertInto("inputs")
        .values({ input_uuid: randomUUID(), source_type: "MODEL", source_id: model.model_id, destination_type: "RUN", destination_id: runId })
        .onConflict((oc) => oc.columns(["source_type", "source_id", "destination_type", "destination_id"]).doNothing())
        .execute();
    }
  });
}
