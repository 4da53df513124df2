// Publishing a registry tarball as it is, through the registry's HTTP API — the same PUT
// `npm publish` sends (libnpmpublish): the package document with one version and the tarball as a
// base64 attachment. Used for the third-party packages a test registry must serve: one npm process
// per package would cost a second each, hundreds of times; these requests run side by side.
import crypto from "node:crypto";
import fs from "node:fs";
import zlib from "node:zlib";

/**
 * The `package.json` inside an npm tarball (gzipped tar whose one top folder — `package/` for most,
 * another name for some — holds the package), parsed.
 *
 * @example
 * readTarballManifest(fs.readFileSync("express-5.3.0.tgz")).version; // "5.3.0"
 */
export function readTarballManifest(tgz: Buffer): Record<string, unknown> {
  const tar = zlib.gunzipSync(tgz);
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, to: number) => header.subarray(from, to).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 136).trim() || "0", 8);
    const type = field(156, 157);
    const body = tar.subarray(at + 512, at + 512 + size);
    const prefix = field(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    // GNU long names ('L') and pax headers ('x') name the entry that follows.
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "x") longName = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
    else if ((type === "0" || type === "") && /^[^/]+\/package\.json$/.test(name.replace(/^\.\//, ""))) return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("the tarball has no <folder>/package.json");
}

/**
 * PUTs `file` (an npm tarball) to `registry` as version `version` of `name` (the lockfile's,
 * which wins over a `v`-prefixed or missing one in old package.json files). Throws with the
 * registry's answer when it refuses.
 *
 * @example
 * await publishTarball({ url: "http://127.0.0.1:4873/", token }, "/tmp/tgz/express-5.3.0.tgz", "express", "5.3.0");
 */
export async function publishTarball(registry: { url: string; token: string }, file: string, name: string, version: string): Promise<void> {
  const data = fs.readFileSync(file);
  const manifest: Record<string, unknown> = { ...readTarballManifest(data), name, version, _id: `${name}@${version}` };
  const tarballName = `${name}-${version}.tgz`;
  manifest.dist = {
    integrity: `sha512-${crypto.createHash("sha512").update(data).digest("base64")}`,
    shasum: crypto.createHash("sha1").update(data).digest("hex"),
    tarball: new URL(`${name}/-/${tarballName}`, registry.url).href,
  };
  const document = {
    _id: name,
    name,
    description: manifest.description,
    "dist-tags": { latest: version },
    versions: { [version]: manifest },
    access: "public",
    _attachments: { [tarballName]: { content_type: "application/octet-stream", data: data.toString("base64"), length: data.length } },
  };
  const response = await fetch(new URL(name.replace("/", "%2f"), registry.url), {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${registry.token}` },
    body: JSON.stringify(document),
  });
  if (!response.ok) throw new Error(`publishing ${name}@${version} answered ${response.status}: ${await response.text()}`);
}
