// S3 artifact benchmark (issue #21): 256 MB upload and download through the proxy with
// `--artifacts-destination s3://…`, against a bare Node server moving the same bytes to the same
// s3rver with the same SDK and the same upload settings (targets ≥ 0.9×); the server's peak RSS
// while 8 transfers at once move 1 GB each way (≤ 200 MB); a listing of 10,000 artifacts (≤ 500 ms),
// beside the same listing made with the SDK directly (what s3rver itself costs).
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { execFileSync, spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { ArtifactsClient } from "@mlflow-ts/client";
import { CLIENT_CPUS, HAS_TASKSET, ROOT, SERVER_CPUS, cpuMs, peakRssMb, pin, report, startPythonMlflow, startServer } from "./lib.js";

const SIZE = 256 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_S3_ROUNDS ?? 5);
const LISTED = 10_000;
const require = createRequire(import.meta.url);
const S3RVER_BIN = path.join(path.dirname(require.resolve("s3rver/package.json")), "bin", "s3rver.js");

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// s3rver in its own process; --openssl-legacy-provider because its page tokens use DES.
async function startS3rver(dir, bucket) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--openssl-legacy-provider", S3RVER_BIN, "-d", dir, "-a", "127.0.0.1", "-p", String(port), "-s", "--configure-bucket", bucket], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (await fetch(endpoint).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint, child, stop: () => child.kill() };
}

// The ceiling of any Node proxy to S3 here: a bare http server that streams a PUT body of known
// length to s3rver through one PutObject (no buffering at all) and streams a GET from GetObject.
// GET /list?prefix=… lists a prefix the way any ListObjectsV2 client must (serial pages) and answers
// MLflow's JSON: the baseline of the proxy's listing, on the same CPUs as the servers.
const BARE = `const http=require("http");const {S3Client,GetObjectCommand,PutObjectCommand,ListObjectsV2Command}=require("@aws-sdk/client-s3");
const [endpoint,bucket]=process.argv.slice(1);
const client=new S3Client({endpoint,region:"us-east-1",forcePathStyle:true,credentials:{accessKeyId:"S3RVER",secretAccessKey:"S3RVER"},requestChecksumCalculation:"WHEN_REQUIRED",responseChecksumValidation:"WHEN_REQUIRED",requestHandler:{httpAgent:new http.Agent({keepAlive:true,maxSockets:64})}});
http.createServer(async(q,s)=>{const Key="bare"+q.url;try{
if(q.url.startsWith("/list?")){const Prefix=new URL(q.url,"http://x").searchParams.get("prefix");const files=[];let t;do{const p=await client.send(new ListObjectsV2Command({Bucket:bucket,Prefix,Delimiter:"/",...(t?{ContinuationToken:t}:{})}));for(const o of p.Contents??[])files.push({path:o.Key.slice(Prefix.length),is_dir:false,file_size:o.Size});t=p.IsTruncated?p.NextContinuationToken:undefined}while(t);s.writeHead(200,{"Content-Type":"application/json"});s.end(JSON.stringify({files}));return}
if(q.method==="GET"){const o=await client.send(new GetObjectCommand({Bucket:bucket,Key}));s.writeHead(200,{"Content-Length":o.ContentLength});o.Body.pipe(s);return}
await client.send(new PutObjectCommand({Bucket:bucket,Key,Body:q,ContentLength:Number(q.headers["content-length"])}));s.end("{}")}catch(e){s.writeHead(500);s.end(String(e))}})
.listen(0,"127.0.0.1",function(){console.log("listening on http://127.0.0.1:"+this.address().port)})`;

