import type { EvaluationDataset } from "@mlflow-ts/protocol";
import type { TrackingContext } from "../tracking/context.js";
import * as datasets from "./datasets.js";
import { searchDatasets, type SearchDatasetsInput } from "./search-datasets.js";
import { upsertDatasetRecords } from "./dataset-records.js";
import { loadDatasetRecords } from "./load-records.js";

/**
 * MLflow 3's evaluation datasets on SQL (`evaluation_datasets`, `evaluation_dataset_tags`,
 * `evaluation_dataset_records`, `entity_associations`): every call on a database older than
 * 71994744cf8e (MLflow 3.4.0) answers 501 naming it; before 3da73c924c2f (3.5.0) records have no
 * outputs, as MLflow kept them then.
 *
 * @example
 * const store = new SqlDatasetStore(ctx);
 * const d = await store.createDataset({ name: "qa", experimentIds: ["1"] });
 */
export class SqlDatasetStore {
  constructor(private readonly ctx: TrackingContext) {}

  private need(): void {
    this.ctx.schema.require("71994744cf8e", "Evaluation datasets");
  }

  async datasetExperiments(datasetId: string): Promise<string[] | undefined> {
    this.need();
    if (!(await datasets.findDataset(this.ctx.database.db, datasetId))) return undefined;
    return datasets.experimentIdsOf(this.ctx.database.db, datasetId);
  }
  createDataset(input: { name: string; experimentIds?: readonly string[]; tags?: string }): Promise<EvaluationDataset> {
    this.need();
    return datasets.createDataset(this.ctx, input);
  }
  getDataset(datasetId: string): Promise<EvaluationDataset> {
    this.need();
    return datasets.getDataset(this.ctx, datasetId);
  }
  deleteDataset(datasetId: string): Promise<void> {
    this.need();
    return datasets.deleteDataset(this.ctx, datasetId);
  }
  searchDatasets(input: SearchDatasetsInput): Promise<{ datasets: EvaluationDataset[]; next_page_token?: string }> {
    this.need();
    return searchDatasets(this.ctx, input);
  }
  setDatasetTags(datasetId: string, tags: string): Promise<void> {
    this.need();
    return datasets.setDatasetTags(this.ctx, datasetId, tags);
  }
  deleteDatasetTag(datasetId: string, key: string): Promise<void> {
    this.need();
    return datasets.deleteDatasetTag(this.ctx, datasetId, key);
  }
  upsertDatasetRecords(datasetId: string, records: string): Promise<{ inserted: number; updated: number }> {
    this.need();
    return upsertDatasetRecords(this.ctx, datasetId, records);
  }
  getDatasetRecords(datasetId: string, input: { maxResults?: number; pageToken?: string }): Promise<{ records: string; next_page_token?: string }> {
    this.need();
    return loadDatasetRecords(this.ctx, datasetId, input);
  }
  getDatasetExperimentIds(datasetId: string): Promise<string[]> {
    this.need();
    return datasets.experimentIdsOf(this.ctx.database.db, datasetId);
  }
  addDatasetToExperiments(datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset> {
    this.need();
    return datasets.addDatasetToExperiments(this.ctx, datasetId, experimentIds);
  }
  removeDatasetFromExperiments(datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset> {
    this.need();
    return datasets.removeDatasetFromExperiments(this.ctx, datasetId, experimentIds);
  }
}
