/** What {@link seedDatasets} made, for the tests to find it. */
export interface SeededDatasets {
  /** The big dataset: `records` records with two input keys and two expectation keys. */
  readonly bigId: string;
  /** A dataset created without records. */
  readonly emptyId: string;
  /** A three-record dataset whose inputs and expectations have other keys. */
  readonly smallId: string;
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method, headers: body === undefined ? {} : { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function createDataset(url: string, name: string, experimentId: string, tags: Record<string, string>): Promise<string> {
  const answer = await call(url, "POST", "/api/3.0/mlflow/datasets/create", { name, experiment_ids: [experimentId], tags: JSON.stringify(tags) });
  return (answer.dataset as { dataset_id: string }).dataset_id;
}

/** The `i`th record of the big dataset: every third with object outputs, every third with a string. */
export function bigRecord(i: number): Record<string, unknown> {
  const outputs = i % 3 === 0 ? { text: `Answer ${i}`, tokens: i % 50 } : i % 3 === 1 ? `plain answer ${i}` : undefined;
  return {
    inputs: { question: `What is question #${i}?`, context: { doc: `doc-${i % 7}`, page: i % 40 } },
    ...(outputs === undefined ? {} : { outputs }),
    expectations: { answer: `Expected answer ${i}`, score: (i % 5) / 4 },
    tags: { split: i % 10 === 0 ? "test" : "train" },
    ...(i % 2 === 0 ? { source: { source_type: "TRACE", source_data: { trace_id: `tr-${String(i).padStart(5, "0")}` } } } : { source: { source_type: "HUMAN", source_data: { source_id: "alice" } } }),
  };
}

/**
 * Evaluation datasets in an experiment, through the REST API as MLflow's client sends them
 * (CreateDataset, then UpsertDatasetRecords with the records as JSON text): a big one of `records`
 * records, a small one, an empty one.
 */
export async function seedDatasets(url: string, experimentId: string, options: { records: number }): Promise<SeededDatasets> {
  const bigId = await createDataset(url, "qa-golden", experimentId, { team: "search", purpose: "regression", "mlflow.user": "alice" });
  const records = Array.from({ length: options.records }, (_, i) => bigRecord(i));
  await call(url, "POST", `/api/3.0/mlflow/datasets/${bigId}/records`, { records: JSON.stringify(records) });
  const smallId = await createDataset(url, "smoke", experimentId, { "mlflow.user": "bob" });
  await call(url, "POST", `/api/3.0/mlflow/datasets/${smallId}/records`, {
    records: JSON.stringify([
      { inputs: { prompt: "Say hi" }, outputs: "hi", expectations: { contains: ["hi"] } },
      { inputs: { prompt: "Say bye", temperature: 0.2 }, expectations: { contains: ["bye"] } },
      { inputs: { prompt: "Count to 3" }, outputs: [1, 2, 3], expectations: { exact: "1 2 3" } },
    ]),
  });
  const emptyId = await createDataset(url, "empty-set", experimentId, {});
  return { bigId, emptyId, smallId };
}
