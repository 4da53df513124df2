import { useEffect, useRef, useState } from "preact/hooks";
import type { UiHost } from "@mlflow-ts/protocol";
import { request, serverUrl } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { element } from "../lib/element.js";
import { navigate } from "../lib/router.js";

type Mount = (element: HTMLElement, host: UiHost) => void | (() => void);

/**
 * `#/apps/<app>/<page>`: a page an app contributes. Its module (served by the app) is imported and
 * its `mount(element, host)` renders into the page's area.
 */
export function AppPage(props: { app: string; id: string }) {
  const { manifest, notify } = useApp();
  const area = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const page = manifest.pages.find((p) => p.app === props.app && p.id === props.id);
  useEffect(() => {
    if (!page || !area.current) return;
    let cleanup: void | (() => void);
    let cancelled = false;
    const host: UiHost = {
      user: manifest.user,
      fetchJson: (path, init) => request(init?.method ?? "GET", path, { body: init?.body, query: init?.query }),
      navigate,
      notify,
      element,
      act: async (done, fn) => {
        try {
          await fn();
          notify(done);
          return true;
        } catch (e) {
          notify((e as Error).message, "error");
          return false;
        }
      },
    };
    import(/* @vite-ignore */ serverUrl(page.module)).then(
      (module: Record<string, unknown>) => {
        const mount = module[page.exportName ?? "mount"] as Mount | undefined;
        if (cancelled || !area.current) return;
        if (typeof mount !== "function") {
          setError(`${page.module} exports no function '${page.exportName ?? "mount"}'`);
          return;
        }
        area.current.replaceChildren();
        cleanup = mount(area.current, host);
      },
      (e: Error) => setError(`Could not load ${page.module}: ${e.message}`),
    );
    return () => {
      cancelled = true;
      if (typeof cleanup === "function") cleanup();
    };
  }, [page?.module, page?.exportName, manifest.user?.username]);
  if (!page) {
    return (
      <section class="page">
        <h1>Not available</h1>
        <p>{manifest.pages.length === 0 ? "Loading…" : `No app page '${props.app}/${props.id}' here (or it is for admins only).`}</p>
      </section>
    );
  }
  return (
    <section class="page">
      <h1>{page.title}</h1>
      {error && <p class="error">{error}</p>}
      <div ref={area} class="app-page" />
    </section>
  );
}
