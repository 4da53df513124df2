import { useEffect, useState } from "preact/hooks";
import type { UiManifest } from "@mlflow-ts/protocol";
import { request } from "./lib/api.js";
import { AppContext } from "./lib/app-context.js";
import { link, useRoute, type Route } from "./lib/router.js";
import { ExperimentsPage } from "./pages/ExperimentsPage.js";
import { ExperimentPage } from "./pages/ExperimentPage.js";
import { RunPage } from "./pages/RunPage.js";
import { TracePage } from "./pages/TracePage.js";
import { ComparePage } from "./pages/ComparePage.js";
import { ModelsPage } from "./pages/ModelsPage.js";
import { ModelPage } from "./pages/ModelPage.js";
import { ModelVersionPage } from "./pages/ModelVersionPage.js";
import { AppPage } from "./pages/AppPage.js";
import { CompareExperimentsPage } from "./pages/CompareExperimentsPage.js";
import { CompareModelVersionsPage } from "./pages/CompareModelVersionsPage.js";
import { ThemeToggle } from "./components/ThemeToggle.js";

interface Note {
  readonly id: number;
  readonly message: string;
  readonly kind: "info" | "error";
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "experiments":
      return <ExperimentsPage />;
    case "experiment":
      return <ExperimentPage experimentId={route.experimentId} tab={route.tab} datasetId={route.datasetId} />;
    case "run":
      return <RunPage experimentId={route.experimentId} runId={route.runId} tab={route.tab} artifact={route.artifact} />;
    case "trace":
      return <TracePage experimentId={route.experimentId} traceId={route.traceId} />;
    case "compare":
      return <ComparePage runIds={route.runIds} />;
    case "compare-experiments":
      return <CompareExperimentsPage experimentIds={route.experimentIds} />;
    case "compare-model-versions":
      return <CompareModelVersionsPage name={route.name} versions={route.versions} />;
    case "models":
      return <ModelsPage />;
    case "model":
      return <ModelPage name={route.name} />;
    case "model-version":
      return <ModelVersionPage name={route.name} version={route.version} />;
    case "app":
      return <AppPage app={route.app} id={route.id} />;
    default:
      return (
        <section class="page">
          <h1>Page not found</h1>
          <p>
            Nothing is at <code>#{route.hash}</code>. <a href={link.experiments()}>Experiments</a>
          </p>
        </section>
      );
  }
}

/** The UI: a top bar (sections, app pages, who is signed in), the page, and notifications. */
export function App() {
  const route = useRoute();
  const [manifest, setManifest] = useState<UiManifest>({ pages: [] });
  const [notes, setNotes] = useState<Note[]>([]);
  useEffect(() => {
    request<UiManifest>("GET", "ajax-api/2.0/mlflow-ts/ui/extensions").then(setManifest, () => {});
  }, []);
  const notify = (message: string, kind: "info" | "error" = "info") => {
    const id = Date.now() + Math.random();
    setNotes((n) => [...n, { id, message, kind }]);
    setTimeout(() => setNotes((n) => n.filter((x) => x.id !== id)), kind === "error" ? 8000 : 4000);
  };
  const section = route.page === "models" || route.page === "model" || route.page === "model-version" || route.page === "compare-model-versions" ? "models" : route.page === "app" ? "app" : "experiments";
  const main = manifest.pages.filter((p) => p.navigation === "main");
  const account = manifest.pages.filter((p) => p.navigation === "account" || p.navigation === "admin");
  return (
    <AppContext.Provider value={{ manifest, notify }}>
      <header class="topbar">
        <a class="brand" href={link.experiments()} aria-label="mlflow-ts home">
          mlflow<span>-ts</span>
        </a>
        <nav aria-label="Sections">
          <a href={link.experiments()} aria-current={section === "experiments" ? "page" : undefined}>
            Experiments
          </a>
          <a href={link.models()} aria-current={section === "models" ? "page" : undefined}>
            Models
          </a>
          {main.map((p) => (
            <a key={`${p.app}/${p.id}`} href={link.app(p.app, p.id)}>
              {p.title}
            </a>
          ))}
        </nav>
        <div class="account">
          <ThemeToggle />
          {manifest.user && (
            <details class="menu" onClick={(e) => (e.target as HTMLElement).tagName === "A" && ((e.currentTarget as HTMLDetailsElement).open = false)}>
              <summary aria-label={`Signed in as ${manifest.user.username}`}>
                {manifest.user.username}
                {manifest.user.isAdmin ? " (admin)" : ""}
              </summary>
              <ul>
                {account.map((p) => (
                  <li key={`${p.app}/${p.id}`}>
                    <a href={link.app(p.app, p.id)}>{p.title}</a>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      </header>
      <main>
        <Page route={route} />
      </main>
      <div class="notes" role="status" aria-live="polite">
        {notes.map((n) => (
          <div key={n.id} class={`note ${n.kind}`}>
            {n.message}
          </div>
        ))}
      </div>
    </AppContext.Provider>
  );
}
