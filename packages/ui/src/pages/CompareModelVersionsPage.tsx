import { useState } from "preact/hooks";
import type { ModelVersion, RegisteredModel, Run } from "@mlflow-ts/protocol";
import { get } from "../lib/api.js";
import { indexOf } from "../lib/columns.js";
import { formatTime, formatValue } from "../lib/format.js";
import { loadVersionFiles, type ModelFiles } from "../lib/model-files.js";
import type { ParamField, SchemaField } from "../lib/mlmodel.js";
import { link } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import "../models.css";

/** One version with what the comparison shows of it; `run` and `files` are absent when unreadable. */
interface Compared {
  readonly version: ModelVersion;
  readonly run?: Run;
  readonly files?: ModelFiles;
  readonly filesError?: string;
}

async function loadCompared(name: string, versions: readonly string[], signal: AbortSignal): Promise<Compared[]> {
  return Promise.all(
    versions.slice(0, 20).map(async (v) => {
      const { model_version: version } = await get<{ model_version: ModelVersion }>("model-versions/get", { name, version: v }, signal);
      // The source run may be deleted or unreadable to the caller: the version is still compared.
      const run = version.run_id ? await get<{ run: Run }>("runs/get", { run_id: version.run_id }, signal).then((r) => r.run, () => undefined) : undefined;
      const files = await loadVersionFiles(name, v, signal).then(
        (f) => ({ files: f }),
        (e: Error) => ({ filesError: e.message }),
      );
      return { version, run, ...files };
    }),
  );
}

/** A row: a label and one cell per version, marked when the versions differ. */
interface Row {
  readonly key: string;
  readonly label: string;
  readonly cells: readonly (string | undefined)[];
  readonly class?: string;
}

/** A source run's latest value of a metric, as text; undefined when it has none. */
function metricOf(run: Run | undefined, key: string): string | undefined {
  const value = run ? indexOf(run).metrics.get(key) : undefined;
  return value === undefined ? undefined : formatValue(value);
}

const differs = (cells: readonly (string | undefined)[]) => new Set(cells.map((c) => c ?? "")).size > 1;

function schemaRows(prefix: string, lists: readonly (readonly SchemaField[] | undefined)[]): Row[] {
  const keyOf = (f: SchemaField, i: number) => f.name ?? `#${i}`;
  const keys = [...new Set(lists.flatMap((fields) => (fields ?? []).map(keyOf)))];
  return keys.map((k) => ({
    key: `${prefix}:${k}`,
    label: k.startsWith("#") ? `(unnamed ${Number(k.slice(1)) + 1})` : k,
    class: "signature",
    cells: lists.map((fields) => {
      const i = (fields ?? []).findIndex((f, j) => keyOf(f, j) === k);
      const f = fields?.[i];
      return f ? `${f.type}${f.required ? "" : " (optional)"}` : undefined;
    }),
  }));
}

function paramRows(lists: readonly (readonly ParamField[] | undefined)[]): Row[] {
  const keys = [...new Set(lists.flatMap((fields) => (fields ?? []).map((f) => f.name)))];
  return keys.map((k) => ({
    key: `param:${k}`,
    label: k,
    class: "signature",
    cells: lists.map((fields) => {
      const f = fields?.find((x) => x.name === k);
      return f ? `${f.type} = ${f.default}${f.shape ? ` ${f.shape}` : ""}` : undefined;
    }),
  }));
}

/**
 * `#/compare-model-versions?name=…&versions=[…]` (and MLflow's `runs={…}` form): versions of a
 * registered model side by side — their details, signatures (inputs, outputs, params) and their
 * source runs' params and metrics, differences marked.
 */
