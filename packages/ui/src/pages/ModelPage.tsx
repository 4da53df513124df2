import { useState } from "preact/hooks";
import type { ModelVersion, RegisteredModel } from "@mlflow-ts/protocol";
import { del, get, patch, post } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { formatTime } from "../lib/format.js";
import { link, navigate } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { EditableText } from "../components/EditableText.js";
import { TagTable } from "../components/TagTable.js";
import { Field, FormDialog } from "../components/Dialog.js";

/**
 * `#/models/<name>`: description, versions with stages and aliases (select some to compare them),
 * tags, rename and delete.
 */
export function ModelPage(props: { name: string }) {
  const { notify } = useApp();
  const [dialog, setDialog] = useState<"rename" | "alias">();
  const [selected, setSelected] = useState<readonly string[]>([]);
  const model = useAsync((signal) => get<{ registered_model: RegisteredModel }>("registered-models/get", { name: props.name }, signal).then((r) => r.registered_model), [props.name]);
  const versions = useAsync(async (signal) => {
    const out: ModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const page = await get<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
        "model-versions/search",
        { filter: `name = '${props.name.replace(/'/g, "\\'")}'`, max_results: 1000, order_by: "version_number DESC", page_token: pageToken },
        signal,
      );
      out.push(...(page.model_versions ?? []));
      pageToken = page.next_page_token;
    } while (pageToken);
    return out;
  }, [props.name]);
  if (model.error) return <section class="page"><h1>{props.name}</h1><p class="error">{model.error.message}</p></section>;
  const m = model.value;
  if (!m) return <section class="page">Loading…</section>;
  const aliasesOf = (version: string) => (m.aliases ?? []).filter((a) => a.version === version).map((a) => a.alias);
  return (
    <section class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={link.models()}>Registered models</a> /
      </nav>
      <div class="page-head">
        <h1>{m.name}</h1>
        <button type="button" onClick={() => setDialog("rename")}>
          Rename
        </button>
        <button type="button" onClick={() => setDialog("alias")}>
          Set alias
        </button>
        <button
          type="button"
          onClick={async () => {
            if (!window.confirm(`Delete model '${m.name}' and all its versions?`)) return;
            try {
              await del("registered-models/delete", { name: m.name });
              navigate(link.models());
            } catch (err) {
              notify((err as Error).message, "error");
            }
          }}
        >
          Delete
        </button>
      </div>
      <p class="muted">
        Created {formatTime(m.creation_timestamp)} · last modified {formatTime(m.last_updated_timestamp)}
      </p>
      <h2>Description</h2>
      <EditableText
        label="Description"
        value={m.description}
        onSave={async (description) => {
          await patch("registered-models/update", { name: m.name, description });
          model.reload();
        }}
      />
      <div class="page-head">
        <h2>Versions</h2>
        <button type="button" disabled={selected.length < 2} onClick={() => navigate(link.compareModelVersions(m.name, [...selected].sort((a, b) => Number(a) - Number(b))))}>
          Compare versions ({selected.length})
        </button>
      </div>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">
              <span class="sr-only">Select</span>
            </th>
            <th scope="col">Version</th>
            <th scope="col">Registered</th>
            <th scope="col">Stage</th>
            <th scope="col">Aliases</th>
            <th scope="col">Source run</th>
          </tr>
        </thead>
        <tbody>
          {(versions.value ?? []).map((v) => (
            <tr key={v.version}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select version ${v.version}`}
                  checked={selected.includes(v.version)}
                  onChange={(e) => setSelected((s) => ((e.target as HTMLInputElement).checked ? [...s, v.version] : s.filter((x) => x !== v.version)))}
                />
              </td>
              <td>
                <a href={link.modelVersion(m.name, v.version)}>Version {v.version}</a>
              </td>
              <td>{formatTime(v.creation_timestamp)}</td>
              <td>{v.current_stage}</td>
              <td>
                {aliasesOf(v.version).map((a) => (
                  <span key={a} class="badge">
                    @{a}
                  </span>
                ))}
              </td>
              <td>{v.run_id ? <RunLink runId={v.run_id} /> : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Tags</h2>
      <TagTable
        tags={m.tags ?? []}
        caption="Model tags"
        onSet={async (key, value) => {
          await post("registered-models/set-tag", { name: m.name, key, value });
          model.reload();
        }}
        onDelete={async (key) => {
          await del("registered-models/delete-tag", { name: m.name, key });
          model.reload();
        }}
      />
      {dialog === "rename" && (
        <FormDialog
          title={`Rename ${m.name}`}
          submitLabel="Rename"
          onClose={() => setDialog(undefined)}
          onSubmit={async (data) => {
            const name = String(data.get("name")).trim();
            await post("registered-models/rename", { name: m.name, new_name: name });
            navigate(link.model(name));
          }}
        >
          <Field label="New name" name="name" value={m.name} required />
        </FormDialog>
      )}
      {dialog === "alias" && (
        <FormDialog
          title="Set alias"
          submitLabel="Set"
          onClose={() => setDialog(undefined)}
          onSubmit={async (data) => {
            await post("registered-models/alias", { name: m.name, alias: String(data.get("alias")).trim(), version: String(data.get("version")).trim() });
            model.reload();
          }}
        >
          <Field label="Alias" name="alias" required />
          <Field label="Version" name="version" required />
        </FormDialog>
      )}
    </section>
  );
}

/** A link to a run, resolving its experiment. */
export function RunLink(props: { runId: string }) {
  const info = useAsync((signal) => get<{ run: { info: { experiment_id: string; run_name: string } } }>("runs/get", { run_id: props.runId }, signal).then((r) => r.run.info), [props.runId]);
  if (!info.value) return <code>{props.runId.slice(0, 8)}</code>;
  return <a href={link.run(info.value.experiment_id, props.runId)}>{info.value.run_name || props.runId}</a>;
}
