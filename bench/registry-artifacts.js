// Registry and artifact benchmark (issue #3): 256 MB upload/download against a plain filesystem
// copy of the same file, the server's peak RSS meanwhile, and search over 1,000 registered models.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import { execFile, execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { peakRssMb, percentile, report, startServer, timeSequential } from "./lib.js";

const SIZE = 256 * 1024 * 1024;

// curl as the client when the machine has it: a Node client on the same two cores would measure
// itself as much as the server.
const HAS_CURL = (() => {
  try {
    execFileSync("curl", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function curl(args) {
  return new Promise((resolve, reject) => {
    execFile("curl", ["-sS", "--fail", "-H", "Expect:", ...args], (error) => (error ? reject(error) : resolve()));
  });
}

function put(url, file) {
  if (HAS_CURL) return curl(["-T", file, "-H", "Content-Type: application/octet-stream", "-o", "/dev/null", url]);
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "PUT", headers: { "Content-Type": "application/octet-stream", "Content-Length": SIZE } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${res.statusCode}`))));
    });
    req.on("error", reject);
    fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }).pipe(req);
  });
}

function get(url, file) {
  if (HAS_CURL) return curl(["-o", file, url]);
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${res.statusCode}`));
      pipeline(res, fs.createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 })).then(resolve, reject);
    }).on("error", reject);
  });
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function sha(file) {
  const hash = crypto.createHash("sha256");
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest("hex");
}

// The best a Node server can do here: a bare http server that streams a PUT body to a file.
const SINK = `const http=require("http"),fs=require("fs"),{pipeline}=require("stream/promises");
http.createServer({highWaterMark:1<<20},async(q,s)=>{await pipeline(q,fs.createWriteStream(process.argv[1],{highWaterMark:8<<20}));s.end("{}")})
.listen(0,"127.0.0.1",function(){console.log("listening on http://127.0.0.1:"+this.address().port)})`;

async function startSink(file) {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["-e", SINK, file], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve) => child.stdout.on("data", (c) => { const m = /listening on (\S+)/.exec(String(c)); if (m) resolve(m[1]); }));
  return { url, stop: () => child.kill() };
}

export async function benchRegistryAndArtifacts() {
  console.log(`\n# artifacts and registry (issue #3)  baseline: a plain filesystem copy of the same 256 MB file, same run; client: ${HAS_CURL ? "curl" : "node:http"}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-art-"));
  const source = path.join(dir, "source.bin");
  const block = crypto.randomBytes(4 * 1024 * 1024);
  const out = fs.createWriteStream(source);
  for (let i = 0; i < SIZE / block.length; i += 1) if (!out.write(block)) await new Promise((r) => out.once("drain", r));
  await new Promise((r) => out.end(r));
  const server = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "bench.db")}`, "--artifacts-destination", path.join(dir, "dest")], { cwd: dir });
  try {
    // Three rounds, medians: page-cache writeback makes single runs noisy. Each round writes a
    // fresh 256 MB file in every variant, so all three pay the same disk cost.
    const url = `${server.url}/api/2.0/mlflow-artifacts/artifacts/1/bench/artifacts/blob.bin`;
    const sink = await startSink(path.join(dir, "sink.bin"));
    const rounds = { copy: [], stream: [], bare: [], up: [], down: [] };
    for (let i = 0; i < 3; i += 1) {
      rounds.copy.push(await timed(() => fsp.copyFile(source, path.join(dir, `copy-${i}.bin`))));
      rounds.stream.push(await timed(() => pipeline(fs.createReadStream(source, { highWaterMark: 1024 * 1024 }), fs.createWriteStream(path.join(dir, `scopy-${i}.bin`)))));
      rounds.bare.push(await timed(() => put(`${sink.url}/x`, source)));
      rounds.up.push(await timed(() => put(url, source)));
      rounds.down.push(await timed(() => get(url, path.join(dir, `down-${i}.bin`))));
      for (const f of [`copy-${i}.bin`, `scopy-${i}.bin`, "sink.bin"]) await fsp.rm(path.join(dir, f), { force: true });
      if (i < 2) await fsp.rm(path.join(dir, `down-${i}.bin`));
    }
    sink.stop();
    const median = (xs) => [...xs].sort((a, b) => a - b)[1];
    const [copySeconds, streamCopySeconds, bareSeconds, upSeconds, downSeconds] = [rounds.copy, rounds.stream, rounds.bare, rounds.up, rounds.down].map(median);
    if ((await sha(path.join(dir, "down-2.bin"))) !== (await sha(source))) throw new Error("downloaded bytes differ");
    const mb = SIZE / 1024 / 1024;
    report("filesystem copy of 256 MB (copyFile)", mb / copySeconds, "MB/s", undefined, "baseline");
    report("filesystem stream copy of 256 MB", mb / streamCopySeconds, "MB/s", undefined, "read stream → write stream");
    report("upload 256 MB (PUT, streamed to disk)", mb / upSeconds, "MB/s", undefined);
    report("upload / filesystem copy", copySeconds / upSeconds, "x", [">=", 0.5]);
    report("upload / filesystem stream copy", streamCopySeconds / upSeconds, "x", undefined);
    report("bare Node http server streaming the same PUT to a file", mb / bareSeconds, "MB/s", undefined, "the ceiling for any Node server here");
    report("bare Node server / filesystem copy", copySeconds / bareSeconds, "x", undefined);
    report("upload / bare Node server", bareSeconds / upSeconds, "x", undefined);
    report("download 256 MB (GET, written to disk)", mb / downSeconds, "MB/s", undefined);
    report("download / filesystem copy", copySeconds / downSeconds, "x", [">=", 0.5]);
    report("download / filesystem stream copy", streamCopySeconds / downSeconds, "x", undefined);
    report("server peak RSS while moving 256 MB each way", peakRssMb(server.child.pid), "MB", ["<=", 150]);

    const post = (p, body) => fetch(`${server.url}/api/2.0/mlflow/${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for (let i = 0; i < 1000; i += 1) {
      const name = `model-${String(i).padStart(4, "0")}`;
      await post("registered-models/create", { name, tags: [{ key: "team", value: i % 2 ? "a" : "b" }] });
      await post("model-versions/create", { name, source: `s3://bucket/models/${i}` });
    }
    const query = new URLSearchParams({ max_results: "1000", filter: "name LIKE 'model-%' AND tags.`mlflow.prompt.is_prompt` != 'true'" });
    const times = await timeSequential(30, async () => {
      const body = await (await fetch(`${server.url}/api/2.0/mlflow/registered-models/search?${query}`)).json();
      if (body.registered_models.length !== 1000) throw new Error(`search returned ${body.registered_models.length}`);
    });
    report("search of 1,000 registered models (with latest versions), p50", percentile(times, 50), "ms", ["<=", 50], `p90 ${percentile(times, 90).toFixed(1)} ms`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
