import type { FileInfo } from "@mlflow-ts/protocol";
import { MlflowError, errorCodeForStatus, type ErrorCode } from "@mlflow-ts/protocol";
import { RestClient } from "./rest-client.js";

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";

function encodePath(path: string): string {
  return path.split("/").filter(Boolean).map(encodeURIComponent).join("/");
}

/**
 * A client of the artifact proxy (`/api/2.0/mlflow-artifacts`), with paths relative to the
 * server's artifact destination, such as `1/<run_id>/artifacts/model/MLmodel`.
 *
 * @example
 * const artifacts = new ArtifactsClient("http://127.0.0.1:5000");
 * await artifacts.upload(`1/${runId}/artifacts/notes.txt`, "hello");
 */
export class ArtifactsClient extends RestClient {
  private async raw(method: string, path: string, body?: BodyInit, extra: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.trackingUri}${path}`, {
      method,
      headers: { ...this.headers, ...extra },
      body,
      ...(body && typeof body === "object" && "getReader" in body ? { duplex: "half" } : {}),
    } as RequestInit);
    if (!response.ok) {
      const text = await response.text();
      let parsed: { error_code?: string; message?: string } | undefined;
      try {
        parsed = JSON.parse(text) as { error_code?: string; message?: string };
      } catch {
        parsed = undefined;
      }
      throw new MlflowError((parsed?.error_code as ErrorCode) ?? errorCodeForStatus(response.status), parsed?.message ?? text, { status: response.status });
    }
    return response;
  }

  /** Uploads bytes (a Buffer, string, Blob or web stream) to a path. */
  async upload(path: string, body: BodyInit, contentType = "application/octet-stream"): Promise<void> {
    await (await this.raw("PUT", `${PROXY}/${encodePath(path)}`, body, { "Content-Type": contentType })).arrayBuffer();
  }
  /** Downloads a file; the response body can be streamed. */
  download(path: string): Promise<Response> {
    return this.raw("GET", `${PROXY}/${encodePath(path)}`);
  }
  /** Lists a directory: basenames with `is_dir` and `file_size`. */
  async list(path = ""): Promise<FileInfo[]> {
    return (await this.request<{ files?: FileInfo[] }>("GET", PROXY, { path: path || undefined })).files ?? [];
  }
  async delete(path: string): Promise<void> {
    await (await this.raw("DELETE", `${PROXY}/${encodePath(path)}`)).arrayBuffer();
  }
  /** The tracking-side listing of a run's artifacts (run-relative paths). */
  async listRunArtifacts(runId: string, path?: string): Promise<{ rootUri: string; files: FileInfo[] }> {
    const r = await this.request<{ root_uri: string; files?: FileInfo[] }>("GET", "/api/2.0/mlflow/artifacts/list", { run_id: runId, path });
    return { rootUri: r.root_uri, files: r.files ?? [] };
  }
}