async function startBare(endpoint, bucket) {
  const child = spawn(process.execPath, ["-e", BARE, endpoint, bucket], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
  const url = await new Promise((resolve) => child.stdout.on("data", (c) => { const m = /listening on (\S+)/.exec(String(c)); if (m) resolve(m[1]); }));
  return { url, pid: child.pid, stop: () => child.kill() };
}

// Every process of a process group (Linux /proc), for pinning MLflow's gunicorn and its workers.
function processGroup(pgid) {
  const pids = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ");
      if (Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchArtifactsS3() {
  console.log(`\n# artifacts in S3 (issue #21)  store: s3rver 3.7 (its own process); baseline: a bare Node http server streaming the same bytes to the same s3rver with the same SDK, one streamed PutObject / GetObject (targets ≥ 0.9×); client: ArtifactsClient (file to file); medians of ${ROUNDS} rounds after a warm-up${HAS_TASKSET ? `; client on CPU ${CLIENT_CPUS}, servers and s3rver on CPUs ${SERVER_CPUS}` : ""}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-bench-s3-"));
  const bucket = "bench";
  const s3 = await startS3rver(path.join(dir, "s3"), bucket);
  const env = { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const source = path.join(dir, "source.bin");
  const block = crypto.randomBytes(4 * 1024 * 1024);
  const out = fs.createWriteStream(source);
  for (let i = 0; i < SIZE / block.length; i += 1) if (!out.write(block)) await new Promise((r) => out.once("drain", r));
  await new Promise((r) => out.end(r));
  const server = await startServer(["--backend-store-uri", `sqlite:///${path.join(dir, "bench.db")}`, "--artifacts-destination", `s3://${bucket}/proxied`], { cwd: dir, env });
  const bare = await startBare(s3.endpoint, bucket);
  // MLflow's own server proxying to the same s3rver (MLFLOW_TS_BENCH_PYTHON_MLFLOW, e.g.
  // "/usr/bin/python3 -m mlflow" with a PYTHONPATH where MLflow imports), on its own database.
  const mlflow = process.env.MLFLOW_TS_BENCH_PYTHON_MLFLOW && process.env.BENCH_S3_TRANSFERS !== "0"
    ? await startPythonMlflow(`sqlite:///${path.join(dir, "mlflow-python.db")}`, { cwd: dir, args: ["--artifacts-destination", `s3://${bucket}/python`, "--gunicorn-opts", "--timeout 600"], env: { ...env, AWS_DEFAULT_REGION: "us-east-1" } })
    : undefined;
  if (!mlflow) console.log(`  (MLflow's own server skipped: ${process.env.MLFLOW_TS_BENCH_PYTHON_MLFLOW ? "BENCH_S3_TRANSFERS=0" : "MLFLOW_TS_BENCH_PYTHON_MLFLOW is not set (e.g. \"python3 -m mlflow\" with a PYTHONPATH where MLflow imports)"}; no ratio to it)`);
  pin(process.pid, CLIENT_CPUS);
  for (const pid of [server.child.pid, bare.pid, s3.child.pid]) pin(pid, SERVER_CPUS);
  // MLflow's server is a process group (gunicorn and its workers): pin every process of it.
  if (mlflow && HAS_TASKSET) for (const pid of processGroup(mlflow.child.pid)) pin(pid, SERVER_CPUS);
  try {
    // BENCH_S3_TRANSFERS=0 skips the transfers (for quick runs of the listing).
    if (process.env.BENCH_S3_TRANSFERS !== "0") {
      const client = new ArtifactsClient(server.url);
      const bareClient = new ArtifactsClient(bare.url);
      const mlflowClient = mlflow ? new ArtifactsClient(mlflow.url) : undefined;
      const at = (name) => path.join(dir, name);
      const variants = {
        up: (i) => client.uploadFile(`1/bench/artifacts/up-${i}.bin`, source),
        down: (i) => client.downloadFile(`1/bench/artifacts/up-${i}.bin`, at(`down-${i}.bin`)),
        bareUp: (i) => bareClient.uploadFile(`up-${i}.bin`, source),
        bareDown: (i) => bareClient.downloadFile(`up-${i}.bin`, at(`bare-down-${i}.bin`)),
        ...(mlflow
          ? {
              mlUp: (i) => mlflowClient.uploadFile(`1/bench/artifacts/ml-up-${i}.bin`, source),
              mlDown: (i) => mlflowClient.downloadFile(`1/bench/artifacts/ml-up-${i}.bin`, at(`ml-down-${i}.bin`)),
            }
          : {}),
      };
      const seconds = { up: [], down: [], bareUp: [], bareDown: [], mlUp: [], mlDown: [] };
      // The server's CPU time per transfer, beside its wall time: unlike the latter, it does not
      // move with the disk or the other processes of the machine.
      const cpu = { up: [], down: [], bareUp: [], bareDown: [] };
      const order = [["up", "down"], ["bareUp", "bareDown"], ...(mlflow ? [["mlUp", "mlDown"]] : [])];
      for (let round = -1; round < ROUNDS; round += 1) {
        const shift = Math.max(round, 0) % order.length;
        for (const group of [...order.slice(shift), ...order.slice(0, shift)]) {
          for (const name of group) {
            // Each transfer starts with no dirty pages left by the one before: the store writes
            // 256 MB per upload, and its write-back would otherwise slow whichever transfer comes next.
            execFileSync("sync");
            const pid = name.startsWith("bare") ? bare.pid : name.startsWith("ml") ? undefined : server.child.pid;
            const before = pid ? cpuMs(pid) : 0;
            const s = await timed(() => variants[name](round));
            if (round >= 0) seconds[name].push(s);
            if (round >= 0 && pid) cpu[name].push(cpuMs(pid) - before);
            // A downloaded copy is checked and removed at once: with 256 MB files piling up on
            // this machine's disk, whichever transfer came later in a round ran about a third slower.
            const copy = { down: "down", bareDown: "bare-down", mlDown: "ml-down" }[name];
            if (copy) {
              if ((await fsp.stat(at(`${copy}-${round}.bin`))).size !== SIZE) throw new Error(`${name}: downloaded size differs`);
              await fsp.rm(at(`${copy}-${round}.bin`));
            }
          }
        }
      }
      const mb = SIZE / 1024 / 1024;
      const figure = (name, label) =>
        report(label, mb / median(seconds[name]), "MB/s", undefined, `rounds ${seconds[name].map((x) => (mb / x).toFixed(0)).join(" ")}${cpu[name] ? `; server CPU ${median(cpu[name]).toFixed(0)} ms` : ""}`);
      figure("up", "S3 proxy: upload 256 MB (file → server → s3rver)");
      figure("down", "S3 proxy: download 256 MB (s3rver → server → file)");
      figure("bareUp", "bare Node server + same SDK: the same upload");
      figure("bareDown", "bare Node server + same SDK: the same download");
      report("S3 upload / bare Node server, same bytes", median(seconds.bareUp) / median(seconds.up), "x", [">=", 0.9]);
      report("S3 download / bare Node server, same bytes", median(seconds.bareDown) / median(seconds.down), "x", [">=", 0.9]);
      report("server CPU per upload / bare Node server's", median(cpu.up) / median(cpu.bareUp), "x");
      report("server CPU per download / bare Node server's", median(cpu.down) / median(cpu.bareDown), "x");
      if (mlflow) {
        figure("mlUp", "MLflow's own server (proxied, same s3rver): the same upload");
        figure("mlDown", "MLflow's own server (proxied, same s3rver): the same download");
        report("S3 upload / MLflow's server, same bytes", median(seconds.mlUp) / median(seconds.up), "x", [">=", 2]);
        report("S3 download / MLflow's server, same bytes", median(seconds.mlDown) / median(seconds.down), "x", [">=", 2]);
      }

      // 8 transfers at once, 128 MB each: 1 GB up, then 1 GB down.
      const part = path.join(dir, "part.bin");
      await fsp.writeFile(part, (await fsp.readFile(source)).subarray(0, 128 * 1024 * 1024));
      const concurrent = await timed(async () => {
        await Promise.all(Array.from({ length: 8 }, (_, i) => client.uploadFile(`1/bench/artifacts/c-${i}.bin`, part)));
        await Promise.all(Array.from({ length: 8 }, (_, i) => client.downloadFile(`1/bench/artifacts/c-${i}.bin`, at(`c-${i}.bin`))));
      });
      report("S3 proxy: 8 concurrent transfers, 1 GB each way", 2048 / concurrent, "MB/s");
      report("server peak RSS (256 MB rounds, then 8 × 128 MB each way)", peakRssMb(server.child.pid), "MB", ["<=", 200]);
      for (let i = 0; i < 8; i += 1) await fsp.rm(at(`c-${i}.bin`), { force: true });
    }

    // BENCH_S3_LIST=0 skips the listing (for quick A/B runs of the transfers).
    if (process.env.BENCH_S3_LIST === "0") return;
    // 10,000 artifacts in one directory, written straight to the bucket.
    const { S3Client, PutObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const sdk = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    const names = Array.from({ length: LISTED }, (_, i) => `f${String(i).padStart(5, "0")}.txt`);
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(names.slice(i, i + 100).map((n) => sdk.send(new PutObjectCommand({ Bucket: bucket, Key: `proxied/2/many/artifacts/${n}`, Body: "x" }))));
    }
    // Rounds rotate between the proxy, a bare Node server listing with the same SDK (on the servers'
    // CPUs, as the proxy) and the SDK listing the prefix from here (serial pages, as any
    // ListObjectsV2 client must: what s3rver itself costs), and count the CPU each process spends:
    // where the time goes.
    const sdkListing = async () => {
      let token;
      let count = 0;
      do {
        const page = await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "proxied/2/many/artifacts/", Delimiter: "/", ...(token ? { ContinuationToken: token } : {}) }));
        count += (page.Contents ?? []).length;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      if (count !== LISTED) throw new Error(`the SDK listed ${count}`);
    };
    const bareListing = async () => {
      const body = await (await fetch(`${bare.url}/list?prefix=${encodeURIComponent("proxied/2/many/artifacts/")}`)).json();
      if (body.files.length !== LISTED) throw new Error(`the bare server listed ${body.files.length}`);
    };
    const proxyListing = async () => {
      const body = await (await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=2/many/artifacts`)).json();
      if (body.files.length !== LISTED) throw new Error(`listed ${body.files.length}`);
    };
    // The bench waits on one request at a time here: s3rver gets the client's CPU, so that a
    // lister's own work can overlap the store's (as it would with a store on its own machine).
    pin(s3.child.pid, CLIENT_CPUS);
    const kinds = [["proxy", proxyListing, server.child.pid], ["bare", bareListing, bare.pid], ["sdk", sdkListing, process.pid]];
    const listings = { proxy: [], bare: [], sdk: [] };
    const cpu = { proxy: { lister: 0, s3rver: 0 }, bare: { lister: 0, s3rver: 0 }, sdk: { lister: 0, s3rver: 0 } };
    const LIST_ROUNDS = Number(process.env.BENCH_S3_LIST_ROUNDS ?? 5);
    for (let i = -1; i < LIST_ROUNDS; i += 1) {
      const shift = Math.max(i, 0) % kinds.length;
      for (const [name, fn, pid] of [...kinds.slice(shift), ...kinds.slice(0, shift)]) {
        const before = [cpuMs(pid), cpuMs(s3.child.pid)];
        const s = await timed(fn);
        if (i < 0) continue;
        listings[name].push(s);
        cpu[name].lister += (cpuMs(pid) - before[0]) / LIST_ROUNDS;
        cpu[name].s3rver += (cpuMs(s3.child.pid) - before[1]) / LIST_ROUNDS;
      }
    }
    sdk.destroy();
    const ms = (name) => median(listings[name]) * 1000;
    const where = (name) => `CPU per listing: lister ${cpu[name].lister.toFixed(0)} ms, s3rver ${cpu[name].s3rver.toFixed(0)} ms`;
    report(`S3 proxy: list 10,000 artifacts (median of ${LIST_ROUNDS})`, ms("proxy"), "ms", ["<=", 500], where("proxy"));
    report("bare Node server + same SDK: the same listing", ms("bare"), "ms", undefined, where("bare"));
    report("the SDK listing the prefix from the bench (s3rver's floor)", ms("sdk"), "ms", undefined, where("sdk"));
    report("S3 listing / bare Node server, same 10,000 keys", ms("bare") / ms("proxy"), "x", [">=", 0.9]);
    report("S3 listing / the SDK from the bench, same 10,000 keys", ms("sdk") / ms("proxy"), "x");
  } finally {
    await mlflow?.stop();
    bare.stop();
    await server.stop();
    s3.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchArtifactsS3();
