import type { MlmodelInfo } from "./mlmodel.js";
import { modelVersionArtifactUrl } from "./api.js";

/** What a model's directory says about it: its MLmodel, read, and its saved input example. */
export interface ModelFiles {
  /** Undefined when the directory has no MLmodel (a version registered from a plain folder). */
  readonly info?: MlmodelInfo;
  /** The input example's JSON, when MLmodel names one and it could be read. */
  readonly example?: unknown;
  /** Why the input example is not shown (missing, too large, not JSON). */
  readonly exampleError?: string;
}

// An example larger than this is offered as a file, not parsed into the page.
const MAX_EXAMPLE_BYTES = 1024 * 1024;

async function fetchText(url: string, signal?: AbortSignal): Promise<{ status: number; text: string; size: number }> {
  const response = await fetch(url, { signal, credentials: "same-origin" });
  const size = Number(response.headers.get("Content-Length") ?? "0");
  if (response.ok && size > MAX_EXAMPLE_BYTES) {
    await response.body?.cancel();
    return { status: response.status, text: "", size };
  }
  return { status: response.status, text: await response.text(), size };
}

function errorOf(status: number, body: string): string {
  try {
    return String((JSON.parse(body) as { message?: unknown }).message ?? `HTTP ${status}`);
  } catch {
    return `HTTP ${status}`;
  }
}

/**
 * Reads a model directory's `MLmodel` (and the input example it names) through `fileUrl`, which
 * turns a path inside the directory into a download URL. The YAML reader loads on first use.
 *
 * @example
 * const files = await loadModelFiles((path) => modelVersionArtifactUrl("churn", "1", path));
 * files.info?.signature?.inputs;
 */
export async function loadModelFiles(fileUrl: (path: string) => string, signal?: AbortSignal): Promise<ModelFiles> {
  // The reader's chunk downloads while the file does.
  const reader = import("./mlmodel.js");
  reader.catch(() => undefined); // Awaited below only when there is a file; never an unhandled rejection.
  const mlmodel = await fetchText(fileUrl("MLmodel"), signal);
  if (mlmodel.status === 404) return {};
  if (mlmodel.status >= 400) throw new Error(`MLmodel could not be read: ${errorOf(mlmodel.status, mlmodel.text)}`);
  const { parseMlmodel } = await reader;
  const info = parseMlmodel(mlmodel.text);
  const examplePath = info.inputExample?.artifactPath;
  if (!examplePath) return { info };
  const example = await fetchText(fileUrl(examplePath), signal);
  if (example.status >= 400) return { info, exampleError: `${examplePath} could not be read: ${errorOf(example.status, example.text)}` };
  if (example.size > MAX_EXAMPLE_BYTES) return { info, exampleError: `${examplePath} is too large to show here (${Math.round(example.size / 1024)} KB); download it.` };
  try {
    return { info, example: JSON.parse(example.text) as unknown };
  } catch {
    return { info, exampleError: `${examplePath} is not JSON` };
  }
}

/**
 * {@link loadModelFiles} of a registered model's version, through the server's
 * `model-versions/get-artifact` (which follows the version's source: a run's folder, a logged
 * model, a location).
 *
 * @example
 * const files = await loadVersionFiles("churn", "2", signal);
 */
export function loadVersionFiles(name: string, version: string, signal?: AbortSignal): Promise<ModelFiles> {
  return loadModelFiles((path) => modelVersionArtifactUrl(name, version, path), signal);
}
