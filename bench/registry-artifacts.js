// Registry and artifact benchmark (issue #3): 256 MB upload/download against a plain filesystem
// copy of the same file, the server's peak RSS meanwhile, and search over 1,000 registered models.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { execFile, execFileSync, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ArtifactsClient } from "@mlflow-ts/client";
import { CLIENT_CPUS, CPUS, HAS_TASKSET, SERVER_CPUS, peakRssMb, percentile, pin, report, startServer, timeSequential } from "./lib.js";

const SIZE = 256 * 1024 * 1024;
const ROUNDS = 9;

// curl, when the machine has it, as a second, independent client.
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

// The best a Node server can do here: a bare http server that streams a PUT body to a file named
// after the request path, and answers a GET with that file streamed from disk — as the artifact
// proxy does, a download reads the file its upload just wrote.
const BARE = `const http=require("http"),fs=require("fs"),path=require("path"),{pipeline}=require("stream/promises");
http.createServer({highWaterMark:1<<20},async(q,s)=>{
if(q.method==="GET"){const f=path.join(process.argv[1],path.basename(q.url));s.writeHead(200,{"Content-Length":fs.statSync(f).size});await pipeline(fs.createReadStream(f,{highWaterMark:1<<20}),s);return}
await pipeline(q,fs.createWriteStream(path.join(process.argv[1],path.basename(q.url)),{highWaterMark:8<<20}));s.end("{}")})
.listen(0,"127.0.0.1",function(){console.log("listening on http://127.0.0.1:"+this.address().port)})`;

async function startBare(dir) {
  const child = spawn(process.execPath, ["-e", BARE, dir], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve) => child.stdout.on("data", (c) => { const m = /listening on (\S+)/.exec(String(c)); if (m) resolve(m[1]); }));
  return { url, pid: child.pid, stop: () => child.kill() };
}

