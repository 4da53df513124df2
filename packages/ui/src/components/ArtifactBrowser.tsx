import { useEffect, useState } from "preact/hooks";
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
 * A run's artifacts as a tree (directories load when opened) beside a preview of the chosen file,
 * with a download link; `onRegister` offers to register a directory holding an `MLmodel`, and
 * `registeredAs` names the versions already registered from one.
 */
export function ArtifactBrowser(props: { runId: string; initial?: string; onRegister?: (path: string) => void; registeredAs?: (path: string) => readonly Registration[] }) {
  const [roots, setRoots] = useState<Node[]>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<FileInfo>();
  const [, redraw] = useState(0);
  useEffect(() => {
    list(props.runId, "").then((files) => setRoots(files.map((info) => ({ info }))), (e: Error) => setError(e.message));
    // A path in the URL (a logged model's directory, a file): a directory lists its entries.
    if (props.initial) {
      const initial = props.initial;
      list(props.runId, initial).then(
        (files) => setSelected({ path: initial, is_dir: files.length > 0 }),
        () => setSelected({ path: initial, is_dir: false }),
      );
    }
  }, [props.runId, props.initial]);
  const toggle = async (node: Node) => {
    setSelected(node.info);
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
      <div class="tree">
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
            <ArtifactPreview url={artifactUrl(props.runId, selected.path)} path={selected.path} size={selected.file_size} />
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
