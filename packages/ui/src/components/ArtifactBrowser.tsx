import { useEffect, useRef, useState } from "preact/hooks";
import type { FileInfo } from "@mlflow-ts/protocol";
import { artifactUrl, get } from "../lib/api.js";
import { formatBytes } from "../lib/format.js";
import type { Registration } from "../lib/registrations.js";
import { ArtifactPreview } from "./ArtifactPreview.js";
import { RegisteredAs } from "./RegisteredAs.js";

interface Node {
  readonly info: FileInfo;
  children?: Node[];
  open?: boolean;
}

async function list(runId: string, path: string): Promise<FileInfo[]> {
  const { files } = await get<{ files?: FileInfo[] }>("artifacts/list", { run_id: runId, ...(path ? { path } : {}) });
  return [...(files ?? [])].sort((a, b) => (a.is_dir === b.is_dir ? a.path.localeCompare(b.path) : a.is_dir ? -1 : 1));
}

/**
 * Opens the directories on the way to `path` (each lists once) and returns the node of `path`
 * itself, opened too when it is a directory; undefined when the tree has no such path.
 */
async function expandTo(runId: string, roots: Node[], path: string): Promise<Node | undefined> {
  const parts = path.split("/").filter(Boolean);
  let level = roots;
  let node: Node | undefined;
  for (let i = 0; i < parts.length; i += 1) {
    const prefix = parts.slice(0, i + 1).join("/");
    node = level.find((n) => n.info.path === prefix);
    if (!node) return undefined;
    if (!node.info.is_dir) return i === parts.length - 1 ? node : undefined;
    node.children ??= (await list(runId, prefix)).map((info) => ({ info }));
    node.open = true;
    level = node.children;
  }
  return node;
}

/**
 * A run's artifacts as a tree (directories load when opened) beside a preview of the chosen file,
 * with a download link; `onRegister` offers to register a directory holding an `MLmodel`, and
 * `registeredAs` names the versions already registered from one.
 *
 * `initial` is a path from the URL (a deep link to a file or a logged model's directory): the tree
 * opens every directory down to it, selects it and scrolls it into view. `onSelect` hears each
 * path the user chooses, so the page can keep the URL pointing at it.
 *
 * @example
 * <ArtifactBrowser runId={runId} initial="plots/roc.png" onSelect={(path) => history.replaceState(null, "", `#…/artifacts/${path}`)} />
 */
export function ArtifactBrowser(props: { runId: string; initial?: string; onRegister?: (path: string) => void; registeredAs?: (path: string) => readonly Registration[]; onSelect?: (path: string) => void }) {
  const [roots, setRoots] = useState<Node[]>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<FileInfo>();
  const [, redraw] = useState(0);
  const tree = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let current = true;
    setRoots(undefined);
    setSelected(undefined);
    setError(undefined);
    (async () => {
      const top = (await list(props.runId, "")).map((info) => ({ info }));
      const initial = props.initial?.replace(/\/+$/, "");
      if (initial) {
        const node = await expandTo(props.runId, top, initial).catch(() => undefined);
        if (!current) return;
        if (node) setSelected(node.info);
        else {
          // Not in the listing (a path the repository does not list): try it as a directory, else as a file.
          const files = await list(props.runId, initial).catch(() => []);
          if (current) setSelected({ path: initial, is_dir: files.length > 0 });
        }
      }
      if (current) setRoots(top);
    })().catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [props.runId, props.initial]);
  // The deep-linked entry may be far down a long listing.
  useEffect(() => {
    tree.current?.querySelector(".tree-item.selected")?.scrollIntoView({ block: "nearest" });
  }, [roots]);
  const toggle = async (node: Node) => {
    setSelected(node.info);
    props.onSelect?.(node.info.path);
    if (!node.info.is_dir) return;
    node.open = !node.open;
    if (node.open && !node.children) {
      try {
        node.children = (await list(props.runId, node.info.path)).map((info) => ({ info }));
      } catch (e) {
        setError((e as Error).message);
      }
    }
    redraw((n) => n + 1);
  };
  const render = (nodes: Node[], depth: number) => (
    <ul role={depth === 0 ? "tree" : "group"} aria-label={depth === 0 ? "Artifacts" : undefined}>
      {nodes.map((node) => {
        const name = node.info.path.split("/").pop();
        return (
          <li key={node.info.path} role="treeitem" aria-expanded={node.info.is_dir ? Boolean(node.open) : undefined} aria-selected={selected?.path === node.info.path}>
            <button type="button" class={`tree-item${selected?.path === node.info.path ? " selected" : ""}`} style={{ paddingLeft: `${depth * 14 + 4}px` }} onClick={() => toggle(node)}>
              {node.info.is_dir ? (node.open ? "▾ " : "▸ ") : "  "}
              {name}
              {!node.info.is_dir && <span class="muted"> {formatBytes(node.info.file_size)}</span>}
            </button>
            {node.open && node.children && render(node.children, depth + 1)}
          </li>
        );
      })}
    </ul>
  );
  const selectedIsModel = selected?.is_dir && roots !== undefined;
  return (
    <div class="artifacts">
      <div class="tree" ref={tree}>
        {error && <p class="error">{error}</p>}
        {roots === undefined ? <p class="muted">Loading…</p> : roots.length === 0 ? <p class="muted">No artifacts</p> : render(roots, 0)}
      </div>
      <div class="preview">
        {selected && !selected.is_dir && (
          <>
            <div class="preview-head">
              <strong>{selected.path}</strong>
              <a class="button" href={artifactUrl(props.runId, selected.path)} download>
                Download
              </a>
            </div>
            <ArtifactPreview url={artifactUrl(props.runId, selected.path)} path={selected.path} size={selected.file_size} resolve={(path) => artifactUrl(props.runId, path)} />
          </>
        )}
        {selected?.is_dir && (
          <div class="preview-head">
            <strong>{selected.path}/</strong>
            {selectedIsModel && props.onRegister && <ModelDirActions runId={props.runId} path={selected.path} onRegister={props.onRegister} registered={props.registeredAs?.(selected.path) ?? []} />}
          </div>
        )}
        {!selected && <p class="muted">Choose a file to preview it.</p>}
      </div>
    </div>
  );
}

/** Offers "Register model" when the directory holds an MLmodel file, saying where it is registered already. */
function ModelDirActions(props: { runId: string; path: string; onRegister: (path: string) => void; registered: readonly Registration[] }) {
  const [isModel, setIsModel] = useState(false);
  useEffect(() => {
    setIsModel(false);
    list(props.runId, props.path).then((files) => setIsModel(files.some((f) => f.path.endsWith("/MLmodel") || f.path === "MLmodel")), () => {});
  }, [props.runId, props.path]);
  return isModel ? (
    <span class="row-actions">
      <RegisteredAs registrations={props.registered} />
      <button type="button" class="primary" onClick={() => props.onRegister(props.path)}>
        Register model
      </button>
    </span>
  ) : null;
}
