import fs from "node:fs";
import fsp from "node:fs/promises";
import type { FileInfo } from "@mlflow-ts/protocol";
import { readText, saveBody, streamRequest } from "./file-transfer.js";
import { responseError } from "./response-error.js";
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
    const streamed = body !== null && typeof body === "object" && ("getReader" in body || Symbol.asyncIterator in body);
    const response = await this.fetchFn(`${this.trackingUri}${path}`, {
      method,
      headers: { ...this.headers, ...extra },
      body,
      ...(streamed ? { duplex: "half" } : {}),
    } as RequestInit);
    if (!response.ok) throw responseError(response.status, await response.text(), path);
    return response;
  }

  /** Uploads bytes (a Buffer, string, Blob or web stream) to a path. */
  async upload(path: string, body: BodyInit, contentType = "application/octet-stream"): Promise<void> {
    await (await this.raw("PUT", `${PROXY}/${encodePath(path)}`, body, { "Content-Type": contentType })).arrayBuffer();
  }
  /**
   * Uploads a local file, streamed from disk (never held in memory), like MLflow's `log_artifact`.
   *
   * @example
   * await artifacts.uploadFile(`1/${runId}/artifacts/model.pkl`, "./model.pkl");
   */
  async uploadFile(path: string, localFile: string, contentType = "application/octet-stream"): Promise<void> {
    const route = `${PROXY}/${encodePath(path)}`;
    const extra = { "Content-Type": contentType, "Content-Length": String((await fsp.stat(localFile)).size) };
    if (this.customFetch) {
      await (await this.raw("PUT", route, fs.createReadStream(localFile) as unknown as BodyInit, extra)).arrayBuffer();
      return;
    }
    const response = await streamRequest(new URL(`${this.trackingUri}${route}`), "PUT", { ...this.headers, ...extra }, localFile);
    const text = await readText(response.body);
    if (response.status >= 400) throw responseError(response.status, text, route);
  }

  /**
   * Downloads a file to `localFile`, streamed to disk; a failed download leaves nothing behind.
   * Resolves with the number of bytes.
   *
   * @example
   * await artifacts.downloadFile(`1/${runId}/artifacts/model.pkl`, "./model.pkl");
   */
  async downloadFile(path: string, localFile: string): Promise<number> {
    const route = `${PROXY}/${encodePath(path)}`;
    if (this.customFetch) {
      const response = await this.raw("GET", route);
      const length = response.headers.get("content-length");
      // Node's web streams are async iterables; lib.dom's type does not say so.
      const body = (response.body ?? new ReadableStream()) as unknown as AsyncIterable<Uint8Array>;
      return saveBody(body, localFile, length === null ? undefined : Number(length));
    }
    const response = await streamRequest(new URL(`${this.trackingUri}${route}`), "GET", this.headers);
    if (response.status >= 400) throw responseError(response.status, await readText(response.body), route);
    const length = response.headers["content-length"];
    return saveBody(response.body, localFile, length === undefined ? undefined : Number(length));
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
