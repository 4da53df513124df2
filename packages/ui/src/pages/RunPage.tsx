import { useMemo, useState } from "preact/hooks";
import type { Metric, Run } from "@mlflow-ts/protocol";
import { get, post } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { formatDuration, formatTime, formatValue, toNumber } from "../lib/format.js";
import { link, navigate } from "../lib/router.js";
import type { XAxis } from "../lib/series.js";
import { runColor } from "../lib/run-color.js";
import { useAsync } from "../lib/use-async.js";
import { ArtifactBrowser } from "../components/ArtifactBrowser.js";
import { EditableText } from "../components/EditableText.js";
import { TagTable } from "../components/TagTable.js";
import { RunCrumbs } from "../components/RunCrumbs.js";
import { ChartControls } from "../components/ChartControls.js";
import { isSystemMetric, splitSystemMetrics } from "../lib/system-metrics.js";
import { LineChart } from "../components/LineChart.js";
import { Field, FormDialog } from "../components/Dialog.js";
import { RegisteredAs } from "../components/RegisteredAs.js";
import { LoggedModelItem, type RegisterTarget } from "../components/LoggedModelItem.js";
import { registrationsOf, versionsOfRun, type LoggedModelRef } from "../lib/registrations.js";
import { DatasetDrawer } from "../components/DatasetDrawer.js";
import { datasetContext } from "../lib/dataset-schema.js";
import "../runs.css";

function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

/** The history of one metric of one run, as a chart. */
function MetricHistory(props: { run: Run; metric: string }) {
  const [axis, setAxis] = useState<XAxis>("step");
  const [log, setLog] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const history = useAsync(async (signal) => {
    const points: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await get<{ metrics?: Metric[]; next_page_token?: string }>("metrics/get-history", { run_id: props.run.info.run_id, metric_key: props.metric, max_results: 25000, page_token: pageToken }, signal);
      points.push(...(page.metrics ?? []));
      pageToken = page.next_page_token;
    } while (pageToken && points.length < 1_000_000);
    return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }, [props.run.info.run_id, props.metric]);
  const series = useMemo(() => {
    const points = history.value ?? [];
    return [{ runId: props.run.info.run_id, label: props.run.info.run_name, color: runColor(props.run.info.run_id), steps: points.map((p) => p.step), timestamps: points.map((p) => p.timestamp), values: points.map((p) => toNumber(p.value)) }];
  }, [history.value, props.run.info.run_id]);
  if (history.error) return <p class="error">{history.error.message}</p>;
  if (!history.value) return <p class="muted">Loading {props.metric}…</p>;
  return (
    <div>
      <ChartControls axis={axis} setAxis={setAxis} log={log} setLog={setLog} smoothing={smoothing} setSmoothing={setSmoothing} />
      <LineChart title={`${props.metric} (${history.value.length} points)`} series={series} axis={axis} logScale={log} smoothing={smoothing} />
    </div>
  );
}

