/**
 * An evaluation dataset as MLflow 3's `mlflow.datasets.Dataset` message carries it: `tags` is the
 * JSON text of the tag dict (Python's `json.dumps`), `schema` and `profile` are JSON text too.
 * `experiment_ids` is present only where MLflow fills it (CreateDataset's answer).
 *
 * @example
 * const d: EvaluationDataset = { dataset_id: "d-0af7…", name: "qa", tags: "{}", digest: "1a2b3c4d", created_time: 1, last_update_time: 1 };
 */
export interface EvaluationDataset {
  readonly dataset_id: string;
  readonly name: string;
  readonly tags: string;
  readonly schema?: string;
  readonly profile?: string;
  readonly digest: string;
  readonly created_time: number;
  readonly last_update_time: number;
  readonly created_by?: string;
  readonly last_updated_by?: string;
  readonly experiment_ids?: readonly string[];
}

/**
 * One version of a registered scorer (MLflow 3's `ScorerVersion`); `experiment_id` is a string
 * here, the `Scorer` message carries it as a number.
 *
 * @example
 * const v: ScorerVersion = { experiment_id: "1", scorer_name: "relevance", scorer_version: 1, serialized_scorer: "{}", creation_time: 1, scorer_id: "…" };
 */
export interface ScorerVersion {
  readonly experiment_id: string;
  readonly scorer_name: string;
  readonly scorer_version: number;
  readonly serialized_scorer: string;
  readonly creation_time: number;
  readonly scorer_id: string;
}
