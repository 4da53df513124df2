# For test/artifacts-s3-python.test.ts: through one server's artifact proxy, read artifacts of a run
# that the other server wrote to the bucket (list, download, load_dict, load every model there, and
# a version registered here with that model as its source), then write one more file and one more
# model; prints one JSON line. The servers keep their own databases: only the bucket is shared.
# (Our script; MLflow is only imported.)
import json, os, sys, tempfile
import mlflow
import mlflow.artifacts
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
from mlflow import MlflowClient
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

url, artifact_uri, who = sys.argv[1], sys.argv[2], sys.argv[3]
mlflow.set_tracking_uri(url)
client = MlflowClient()
# The inputs of python-s3-session.py's model.
X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.6, 0.5]])
# Paths come back relative to the URI's parent ("artifacts/clf"): keep the names.
top = [(os.path.basename(f.path), f.is_dir) for f in mlflow.artifacts.list_artifacts(artifact_uri=artifact_uri)]
out = {"top": sorted((name, is_dir) for name, is_dir in top if not name.startswith("by-") and name != "cross")}
try:
    local = mlflow.artifacts.download_artifacts(artifact_uri=artifact_uri, dst_path=tempfile.mkdtemp())
except Exception as error:
    # Seen under load with MLflow 3.6's server in front of s3rver: its streamed answer for the 12 MB
    # file broke off (InvalidChunkLength) while boto3 fetched the object in ranged parts. One retry,
    # reported in the output so that a flake stays visible.
    out["retried"] = str(error)[:300]
    local = mlflow.artifacts.download_artifacts(artifact_uri=artifact_uri, dst_path=tempfile.mkdtemp())
out["a"] = open(f"{local}/a.txt").read()
out["big"] = os.path.getsize(f"{local}/weights/big.bin")
out["conf"] = mlflow.artifacts.load_dict(f"{artifact_uri}/model/conf.json")
out["cross"] = {f: open(f"{local}/cross/{f}").read() for f in sorted(os.listdir(f"{local}/cross"))} if os.path.isdir(f"{local}/cross") else {}
# Every model there: the session's "clf", and those the other server's cross-read wrote.
models = [name for name, is_dir in top if is_dir and (name == "clf" or name.startswith("by-"))]
out["models"] = {m: mlflow.sklearn.load_model(f"{artifact_uri}/{m}").predict_proba(X).round(6).tolist() for m in sorted(models)}
name = f"cross-{who}-{os.getpid()}"
client.create_registered_model(name)
client.create_model_version(name, f"{artifact_uri}/clf")
out["registered"] = mlflow.pyfunc.load_model(f"models:/{name}/1").predict(X).tolist()
# Written as log_artifact and log_model write: through the artifact repository of the URI.
repository = get_artifact_repository(artifact_uri)
path = os.path.join(tempfile.mkdtemp(), f"written-by-{who}.txt")
with open(path, "w") as f:
    f.write(f"from {who}")
repository.log_artifact(path, "cross")
saved = os.path.join(tempfile.mkdtemp(), "model")
mlflow.sklearn.save_model(mlflow.sklearn.load_model(f"{artifact_uri}/clf"), saved)
repository.log_artifacts(saved, f"by-{who}")
print(json.dumps(out))