/** `#/experiments/<id>/runs/<run_id>`: overview, params, metrics with charts, tags, datasets, models, artifacts. */
export function RunPage(props: { experimentId: string; runId: string; tab?: string; artifact?: string }) {
  const { notify } = useApp();
  const run = useAsync((signal) => get<{ run: Run }>("runs/get", { run_id: props.runId }, signal).then((r) => r.run), [props.runId]);
  const children = useAsync(
    (signal) =>
      post<{ runs?: Run[] }>("runs/search", { experiment_ids: [props.experimentId], filter: `tags.mlflow.parentRunId = '${props.runId}'`, max_results: 1000 }, signal).then((r) => r.runs ?? []),
    [props.runId, props.experimentId],
  );
  const [paramFilter, setParamFilter] = useState("");
  const [register, setRegister] = useState<RegisterTarget>();
  const versions = useAsync((signal) => versionsOfRun(props.runId, signal), [props.runId]);
  const [dataset, setDataset] = useState<number>();
  const tab = props.tab ?? "overview";
  if (run.error) {
    return (
      <section class="page">
        <h1>Run {props.runId}</h1>
        <p class="error">{run.error.message}</p>
      </section>
    );
  }
  const r = run.value;
  if (!r) return <section class="page">Loading…</section>;
  const parent = tagOf(r, "mlflow.parentRunId");
  const source = tagOf(r, "mlflow.source.name");
  const note = tagOf(r, "mlflow.note.content");
  const modelHistory = (() => {
    try {
      return JSON.parse(tagOf(r, "mlflow.log-model.history") ?? "[]") as { artifact_path: string; flavors?: Record<string, unknown>; utc_time_created?: string }[];
    } catch {
      return [];
    }
  })();
  const setTag = async (key: string, value: string) => {
    await post("runs/set-tag", { run_id: r.info.run_id, key, value });
    run.reload();
  };
  const deleteTag = async (key: string) => {
    await post("runs/delete-tag", { run_id: r.info.run_id, key });
    run.reload();
  };
  const refOf = (target: { path?: string; modelId?: string }): LoggedModelRef => ({ runId: r.info.run_id, artifactUri: r.info.artifact_uri, ...target });
  const registeredAs = (target: { path?: string; modelId?: string }) => registrationsOf(versions.value ?? [], refOf(target));
  const params = (r.data.params ?? []).filter((p) => p.key.toLowerCase().includes(paramFilter.toLowerCase()));
  return (
    <section class="page wide">
      <RunCrumbs experimentId={r.info.experiment_id} parentRunId={parent} />
      <div class="page-head">
        <h1>
          <span class="swatch run-swatch" style={{ background: runColor(r.info.run_id) }} title="The run's colour in every chart" />
          {r.info.run_name || r.info.run_id}
        </h1>
        <span class={`status ${r.info.status.toLowerCase()}`}>{r.info.status}</span>
        {r.info.lifecycle_stage === "deleted" && <span class="badge">deleted</span>}
      </div>
      <div class="tabs" role="tablist">
        {["overview", "metrics", "artifacts"].map((t) => (
          <a key={t} role="tab" aria-selected={tab === t} href={link.run(props.experimentId, props.runId, t === "overview" ? undefined : t)}>
            {t[0]!.toUpperCase() + t.slice(1)}
          </a>
        ))}
      </div>
      {tab === "overview" && (
        <>
          <table class="kv overview">
            <caption class="sr-only">Run overview</caption>
            <tbody>
              <tr>
                <th scope="row">Run ID</th>
                <td>
                  <code>{r.info.run_id}</code>
                </td>
              </tr>
              <tr>
                <th scope="row">Started</th>
                <td>{formatTime(r.info.start_time)}</td>
              </tr>
              <tr>
                <th scope="row">Duration</th>
                <td>{formatDuration(r.info.start_time, r.info.end_time) || (r.info.status === "RUNNING" ? "running" : "")}</td>
              </tr>
              <tr>
                <th scope="row">User</th>
                <td>{r.info.user_id}</td>
              </tr>
              <tr>
                <th scope="row">Source</th>
                <td>{source ?? <span class="muted">unknown</span>}</td>
              </tr>
              <tr>
                <th scope="row">Artifact URI</th>
                <td>
                  <code>{r.info.artifact_uri}</code>
                </td>
              </tr>
              {parent && (
                <tr>
                  <th scope="row">Parent run</th>
                  <td>
                    <a href={link.run(r.info.experiment_id, parent)}>{parent}</a>
                  </td>
                </tr>
              )}
              {(children.value?.length ?? 0) > 0 && (
                <tr>
                  <th scope="row">Child runs</th>
                  <td>
                    {children.value!.map((c, i) => (
                      <span key={c.info.run_id}>
                        {i > 0 && ", "}
                        <a href={link.run(c.info.experiment_id, c.info.run_id)}>{c.info.run_name || c.info.run_id}</a>
                      </span>
                    ))}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <h2>Description</h2>
          <EditableText label="Description" value={note} onSave={(value) => setTag("mlflow.note.content", value)} />
          <h2>Parameters ({r.data.params?.length ?? 0})</h2>
          {(r.data.params?.length ?? 0) > 10 && <input type="search" aria-label="Filter parameters" placeholder="Filter parameters" value={paramFilter} onInput={(e) => setParamFilter((e.target as HTMLInputElement).value)} />}
          <table class="kv">
            <caption class="sr-only">Parameters</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {params.slice(0, 2000).map((p) => (
                <tr key={p.key}>
                  <td>{p.key}</td>
                  <td class="pre">{p.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <MetricTables metrics={r.data.metrics ?? []} onChart={(key) => navigate(`${link.run(props.experimentId, props.runId, "metrics")}?metric=${encodeURIComponent(key)}`)} />
          <h2>Tags</h2>
          <TagTable tags={r.data.tags ?? []} onSet={setTag} onDelete={deleteTag} caption="Run tags" />
          <h2>Datasets</h2>
          {(r.inputs.dataset_inputs?.length ?? 0) === 0 ? (
            <p class="muted">No datasets</p>
          ) : (
            <table class="kv">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Digest</th>
                  <th scope="col">Source</th>
                  <th scope="col">Context</th>
                  <th scope="col">Schema and profile</th>
                </tr>
              </thead>
              <tbody>
                {r.inputs.dataset_inputs!.map((d, i) => (
                  <tr key={i}>
                    <td>{d.dataset.name}</td>
                    <td>
                      <code>{d.dataset.digest}</code>
                    </td>
                    <td class="pre">
                      {d.dataset.source_type}: {d.dataset.source}
                    </td>
                    <td>{datasetContext(d) ?? ""}</td>
                    <td>
                      <button type="button" aria-label={`Schema and profile of dataset ${d.dataset.name}`} onClick={() => setDataset(i)}>
                        View
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Logged models</h2>
          {modelHistory.length === 0 && (r.outputs?.model_outputs?.length ?? 0) === 0 ? (
            <p class="muted">No logged models</p>
          ) : (
            <ul>
              {modelHistory.map((m) => (
                <li key={m.artifact_path}>
                  <a href={link.artifact(props.experimentId, props.runId, m.artifact_path)}>{m.artifact_path}</a> <span class="muted">{Object.keys(m.flavors ?? {}).join(", ")}</span>{" "}
                  <button type="button" onClick={() => setRegister({ label: m.artifact_path, path: m.artifact_path })}>
                    Register model
                  </button>{" "}
                  <RegisteredAs registrations={registeredAs({ path: m.artifact_path })} />
                </li>
              ))}
              {(r.outputs?.model_outputs ?? []).map((m) => (
                <LoggedModelItem key={m.model_id} modelId={m.model_id} step={m.step} registered={registeredAs({ modelId: m.model_id })} onRegister={setRegister} />
              ))}
            </ul>
          )}
        </>
      )}
      {tab === "metrics" && <MetricsTab run={r} />}
      {tab === "artifacts" && (
        <ArtifactBrowser
          runId={r.info.run_id}
          initial={props.artifact}
          onRegister={(path) => setRegister({ label: path, path })}
          registeredAs={(path) => registeredAs({ path })}
          // The URL follows the chosen file, so it can be copied as a deep link; replaced, not
          // pushed (and no hashchange: the tree stays as it is), so Back leaves the page.
          onSelect={(path) => window.history.replaceState(window.history.state, "", link.artifact(props.experimentId, props.runId, path))}
        />
      )}
      {dataset !== undefined && <DatasetDrawer runName={r.info.run_name || r.info.run_id} inputs={r.inputs.dataset_inputs ?? []} initial={dataset} onClose={() => setDataset(undefined)} />}
      {register !== undefined && (
        <FormDialog
          title={`Register ${register.label}`}
          submitLabel="Register"
          onClose={() => setRegister(undefined)}
          onSubmit={async (data) => {
            const name = String(data.get("name")).trim();
            try {
              await post("registered-models/create", { name });
            } catch (err) {
              if (!/already exists/i.test((err as Error).message)) throw err;
            }
            // An MLflow 3 logged model is registered by its ID, as MLflow 3's `register_model` does.
            const source = register.modelId ? { source: `models:/${register.modelId}`, model_id: register.modelId } : { source: `${r.info.artifact_uri}/${register.path}` };
            const { model_version } = await post<{ model_version: { version: string } }>("model-versions/create", { name, ...source, run_id: r.info.run_id });
            notify(`Registered ${name} version ${model_version.version}`);
            navigate(link.modelVersion(name, model_version.version));
          }}
        >
          {registeredAs(register).length > 0 && (
            <p>
              <RegisteredAs prefix="Already registered as" registrations={registeredAs(register)} />: registering again makes a new version.
            </p>
          )}
          <Field label="Model name" name="name" required />
        </FormDialog>
      )}
    </section>
  );
}

function MetricsTable(props: { metrics: readonly Metric[]; caption: string; onChart: (key: string) => void }) {
  const metrics = [...props.metrics].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <table class="kv">
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Last value</th>
          <th scope="col">Step</th>
          <th scope="col">Chart</th>
        </tr>
      </thead>
      <tbody>
        {metrics.slice(0, 2000).map((m) => (
          <tr key={m.key}>
            <td>{m.key}</td>
            <td class="num">{formatValue(m.value)}</td>
            <td class="num">{m.step}</td>
            <td>
              <button type="button" aria-label={`Chart ${m.key}`} onClick={() => props.onChart(m.key)}>
                Chart
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The run's latest metrics: the model's, then the system's (`system/…`) in a section of their own. */
function MetricTables(props: { metrics: readonly Metric[]; onChart: (key: string) => void }) {
  const system = props.metrics.filter((m) => isSystemMetric(m.key));
  const model = props.metrics.filter((m) => !isSystemMetric(m.key));
  return (
    <>
      <h2>Metrics ({model.length})</h2>
      <MetricsTable metrics={model} caption="Metrics" onChart={props.onChart} />
      {system.length > 0 && (
        <section class="system-metrics" aria-labelledby="run-system-metrics-table">
          <h2 id="run-system-metrics-table">System metrics ({system.length})</h2>
          <MetricsTable metrics={system} caption="System metrics" onChart={props.onChart} />
        </section>
      )}
    </>
  );
}

/**
 * The run's metrics charted, the one named in `?metric=` first: the model's metrics, then the
 * system's (`system/…`, MLflow's system-metrics logger) in a section of their own.
 */
function MetricsTab(props: { run: Run }) {
  const wanted = new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("metric");
  const keys = [...(props.run.data.metrics ?? [])].map((m) => m.key).sort();
  if (keys.length === 0) return <p class="muted">No metrics</p>;
  const first = (list: string[]) => (wanted && list.includes(wanted) ? [wanted, ...list.filter((k) => k !== wanted)] : list).slice(0, 20);
  const { model, system } = splitSystemMetrics(keys);
  const grid = (list: string[]) => (
    <div class="chart-grid">
      {first(list).map((k) => (
        // Keyed by run too: another run's chart starts empty, never with the last run's points.
        <MetricHistory key={`${props.run.info.run_id}/${k}`} run={props.run} metric={k} />
      ))}
    </div>
  );
  return (
    <>
      {system.length > 0 && <h2>Model metrics ({model.length})</h2>}
      {model.length > 0 ? grid(model) : <p class="muted">No model metrics</p>}
      {system.length > 0 && (
        <section class="system-metrics" aria-labelledby="run-system-metrics">
          <h2 id="run-system-metrics">System metrics ({system.length})</h2>
          {grid(system)}
        </section>
      )}
    </>
  );
}
