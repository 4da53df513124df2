import { useState } from "preact/hooks";
import type { ModelVersion, RegisteredModel } from "@mlflow-ts/protocol";
import { del, get, patch, post } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { formatTime } from "../lib/format.js";
import { link, navigate } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { EditableText } from "../components/EditableText.js";
import { TagTable } from "../components/TagTable.js";
import { CodeSnippet } from "../components/CodeSnippet.js";
import { ModelSignature } from "../components/ModelSignature.js";
import { loadSnippet } from "../lib/load-snippet.js";
import { loadVersionFiles } from "../lib/model-files.js";
import { RunLink } from "./ModelPage.js";
import "../models.css";

const STAGES = ["None", "Staging", "Production", "Archived"];

/**
 * `#/models/<name>/versions/<v>`: source run, stage, aliases, description, how to load it, the
 * signature and input example its MLmodel holds, and tags.
 */
export function ModelVersionPage(props: { name: string; version: string }) {
  const { notify } = useApp();
  const version = useAsync((signal) => get<{ model_version: ModelVersion }>("model-versions/get", { name: props.name, version: props.version }, signal).then((r) => r.model_version), [props.name, props.version]);
  const model = useAsync((signal) => get<{ registered_model: RegisteredModel }>("registered-models/get", { name: props.name }, signal).then((r) => r.registered_model), [props.name]);
  const files = useAsync((signal) => loadVersionFiles(props.name, props.version, signal), [props.name, props.version]);
  const [alias, setAlias] = useState("");
  if (version.error) return <section class="page"><h1>{props.name} version {props.version}</h1><p class="error">{version.error.message}</p></section>;
  const v = version.value;
  if (!v) return <section class="page">Loading…</section>;
  const aliases = (model.value?.aliases ?? []).filter((a) => a.version === v.version).map((a) => a.alias);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      notify(what);
      version.reload();
      model.reload();
    } catch (err) {
      notify((err as Error).message, "error");
    }
  };
  return (
    <section class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={link.models()}>Registered models</a> / <a href={link.model(v.name)}>{v.name}</a> /
      </nav>
      <div class="page-head">
        <h1>
          {v.name} version {v.version}
        </h1>
        <button
          type="button"
          onClick={() =>
            window.confirm(`Delete version ${v.version}?`) &&
            act("Deleted", async () => {
              await del("model-versions/delete", { name: v.name, version: v.version });
              navigate(link.model(v.name));
            })
          }
        >
          Delete version
        </button>
      </div>
      <table class="kv overview">
        <tbody>
          <tr>
            <th scope="row">Registered</th>
            <td>{formatTime(v.creation_timestamp)}</td>
          </tr>
          <tr>
            <th scope="row">Source run</th>
            <td>{v.run_id ? <RunLink runId={v.run_id} /> : <span class="muted">none</span>}</td>
          </tr>
          <tr>
            <th scope="row">Source</th>
            <td>
              <code>{v.source}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Status</th>
            <td>{v.status}</td>
          </tr>
          <tr>
            <th scope="row">Stage</th>
            <td>
              <label>
                <span class="sr-only">Stage</span>
                <select
                  aria-label="Stage"
                  value={v.current_stage}
                  onChange={(e) => {
                    const stage = (e.target as HTMLSelectElement).value;
                    void act(`Moved to ${stage}`, () => post("model-versions/transition-stage", { name: v.name, version: v.version, stage, archive_existing_versions: false }));
                  }}
                >
                  {STAGES.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
            </td>
          </tr>
          <tr>
            <th scope="row">Aliases</th>
            <td>
              {aliases.map((a) => (
                <span key={a} class="badge">
                  @{a}{" "}
                  <button type="button" class="link" aria-label={`Remove alias ${a}`} onClick={() => act(`Removed @${a}`, () => del("registered-models/alias", { name: v.name, alias: a }))}>
                    ×
                  </button>
                </span>
              ))}
              <form
                class="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (alias.trim()) void act(`Set @${alias.trim()}`, () => post("registered-models/alias", { name: v.name, alias: alias.trim(), version: v.version })).then(() => setAlias(""));
                }}
              >
                <input aria-label="New alias" placeholder="alias" value={alias} onInput={(e) => setAlias((e.target as HTMLInputElement).value)} />
                <button type="submit">Add alias</button>
              </form>
            </td>
          </tr>
        </tbody>
      </table>
      <h2>Description</h2>
      <EditableText label="Description" value={v.description} onSave={async (description) => { await patch("model-versions/update", { name: v.name, version: v.version, description }); version.reload(); }} />
      <h2>How to load</h2>
      <CodeSnippet label="How to load" code={loadSnippet(v.name, v.version, aliases, files.value?.info?.loaderModule)} />
      <ModelSignature files={files} />
      <h2>Tags</h2>
      <TagTable
        tags={v.tags ?? []}
        caption="Version tags"
        onSet={async (key, value) => {
          await post("model-versions/set-tag", { name: v.name, version: v.version, key, value });
          version.reload();
        }}
        onDelete={async (key) => {
          await del("model-versions/delete-tag", { name: v.name, version: v.version, key });
          version.reload();
        }}
      />
    </section>
  );
}
