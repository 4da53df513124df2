// `npm run bench`: every benchmark section, its figures, targets and baselines.
import { benchTracking } from "./tracking.js";
import { benchCapacity } from "./capacity.js";
import { benchRegistryAndArtifacts } from "./registry-artifacts.js";
import { benchPlugins } from "./plugins.js";
import { benchBasicAuth } from "./basic-auth.js";
import { benchUi } from "./ui.js";
import { benchOidcAuth } from "./oidc-auth.js";
import { benchAuthzSearch } from "./authz-search.js";
import { benchTraces } from "./traces.js";
import { benchDatasets } from "./datasets.js";
import { benchArtifactsS3 } from "./artifacts-s3.js";
import { results } from "./lib.js";

console.log(`mlflow-ts benchmark — ${new Date().toISOString()} — node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
console.log(`  ${"figure".padEnd(58)} ${"value".padStart(10)} ${"unit".padEnd(6)} ${"target".padEnd(10)} ok`);
await benchTracking();
await benchCapacity();
await benchRegistryAndArtifacts();
await benchArtifactsS3();
await benchPlugins();
const basicAuthRatio = await benchBasicAuth();
await benchOidcAuth(basicAuthRatio);
await benchAuthzSearch();
await benchTraces();
await benchDatasets();
await benchUi();
const missed = results().filter((r) => r.ok === "MISS");
console.log(`\n${results().filter((r) => r.ok === "PASS").length} targets met, ${missed.length} missed${missed.length ? `: ${missed.map((r) => r.name).join("; ")}` : ""}`);
