import { useState } from "preact/hooks";
import type { Experiment } from "@mlflow-ts/protocol";
import { post } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { formatTime } from "../lib/format.js";
import { link, navigate } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { Field, FormDialog } from "../components/Dialog.js";

type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

async function searchAll(filter: string | undefined, viewType: ViewType, signal: AbortSignal): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await post<{ experiments?: Experiment[]; next_page_token?: string }>(
      "experiments/search",
      { max_results: 1000, view_type: viewType, filter, order_by: ["last_update_time DESC"], page_token: pageToken },
      signal,
    );
    out.push(...(page.experiments ?? []));
    pageToken = page.next_page_token;
  } while (pageToken && out.length < 20_000);
  return out;
}

/**
 * `#/experiments`: every experiment, searchable by name; create, rename, delete and restore; select
 * several to see their runs in one table.
 */
export function ExperimentsPage() {
  const { notify } = useApp();
  const [query, setQuery] = useState("");
  const [viewType, setViewType] = useState<ViewType>("ACTIVE_ONLY");
  const [selected, setSelected] = useState<readonly string[]>([]);
  const [dialog, setDialog] = useState<{ kind: "create" } | { kind: "rename"; experiment: Experiment }>();
  const filter = query.trim() ? `name ILIKE '%${query.trim().replace(/'/g, "\\'")}%'` : undefined;
  const experiments = useAsync((signal) => searchAll(filter, viewType, signal), [filter, viewType]);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      notify(what);
      experiments.reload();
    } catch (err) {
      notify((err as Error).message, "error");
    }
  };
  return (
    <section class="page">
      <div class="page-head">
        <h1>Experiments</h1>
        <button type="button" class="primary" onClick={() => setDialog({ kind: "create" })}>
          Create experiment
        </button>
      </div>
      <div class="toolbar">
        <input type="search" aria-label="Search experiments by name" placeholder="Search by name" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <label>
          <span class="sr-only">Lifecycle</span>
          <select aria-label="Lifecycle" value={viewType} onChange={(e) => setViewType((e.target as HTMLSelectElement).value as ViewType)}>
            <option value="ACTIVE_ONLY">Active</option>
            <option value="DELETED_ONLY">Deleted</option>
            <option value="ALL">All</option>
          </select>
        </label>
        <button type="button" disabled={selected.length < 2} title="The runs of the selected experiments in one table" onClick={() => navigate(link.compareExperiments(selected))}>
          Compare runs of selected ({selected.length})
        </button>
        <span class="muted">{experiments.value ? `${experiments.value.length} experiments` : ""}</span>
      </div>
      {experiments.error && <p class="error">{experiments.error.message}</p>}
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">
              <span class="sr-only">Select</span>
            </th>
            <th scope="col">Name</th>
            <th scope="col">ID</th>
            <th scope="col">Created</th>
            <th scope="col">Last modified</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(experiments.value ?? []).map((e) => (
            <tr key={e.experiment_id} class={e.lifecycle_stage === "deleted" ? "deleted" : ""}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select experiment ${e.name}`}
                  checked={selected.includes(e.experiment_id)}
                  onChange={(ev) => setSelected((s) => ((ev.target as HTMLInputElement).checked ? [...s, e.experiment_id] : s.filter((x) => x !== e.experiment_id)))}
                />
              </td>
              <td>
                <a href={link.experiment(e.experiment_id)}>{e.name}</a>
                {e.lifecycle_stage === "deleted" && <span class="badge">deleted</span>}
              </td>
              <td>{e.experiment_id}</td>
              <td>{formatTime(e.creation_time)}</td>
              <td>{formatTime(e.last_update_time)}</td>
              <td class="row-actions">
                <button type="button" aria-label={`Rename experiment ${e.name}`} onClick={() => setDialog({ kind: "rename", experiment: e })}>
                  Rename
                </button>
                {e.lifecycle_stage === "deleted" ? (
                  <button type="button" aria-label={`Restore experiment ${e.name}`} onClick={() => act(`Restored '${e.name}'`, () => post("experiments/restore", { experiment_id: e.experiment_id }))}>
                    Restore
                  </button>
                ) : (
                  <button
                    type="button"
                    aria-label={`Delete experiment ${e.name}`}
                    onClick={() => window.confirm(`Delete experiment '${e.name}'? It can be restored.`) && act(`Deleted '${e.name}'`, () => post("experiments/delete", { experiment_id: e.experiment_id }))}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {experiments.loading && <p class="muted">Loading…</p>}
      {dialog?.kind === "create" && (
        <FormDialog
          title="Create experiment"
          submitLabel="Create"
          onClose={() => setDialog(undefined)}
          onSubmit={async (data) => {
            const artifact = String(data.get("artifact_location") ?? "").trim();
            const { experiment_id } = await post<{ experiment_id: string }>("experiments/create", { name: String(data.get("name")), ...(artifact ? { artifact_location: artifact } : {}) });
            navigate(link.experiment(experiment_id));
          }}
        >
          <Field label="Name" name="name" required />
          <Field label="Artifact location (optional)" name="artifact_location" value="" />
        </FormDialog>
      )}
      {dialog?.kind === "rename" && (
        <FormDialog
          title={`Rename '${dialog.experiment.name}'`}
          submitLabel="Rename"
          onClose={() => setDialog(undefined)}
          onSubmit={async (data) => {
            await post("experiments/update", { experiment_id: dialog.experiment.experiment_id, new_name: String(data.get("name")) });
            notify("Renamed");
            experiments.reload();
          }}
        >
          <Field label="New name" name="name" value={dialog.experiment.name} required />
        </FormDialog>
      )}
    </section>
  );
}
