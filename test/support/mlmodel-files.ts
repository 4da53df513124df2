/**
 * The `MLmodel` of an sklearn model as MLflow 2.12 writes it (PyYAML's `safe_dump`, so the
 * signature's JSON is single-quoted and folded at 80 columns, with `''` for a quote), with a
 * signature of every kind of input (named columns, an optional one, an array, an object), a tensor
 * output, two inference params, and a saved input example. Made with Debian's PyYAML, not MLflow.
 *
 * @example
 * await client.artifacts.upload(`${root}/model/MLmodel`, sklearnMlmodel(runId));
 */
export function sklearnMlmodel(runId: string): string {
  return `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.2.1
mlflow_version: 2.12.2
model_size_bytes: 1234
model_uuid: 0a1b2c3d4e5f
run_id: ${runId}
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "sepal width (cm)", "required": true}, {"type": "double", "name":
    "petal length (cm)", "required": true}, {"type": "double", "name": "petal width
    (cm)", "required": true}, {"type": "string", "name": "it''s \\"quoted\\"", "required":
    false}, {"type": "array", "items": {"type": "string"}, "name": "tags", "required":
    true}, {"type": "object", "properties": {"city": {"type": "string", "required":
    true}, "zip": {"type": "long", "required": false}}, "name": "address", "required":
    true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: '[{"name": "threshold", "type": "double", "default": 0.5, "shape": null},
    {"name": "classes", "type": "string", "default": ["a", "b"], "shape": [-1]}]'
utc_time_created: '2024-05-01 10:00:00.123456'
`;
}

/** The input example `sklearnMlmodel` names: a DataFrame in `split` orient, two rows. */
export const SKLEARN_INPUT_EXAMPLE = {
  columns: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", "it's \"quoted\"", "tags", "address"],
  data: [
    [5.1, 3.5, 1.4, 0.2, "a", ["x"], { city: "Paris" }],
    [6.2, 2.9, 4.3, 1.3, "b", [], { city: "Lyon", zip: 69001 }],
  ],
};

/**
 * The `MLmodel` of a second version: one input renamed and its type changed, no params, no input
 * example — what a comparison of versions should mark.
 *
 * @example
 * await client.artifacts.upload(`${root}/model/MLmodel`, retrainedMlmodel(runId));
 */
export function retrainedMlmodel(runId: string): string {
  return `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.2
  sklearn:
    sklearn_version: 1.5.0
mlflow_version: 2.16.0
run_id: ${runId}
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "sepal width (cm)", "required": true}, {"type": "float", "name":
    "petal length (cm)", "required": true}, {"type": "double", "name": "petal area", "required":
    true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2024-06-01 10:00:00.000000'
`;
}
