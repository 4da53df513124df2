# The session of test/artifacts-s3-python.test.ts: MLflow's Python client doing its daily artifact
# work against a tracking URL; prints one JSON line of what it saw. (Our script; MLflow is only imported.)
import json, os, sys, tempfile, filecmp
import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

url, mode = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(url)
client = MlflowClient()
exp = client.create_experiment(f"py-s3-{mode}-{os.getpid()}")
out = {"experiment_location": client.get_experiment(exp).artifact_location}
src = tempfile.mkdtemp()
open(f"{src}/a.txt", "w").write("hello from python")
os.makedirs(f"{src}/sub/deep")
open(f"{src}/sub/b.json", "w").write('{"k": 1}')
open(f"{src}/sub/deep/c.csv", "w").write("x,y\n1,2\n")
with open(f"{src}/big.bin", "wb") as f:
    f.write(os.urandom(12 * 1024 * 1024))
# A model as a data scientist logs one: fitted, logged with its flavor files, registered.
X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.6, 0.5]])
y = np.array([0, 1, 0, 1, 1])
clf = LogisticRegression().fit(X, y)
registered = f"py-s3-clf-{mode}-{os.getpid()}"
with mlflow.start_run(experiment_id=exp) as run:
    mlflow.sklearn.log_model(clf, "clf", registered_model_name=registered)
    mlflow.log_artifact(f"{src}/a.txt")
    mlflow.log_artifacts(f"{src}/sub", "dir")
    mlflow.log_artifact(f"{src}/big.bin", "weights")
    mlflow.log_dict({"answer": 42}, "model/conf.json")
run_id = run.info.run_id
out["artifact_uri"] = run.info.artifact_uri
out["top"] = sorted((f.path, f.is_dir) for f in client.list_artifacts(run_id))
out["dir"] = sorted(f.path for f in client.list_artifacts(run_id, "dir"))
dst = tempfile.mkdtemp()
local = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=dst)
out["same_a"] = filecmp.cmp(f"{src}/a.txt", f"{local}/a.txt", shallow=False)
out["same_c"] = filecmp.cmp(f"{src}/sub/deep/c.csv", f"{local}/dir/deep/c.csv", shallow=False)
out["same_big"] = filecmp.cmp(f"{src}/big.bin", f"{local}/weights/big.bin", shallow=False)
out["conf"] = mlflow.artifacts.load_dict(f"runs:/{run_id}/model/conf.json")
out["clf_files"] = sorted(f.path for f in client.list_artifacts(run_id, "clf"))
out["expected"] = clf.predict_proba(X).round(6).tolist()
out["loaded"] = mlflow.sklearn.load_model(f"runs:/{run_id}/clf").predict_proba(X).round(6).tolist()
out["pyfunc"] = mlflow.pyfunc.load_model(f"runs:/{run_id}/clf").predict(X).tolist()
out["registered"] = mlflow.pyfunc.load_model(f"models:/{registered}/1").predict(X).tolist()
out["predicted"] = clf.predict(X).tolist()
mv = client.create_registered_model(f"py-s3-model-{mode}-{os.getpid()}")
v = client.create_model_version(mv.name, f"{run.info.artifact_uri}/model", run_id)
out["model_version"] = [mv.name, v.version]
out["registered_name"] = registered
out["run_id"] = run_id
print(json.dumps(out))