export function CompareModelVersionsPage(props: { name: string; versions: string[] }) {
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const compared = useAsync((signal) => loadCompared(props.name, props.versions, signal), [props.name, props.versions.join(",")]);
  const model = useAsync((signal) => get<{ registered_model: RegisteredModel }>("registered-models/get", { name: props.name }, signal).then((r) => r.registered_model), [props.name]);
  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href={link.models()}>Registered models</a> / <a href={link.model(props.name)}>{props.name}</a> /
    </nav>
  );
  if (compared.error) return <section class="page">{crumbs}<p class="error">{compared.error.message}</p></section>;
  const list = compared.value;
  if (!list) return <section class="page">{crumbs}Loading…</section>;
  const aliasesOf = (v: string) => (model.value?.aliases ?? []).filter((a) => a.version === v).map((a) => `@${a.alias}`).join(" ");
  const info = list.map((c) => c.files?.info);
  const details: Row[] = [
    { key: "registered", label: "Registered", cells: list.map((c) => formatTime(c.version.creation_timestamp)) },
    { key: "stage", label: "Stage", cells: list.map((c) => c.version.current_stage) },
    { key: "aliases", label: "Aliases", cells: list.map((c) => aliasesOf(c.version.version)) },
    { key: "status", label: "Status", cells: list.map((c) => c.version.status) },
    { key: "description", label: "Description", cells: list.map((c) => c.version.description ?? "") },
    { key: "flavors", label: "Flavors", cells: info.map((i) => i?.flavors.join(", ")) },
    { key: "mlflow", label: "MLflow version", cells: info.map((i) => i?.mlflowVersion) },
  ];
  const paramKeys = [...new Set(list.flatMap((c) => (c.run?.data.params ?? []).map((p) => p.key)))].sort();
  const metricKeys = [...new Set(list.flatMap((c) => (c.run?.data.metrics ?? []).map((m) => m.key)))].sort();
  const groups: [string, Row[]][] = [
    ["Details", details],
    ["Signature inputs", schemaRows("in", info.map((i) => i?.signature?.inputs))],
    ["Signature outputs", schemaRows("out", info.map((i) => i?.signature?.outputs))],
    ["Signature params", paramRows(info.map((i) => i?.signature?.params))],
    ["Source run parameters", paramKeys.slice(0, 1000).map((k) => ({ key: `p:${k}`, label: k, cells: list.map((c) => (c.run ? indexOf(c.run).params.get(k) : undefined)) }))],
    ["Source run metrics", metricKeys.slice(0, 1000).map((k) => ({ key: `m:${k}`, label: k, class: "num", cells: list.map((c) => metricOf(c.run, k)) }))],
  ];
  const problems = list.filter((c) => c.filesError).map((c) => `Version ${c.version.version}: ${c.filesError}`);
  return (
    <section class="page wide">
      {crumbs}
      <div class="page-head">
        <h1>
          Comparing {list.length} versions of {props.name}
        </h1>
        <label>
          <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs((e.target as HTMLInputElement).checked)} /> Only differences
        </label>
      </div>
      {problems.map((p) => (
        <p key={p} class="error">
          {p}
        </p>
      ))}
      <div class="table-scroll unbounded">
        <table class="grid compare model-compare">
          <thead>
            <tr>
              <th scope="col">Version</th>
              {list.map((c) => (
                <th key={c.version.version} scope="col">
                  <a href={link.modelVersion(props.name, c.version.version)}>Version {c.version.version}</a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Source run</th>
              {list.map((c) => (
                <td key={c.version.version}>
                  {c.run ? <a href={link.run(c.run.info.experiment_id, c.run.info.run_id)}>{c.run.info.run_name || c.run.info.run_id}</a> : <span class="muted">{c.version.run_id ? "not readable" : "none"}</span>}
                </td>
              ))}
            </tr>
            {groups.map(([title, rows]) => {
              const shown = onlyDiffs ? rows.filter((r) => differs(r.cells)) : rows;
              return [
                <tr key={`g:${title}`} class="group">
                  <th scope="rowgroup" colSpan={list.length + 1}>
                    {title} {rows.length === 0 ? <span class="muted">(none)</span> : null}
                  </th>
                </tr>,
                ...shown.map((r) => (
                  <tr key={r.key} class={differs(r.cells) ? "differs" : ""}>
                    <th scope="row">{r.label}</th>
                    {r.cells.map((v, i) => (
                      <td key={i} class={r.class}>
                        {v ?? <span class="muted">—</span>}
                      </td>
                    ))}
                  </tr>
                )),
              ];
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
