import { useState } from "preact/hooks";
import type { RegisteredModel } from "@mlflow-ts/protocol";
import { get, post } from "../lib/api.js";
import { formatTime } from "../lib/format.js";
import { link, navigate } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { Field, FormDialog } from "../components/Dialog.js";

/** `#/models`: registered models, searchable by name; create. */
export function ModelsPage() {
  const [query, setQuery] = useState("");
  const [creating, setCreating] = useState(false);
  const filter = query.trim() ? `name ILIKE '%${query.trim().replace(/'/g, "\\'")}%'` : undefined;
  const models = useAsync(async (signal) => {
    const out: RegisteredModel[] = [];
    let pageToken: string | undefined;
    do {
      const page = await get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("registered-models/search", { filter, max_results: 1000, page_token: pageToken, order_by: "name ASC" }, signal);
      out.push(...(page.registered_models ?? []));
      pageToken = page.next_page_token;
    } while (pageToken && out.length < 20_000);
    return out;
  }, [filter]);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Registered models</h1>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          Create model
        </button>
      </div>
      <div class="toolbar">
        <input type="search" aria-label="Search models by name" placeholder="Search by name" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <span class="muted">{models.value ? `${models.value.length} models` : ""}</span>
      </div>
      {models.error && <p class="error">{models.error.message}</p>}
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Latest version</th>
            <th scope="col">Aliases</th>
            <th scope="col">Last modified</th>
          </tr>
        </thead>
        <tbody>
          {(models.value ?? []).map((m) => {
            const latest = [...(m.latest_versions ?? [])].sort((a, b) => Number(b.version) - Number(a.version))[0];
            return (
              <tr key={m.name}>
                <td>
                  <a href={link.model(m.name)}>{m.name}</a>
                </td>
                <td>{latest ? <a href={link.modelVersion(m.name, latest.version)}>Version {latest.version}</a> : <span class="muted">none</span>}</td>
                <td>
                  {(m.aliases ?? []).map((a) => (
                    <span key={a.alias} class="badge">
                      @{a.alias}: v{a.version}
                    </span>
                  ))}
                </td>
                <td>{formatTime(m.last_updated_timestamp)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {creating && (
        <FormDialog
          title="Create registered model"
          submitLabel="Create"
          onClose={() => setCreating(false)}
          onSubmit={async (data) => {
            const name = String(data.get("name")).trim();
            await post("registered-models/create", { name });
            navigate(link.model(name));
          }}
        >
          <Field label="Name" name="name" required />
        </FormDialog>
      )}
    </section>
  );
}