// Dirty pages of one variant must not be written back on another's clock: every timed transfer
// starts from a clean page cache.
function settle() {
  try {
    execFileSync("sync");
  } catch {
    // No sync(1): the figures are noisier, not wrong.
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchRegistryAndArtifacts() {
  console.log(`\n# artifacts and registry (issue #3)  baseline: a bare Node http server streaming the same bytes (targets ≥ 0.9×), same run, with a plain filesystem copy (copyFile) of the same 256 MB file for context; client: mlflow-ts's ArtifactsClient (file to file)${HAS_CURL ? ", and curl" : ""}; medians of ${ROUNDS} rounds after a warm-up round${HAS_TASKSET ? `; client on CPU ${CLIENT_CPUS}, servers on CPUs ${SERVER_CPUS}` : ""}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-art-"));
  const source = path.join(dir, "source.bin");
  const block = crypto.randomBytes(4 * 1024 * 1024);
  const out = fs.createWriteStream(source);
  for (let i = 0; i < SIZE / block.length; i += 1) if (!out.write(block)) await new Promise((r) => out.once("drain", r));
  await new Promise((r) => out.end(r));
  fs.mkdirSync(path.join(dir, "sink"));
  const server = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "bench.db")}`, "--artifacts-destination", path.join(dir, "dest")], { cwd: dir });
  pin(process.pid, CLIENT_CPUS);
  pin(server.child.pid, SERVER_CPUS);
  try {
    const bare = await startBare(path.join(dir, "sink"));
    pin(bare.pid, SERVER_CPUS);
    const bareClient = new ArtifactsClient(bare.url);
    const client = new ArtifactsClient(server.url);
    const at = (name) => path.join(dir, name);
    const blob = (who, round) => `1/bench/artifacts/${who}-${round}.bin`;
    const proxy = `${server.url}/api/2.0/mlflow-artifacts/artifacts`;
    // Each variant writes a fresh file, and a round's files are deleted when it ends, so every
    // variant writes into recycled page-cache memory: on a VM the first touch of guest memory
    // costs several times more kernel time than a reused page, and would otherwise fall on
    // whoever runs first.
    const variants = {
      copy: (i) => fsp.copyFile(source, at(`copy-${i}.bin`)),
      stream: (i) => pipeline(fs.createReadStream(source, { highWaterMark: 1024 * 1024 }), fs.createWriteStream(at(`scopy-${i}.bin`))),
      up: (i) => client.uploadFile(blob("client", i), source),
      down: (i) => client.downloadFile(blob("client", i), at(`down-${i}.bin`)),
      // The same client against the bare server: the ceiling of any Node server, each way.
      bareUp: (i) => bareClient.uploadFile(`bare-${i}.bin`, source),
      bareDown: (i) => bareClient.downloadFile(`bare-${i}.bin`, at(`bare-down-${i}.bin`)),
      ...(HAS_CURL
        ? {
            curlUp: (i) => curl(["-T", source, "-H", "Content-Type: application/octet-stream", "-o", "/dev/null", `${proxy}/${blob("curl", i)}`]),
            curlDown: (i) => curl(["-o", at(`curl-down-${i}.bin`), `${proxy}/${blob("curl", i)}`]),
          }
        : {}),
    };
    const seconds = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    // The order rotates each round so no variant always follows another's writes; a download
    // always follows its upload.
    const order = [["copy"], ["stream"], ["up", "down"], ["bareUp", "bareDown"], ...(HAS_CURL ? [["curlUp", "curlDown"]] : [])];
    for (let round = -1; round < ROUNDS; round += 1) {
      const shift = Math.max(round, 0) % order.length;
      for (const group of [...order.slice(shift), ...order.slice(0, shift)]) {
        for (const name of group) {
          settle();
          const s = await timed(() => variants[name](round));
          if (round >= 0) seconds[name].push(s);
        }
      }
      if (round === ROUNDS - 1 && (await sha(at(`down-${round}.bin`))) !== (await sha(source))) throw new Error("downloaded bytes differ");
      const outputs = ["copy", "scopy", "down", "bare-down", "curl-down", "sink/bare"].map((name) => `${name}-${round}.bin`);
      for (const name of [...outputs, `dest/${blob("client", round)}`, `dest/${blob("curl", round)}`]) await fsp.rm(at(name), { force: true });
    }
    bare.stop();
    const mb = SIZE / 1024 / 1024;
    const copy = median(seconds.copy);
    // One line of MB/s (with every round, so the spread shows) and, but for the baseline, its ratio to the copy.
    const figure = (name, label, ratio, target, note = "") => {
      const s = median(seconds[name]);
      report(label, mb / s, "MB/s", undefined, `rounds ${seconds[name].map((x) => (mb / x).toFixed(0)).join(" ")}${note}`);
      if (ratio) report(`  ${ratio} / filesystem copy`, copy / s, "x", target);
    };
    figure("copy", "filesystem copy of 256 MB (copyFile)", undefined, undefined, "; the baseline");
    figure("stream", "filesystem stream copy of 256 MB", "stream copy", undefined, "; read stream → write stream");
    figure("up", "upload 256 MB, ArtifactsClient.uploadFile (file → server disk)", "upload");
    figure("down", "download 256 MB, ArtifactsClient.downloadFile (→ file)", "download");
    figure("bareUp", "bare Node http server: the same upload", "bare upload", undefined, "; the ceiling of any Node server here");
    figure("bareDown", "bare Node http server: the same download", "bare download", undefined, "; the ceiling of any Node server here");
    // The fair baseline of an HTTP artifact proxy (the project's standard): a bare Node server
    // streaming the same bytes, same run; an in-kernel copy is only context.
    report("upload / bare Node server, same bytes", median(seconds.bareUp) / median(seconds.up), "x", [">=", 0.9]);
    report("download / bare Node server, same bytes", median(seconds.bareDown) / median(seconds.down), "x", [">=", 0.9]);
    if (HAS_CURL) {
      figure("curlUp", "upload 256 MB, curl -T", "curl upload");
      figure("curlDown", "download 256 MB, curl -o file", "curl download");
    }
    report("server peak RSS while moving 256 MB each way", peakRssMb(server.child.pid), "MB", ["<=", 150], `${(ROUNDS + 1) * (HAS_CURL ? 2 : 1)} uploads and downloads`);

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
    pin(process.pid, `0-${CPUS - 1}`);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
